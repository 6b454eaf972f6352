import type pg from 'pg';
import { schemaOnce } from '@idres/pgschema';
import type { ProgressDelta, SourceDefinition, SourceProgress } from './sourceDefinition';
import type { SourceStore } from './sourceStore';

export const SOURCE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS idres_sources (
  name                  text PRIMARY KEY,
  definition            jsonb NOT NULL,
  snapshot_requested_at timestamptz,
  snapshot_rows         bigint NOT NULL DEFAULT 0,
  snapshot_first_at     timestamptz,
  snapshot_last_at      timestamptz,
  changes               bigint NOT NULL DEFAULT 0,
  deletes               bigint NOT NULL DEFAULT 0,
  rejected              bigint NOT NULL DEFAULT 0,
  last_event_at         timestamptz,
  last_source_ts_ms     bigint,
  offsets               jsonb NOT NULL DEFAULT '{}'::jsonb,
  errors                bigint NOT NULL DEFAULT 0,
  last_error            jsonb
);
`;

interface Row {
  definition: Omit<SourceDefinition, 'createdAt'> & { createdAt: string };
  snapshot_requested_at: Date | null;
  snapshot_rows: string;
  snapshot_first_at: Date | null;
  snapshot_last_at: Date | null;
  changes: string;
  deletes: string;
  rejected: string;
  last_event_at: Date | null;
  last_source_ts_ms: string | null;
  offsets: Record<string, string>;
  errors: string;
  last_error: { code: string; message: string; at: string } | null;
}

const toDef = (r: Pick<Row, 'definition'>): SourceDefinition => ({ ...r.definition, createdAt: new Date(r.definition.createdAt) });

/** Sources in the same Postgres as resolve's state; the table is created on first use. */
export class PgSourceStore implements SourceStore {
  /** The tables, created once per process under an advisory lock (several processes may start at once). */
  private readonly ensure: () => Promise<void>;
  constructor(private readonly pool: pg.Pool) {
    this.ensure = schemaOnce(pool, 74202, SOURCE_SCHEMA_SQL);
  }

  async put(def: SourceDefinition): Promise<void> {
    await this.ensure();
    await this.pool.query(
      'INSERT INTO idres_sources (name, definition) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition',
      [def.name, JSON.stringify({ ...def, createdAt: def.createdAt.toISOString() })],
    );
  }

  async get(name: string): Promise<SourceDefinition | undefined> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT definition FROM idres_sources WHERE name = $1', [name]);
    return r.rows[0] ? toDef(r.rows[0]) : undefined;
  }

  async list(): Promise<SourceDefinition[]> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT definition FROM idres_sources ORDER BY name');
    return r.rows.map(toDef);
  }

  async remove(name: string): Promise<boolean> {
    await this.ensure();
    const r = await this.pool.query('DELETE FROM idres_sources WHERE name = $1', [name]);
    return (r.rowCount ?? 0) > 0;
  }

  async progress(name: string): Promise<SourceProgress | undefined> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT * FROM idres_sources WHERE name = $1', [name]);
    const row = r.rows[0];
    if (!row) return undefined;
    return {
      snapshotRequestedAt: row.snapshot_requested_at,
      snapshotRows: Number(row.snapshot_rows),
      snapshotFirstAt: row.snapshot_first_at,
      snapshotLastAt: row.snapshot_last_at,
      changes: Number(row.changes),
      deletes: Number(row.deletes),
      rejected: Number(row.rejected),
      lastEventAt: row.last_event_at,
      lastSourceTsMs: row.last_source_ts_ms === null ? null : Number(row.last_source_ts_ms),
      offsets: row.offsets,
      errors: Number(row.errors),
      lastError: row.last_error ? { ...row.last_error, at: new Date(row.last_error.at) } : null,
    };
  }

  async recordProgress(name: string, d: ProgressDelta): Promise<void> {
    await this.ensure();
    const any = d.snapshotRows + d.changes + d.deletes + d.rejected > 0;
    // The WHERE guard makes a redelivered batch (same or lower offset on that partition) a no-op, atomically.
    await this.pool.query(
      `UPDATE idres_sources SET
         offsets = offsets || jsonb_build_object($2::text, $3::text),
         snapshot_rows = snapshot_rows + $4,
         snapshot_first_at = CASE WHEN $4 > 0 THEN coalesce(snapshot_first_at, $8) ELSE snapshot_first_at END,
         snapshot_last_at = CASE WHEN $4 > 0 THEN $8 ELSE snapshot_last_at END,
         changes = changes + $5, deletes = deletes + $6, rejected = rejected + $7,
         last_event_at = CASE WHEN $9 THEN $8 ELSE last_event_at END,
         last_source_ts_ms = CASE WHEN $10::bigint IS NULL THEN last_source_ts_ms ELSE greatest(coalesce(last_source_ts_ms, 0), $10::bigint) END
       WHERE name = $1 AND coalesce((offsets ->> $2::text)::numeric, -1) < $3::numeric`,
      [name, String(d.partition), d.lastOffset, d.snapshotRows, d.changes, d.deletes, d.rejected, d.at, any, d.lastSourceTsMs],
    );
  }

  async markSnapshotRequested(name: string, at: Date): Promise<boolean> {
    await this.ensure();
    const r = await this.pool.query('UPDATE idres_sources SET snapshot_requested_at = $2 WHERE name = $1 AND snapshot_requested_at IS NULL', [name, at]);
    return (r.rowCount ?? 0) > 0;
  }

  async recordError(name: string, code: string, message: string, at: Date): Promise<void> {
    await this.ensure();
    await this.pool.query('UPDATE idres_sources SET errors = errors + 1, last_error = $2 WHERE name = $1', [name, JSON.stringify({ code, message, at: at.toISOString() })]);
  }
}
