import type pg from 'pg';
import { schemaOnce } from '@idres/pgschema';
import { normalizePair, OverrideError, type DecideInput, type Override, type OverrideStore } from './overrideStore';

/**
 * Kept beside resolve's tables, which read it inside their batch transactions (resolve runs this SQL at start-up
 * too). Not one of the tables a replay wipes: decisions survive `idres replay`; `idres pipeline reset` empties it.
 */
export const OVERRIDES_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS idres_overrides (
  id         bigserial PRIMARY KEY,
  a          text COLLATE "C" NOT NULL,
  b          text COLLATE "C" NOT NULL,
  decision   text NOT NULL CHECK (decision IN ('SAME', 'DIFFERENT')),
  reviewer   text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  undone_at  timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS idres_overrides_holding ON idres_overrides (a, b) WHERE undone_at IS NULL;
CREATE INDEX IF NOT EXISTS idres_overrides_holding_b ON idres_overrides (b) WHERE undone_at IS NULL;
CREATE INDEX IF NOT EXISTS idres_overrides_a ON idres_overrides (a);
CREATE INDEX IF NOT EXISTS idres_overrides_b ON idres_overrides (b);
`;
/** Shared with resolve's migration: one lock for both, so concurrent start-ups never race on CREATE. */
export const OVERRIDES_SCHEMA_LOCK = 74202;

interface Row {
  id: string;
  a: string;
  b: string;
  decision: Override['decision'];
  reviewer: string | null;
  created_at: Date;
  undone_at: Date | null;
}

const COLUMNS = 'id, a, b, decision, reviewer, created_at, undone_at';
const toOverride = (r: Row): Override => ({
  id: Number(r.id), a: r.a, b: r.b, decision: r.decision, reviewer: r.reviewer,
  createdAt: r.created_at.getTime(), undoneAt: r.undone_at === null ? null : r.undone_at.getTime(),
});

export class PgOverrideStore implements OverrideStore {
  /** The table, created once per process under an advisory lock (resolve creates it too, with the same lock). */
  private readonly ensure: () => Promise<void>;
  constructor(private readonly pool: pg.Pool) {
    this.ensure = schemaOnce(pool, OVERRIDES_SCHEMA_LOCK, OVERRIDES_SCHEMA_SQL);
  }

  async decide(input: DecideInput): Promise<{ override: Override; changed: boolean; replaced: Override | null }> {
    const p = normalizePair(input);
    await this.ensure();
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      // Serializes decisions about one pair (two reviewers at once): the holding row, or the pair's lock.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [p.a, p.b]);
      const cur = await c.query<Row>(`SELECT ${COLUMNS} FROM idres_overrides WHERE a = $1 AND b = $2 AND undone_at IS NULL`, [p.a, p.b]);
      const holding = cur.rows[0];
      if (holding && holding.decision === p.decision) {
        await c.query('COMMIT');
        return { override: toOverride(holding), changed: false, replaced: null };
      }
      let replaced: Override | null = null;
      if (holding) {
        const r = await c.query<Row>(`UPDATE idres_overrides SET undone_at = clock_timestamp() WHERE id = $1 RETURNING ${COLUMNS}`, [holding.id]);
        replaced = toOverride(r.rows[0]!);
      }
      const ins = await c.query<Row>(`INSERT INTO idres_overrides (a, b, decision, reviewer) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`, [p.a, p.b, p.decision, p.reviewer]);
      await c.query('COMMIT');
      return { override: toOverride(ins.rows[0]!), changed: true, replaced };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async undo(id: number): Promise<Override> {
    await this.ensure();
    const r = await this.pool.query<Row>(`UPDATE idres_overrides SET undone_at = clock_timestamp() WHERE id = $1 AND undone_at IS NULL RETURNING ${COLUMNS}`, [id]);
    if (r.rows[0]) return toOverride(r.rows[0]);
    const existing = await this.get(id);
    if (!existing) throw new OverrideError('OVERRIDE_NOT_FOUND', `no decision ${id}`);
    throw new OverrideError('OVERRIDE_NOT_ACTIVE', `decision ${id} was already undone or replaced`);
  }

  async get(id: number): Promise<Override | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    await this.ensure();
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM idres_overrides WHERE id = $1`, [id]);
    return r.rows[0] ? toOverride(r.rows[0]) : undefined;
  }

  async active(recordIds?: readonly string[]): Promise<Override[]> {
    await this.ensure();
    const r = recordIds
      ? await this.pool.query<Row>(`SELECT ${COLUMNS} FROM idres_overrides WHERE undone_at IS NULL AND (a = ANY($1) OR b = ANY($1)) ORDER BY id`, [recordIds])
      : await this.pool.query<Row>(`SELECT ${COLUMNS} FROM idres_overrides WHERE undone_at IS NULL ORDER BY id`);
    return r.rows.map(toOverride);
  }

  async history(recordIds: readonly string[], limit = 100): Promise<Override[]> {
    await this.ensure();
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM idres_overrides WHERE a = ANY($1) OR b = ANY($1) ORDER BY id DESC LIMIT $2`, [recordIds, limit]);
    return r.rows.map(toOverride);
  }
}
