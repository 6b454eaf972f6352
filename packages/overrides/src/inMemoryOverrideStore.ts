import { normalizePair, OverrideError, type DecideInput, type Override, type OverrideStore } from './overrideStore';

/** For unit tests of code that uses decisions. */
export class InMemoryOverrideStore implements OverrideStore {
  private readonly rows: Override[] = [];
  private clock = 0;

  private now(): number {
    // Strictly increasing, so "newest first" is well defined even within one millisecond.
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  async decide(input: DecideInput): Promise<{ override: Override; changed: boolean; replaced: Override | null }> {
    const p = normalizePair(input);
    const current = this.rows.find((r) => r.undoneAt === null && r.a === p.a && r.b === p.b);
    if (current && current.decision === p.decision) return { override: { ...current }, changed: false, replaced: null };
    const at = this.now();
    if (current) current.undoneAt = at;
    const row: Override = { id: this.rows.length + 1, a: p.a, b: p.b, decision: p.decision, reviewer: p.reviewer, createdAt: at, undoneAt: null };
    this.rows.push(row);
    return { override: { ...row }, changed: true, replaced: current ? { ...current } : null };
  }

  async undo(id: number): Promise<Override> {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new OverrideError('OVERRIDE_NOT_FOUND', `no decision ${id}`);
    if (row.undoneAt !== null) throw new OverrideError('OVERRIDE_NOT_ACTIVE', `decision ${id} was already undone or replaced`);
    row.undoneAt = this.now();
    return { ...row };
  }

  async get(id: number): Promise<Override | undefined> {
    const row = this.rows.find((r) => r.id === id);
    return row ? { ...row } : undefined;
  }

  async active(recordIds?: readonly string[]): Promise<Override[]> {
    const ids = recordIds ? new Set(recordIds) : undefined;
    return this.rows.filter((r) => r.undoneAt === null && (!ids || ids.has(r.a) || ids.has(r.b))).map((r) => ({ ...r })).sort((x, y) => x.id - y.id);
  }

  async history(recordIds: readonly string[], limit = 100): Promise<Override[]> {
    const ids = new Set(recordIds);
    return this.rows.filter((r) => ids.has(r.a) || ids.has(r.b)).map((r) => ({ ...r })).sort((x, y) => y.id - x.id).slice(0, limit);
  }
}
