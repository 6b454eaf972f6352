import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { RecordHoldings, RecordStores } from './eraser';

/**
 * Reads what resolve's tables (Postgres) and block state (Redis, when given) still hold of a record. Services
 * without Redis (ingest) check Postgres only; block removes Redis state before resolve sees the delete.
 */
export class PgRedisRecordStores implements RecordStores {
  constructor(private readonly pool: pg.Pool, private readonly redis?: Redis, private readonly redisPrefix = 'idres:') {}

  async holdings(recordId: string): Promise<RecordHoldings> {
    const rec = await this.pool.query<{ version: string; deleted: boolean; has_values: boolean }>(
      `SELECT version, deleted, values <> '{}'::jsonb AS has_values FROM idres_records WHERE record_id = $1`, [recordId],
    ).catch((err: Error & { code?: string }) => {
      if (err.code === '42P01') return { rows: [] }; // resolve has never run here
      throw err;
    });
    const edges = rec.rows.length === 0 ? 0 : Number((await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM idres_edges WHERE a = $1 OR b = $1', [recordId],
    )).rows[0]!.n);
    const r = rec.rows[0];
    const redis = this.redis ? (await this.redis.exists(`${this.redisPrefix}r:${recordId}`, `${this.redisPrefix}rv:${recordId}`)) > 0 : undefined;
    return { resolve: r && { version: Number(r.version), deleted: r.deleted, hasValues: r.has_values }, edges, redis };
  }
}
