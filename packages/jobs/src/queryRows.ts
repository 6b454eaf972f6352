import type pg from 'pg';
import QueryStream from 'pg-query-stream';

/** Rows of a query through a server-side cursor, `batchSize` at a time: memory stays bounded whatever the result. */
export async function* queryRows<T>(pool: pg.Pool, sql: string, params: unknown[], batchSize = 1000): AsyncGenerator<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const stream = client.query(new QueryStream(sql, params, { batchSize }));
    try {
      for await (const row of stream) yield row as T;
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      stream.destroy();
    }
  } finally {
    client.release(broken);
  }
}

/** Whether a table exists (another branch's tables, e.g. households, may not). */
export async function tableExists(pool: pg.Pool, name: string): Promise<boolean> {
  const r = await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return r.rows[0]?.t != null;
}
