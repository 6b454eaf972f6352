import type { ErasureCompletion, ErasureLog, NewErasure } from './erasureLog';
import { erasureIdOf } from './erasureLog';
import { ErasureError, type ErasureRequest } from './erasureRequest';

/** For unit tests of code that records erasures; the Postgres log is the one services use. */
export class InMemoryErasureLog implements ErasureLog {
  private readonly rows: ErasureRequest[] = [];

  async create(e: NewErasure): Promise<ErasureRequest> {
    const row: ErasureRequest = { ...e, id: erasureIdOf(this.rows.length + 1), state: 'pending', requestedAt: new Date(), completedAt: null, valuesGoneBy: null, places: [] };
    this.rows.push(row);
    return structuredClone(row);
  }

  async get(id: string): Promise<ErasureRequest | undefined> {
    const row = this.rows.find((r) => r.id === id);
    return row && structuredClone(row);
  }

  async list(opts: { limit?: number; state?: ErasureRequest['state'] } = {}): Promise<ErasureRequest[]> {
    return this.rows.filter((r) => !opts.state || r.state === opts.state).reverse().slice(0, opts.limit ?? 50).map((r) => structuredClone(r));
  }

  async complete(id: string, done: ErasureCompletion): Promise<ErasureRequest> {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new ErasureError('ERASURE_UNKNOWN', `no erasure ${id}`);
    if (row.state === 'pending') Object.assign(row, { state: 'done', ...structuredClone(done) });
    return structuredClone(row);
  }
}
