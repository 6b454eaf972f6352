import type pg from 'pg';
import { schemaOnce } from '@idres/pgschema';
import type { ErasureCompletion, ErasureLog, NewErasure } from './erasureLog';
import { erasureIdOf, erasureNumberOf } from './erasureLog';
import { ErasureError, type ErasurePlace, type ErasureRequest } from './erasureRequest';

export const ERASURE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS idres_erasures (
  n                  bigserial PRIMARY KEY,
  source             text NOT NULL,
  source_record_id   text NOT NULL,
  record_id          text NOT NULL,
  state              text NOT NULL DEFAULT 'pending',
  tombstone_version  bigint NOT NULL,
  quarantine_entries integer NOT NULL DEFAULT 0,
  requested_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at       timestamptz,
  values_gone_by     timestamptz,
  places             jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX IF NOT EXISTS idres_erasures_pending ON idres_erasures (n) WHERE state = 'pending';
`;
const SCHEMA_LOCK = 74211;

interface Row {
  n: string;
  source: string;
  source_record_id: string;
  record_id: string;
  state: ErasureRequest['state'];
  tombstone_version: string;
  quarantine_entries: number;
  requested_at: Date;
  completed_at: Date | null;
  values_gone_by: Date | null;
  places: Array<{ place: string; how: string; goneBy: string | null }>;
}

const toRequest = (r: Row): ErasureRequest => ({
  id: erasureIdOf(Number(r.n)), source: r.source, sourceRecordId: r.source_record_id, recordId: r.record_id, state: r.state,
  tombstoneVersion: Number(r.tombstone_version), quarantineEntries: r.quarantine_entries, requestedAt: r.requested_at,
  completedAt: r.completed_at, valuesGoneBy: r.values_gone_by,
  places: r.places.map((p): ErasurePlace => ({ place: p.place, how: p.how, goneBy: p.goneBy === null ? null : new Date(p.goneBy) })),
});

/** The erasure log in the Postgres that holds resolve's state. */
export class PgErasureLog implements ErasureLog {
  /** Creates the table once per process (under an advisory lock: several processes may start at once). */
  readonly migrate: () => Promise<void>;

  constructor(private readonly pool: pg.Pool) {
    this.migrate = schemaOnce(pool, SCHEMA_LOCK, ERASURE_SCHEMA_SQL);
  }

  async create(e: NewErasure): Promise<ErasureRequest> {
    await this.migrate();
    const res = await this.pool.query<Row>(
      `INSERT INTO idres_erasures (source, source_record_id, record_id, tombstone_version, quarantine_entries) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [e.source, e.sourceRecordId, e.recordId, e.tombstoneVersion, e.quarantineEntries],
    );
    return toRequest(res.rows[0]!);
  }

  async get(id: string): Promise<ErasureRequest | undefined> {
    const n = erasureNumberOf(id);
    if (n === undefined) return undefined;
    await this.migrate();
    const res = await this.pool.query<Row>('SELECT * FROM idres_erasures WHERE n = $1', [n]);
    return res.rows[0] && toRequest(res.rows[0]);
  }

  async list(opts: { limit?: number; state?: ErasureRequest['state'] } = {}): Promise<ErasureRequest[]> {
    await this.migrate();
    const res = await this.pool.query<Row>(
      'SELECT * FROM idres_erasures WHERE ($1::text IS NULL OR state = $1) ORDER BY n DESC LIMIT $2',
      [opts.state ?? null, opts.limit ?? 50],
    );
    return res.rows.map(toRequest);
  }

  async complete(id: string, done: ErasureCompletion): Promise<ErasureRequest> {
    const n = erasureNumberOf(id);
    if (n === undefined) throw new ErasureError('ERASURE_UNKNOWN', `no erasure ${id}`);
    await this.migrate();
    // Only a pending request changes: a second check of a done one keeps its first completion.
    await this.pool.query(
      `UPDATE idres_erasures SET state = 'done', completed_at = $2, values_gone_by = $3, places = $4::jsonb WHERE n = $1 AND state = 'pending'`,
      [n, done.completedAt, done.valuesGoneBy, JSON.stringify(done.places)],
    );
    const row = await this.get(id);
    if (!row) throw new ErasureError('ERASURE_UNKNOWN', `no erasure ${id}`);
    return row;
  }
}
