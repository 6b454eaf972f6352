import type pg from 'pg';

/**
 * A job's records in resolve's table: IDs `source:...` (a range scan of the primary key, which compares bytes),
 * written since the job was created (ingested_at is the Kafka timestamp of the record's current version).
 */
export function sourceRange(source: string): [string, string] {
  // ';' is the byte after ':', so [source:, source;) holds exactly the IDs of this source.
  return [`${source}:`, `${source};`];
}

/** How many of the job's records have a master ID now. */
export async function resolvedCount(pool: pg.Pool, source: string, sinceMs: number): Promise<number> {
  const [lo, hi] = sourceRange(source);
  const r = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM idres_records WHERE record_id >= $1 AND record_id < $2 AND ingested_at >= $3 AND cluster_id IS NOT NULL AND NOT deleted`,
    [lo, hi, sinceMs],
  ).catch((err: Error & { code?: string }) => {
    if (err.code === '42P01') return { rows: [{ n: '0' }] }; // resolve has not created its tables yet
    throw err;
  });
  return Number(r.rows[0]?.n ?? 0);
}
