import type pg from 'pg';

/**
 * Runs a store's schema SQL (CREATE ... IF NOT EXISTS) holding the advisory lock `lockKey`: several services start
 * at once, and concurrent CREATE ... IF NOT EXISTS of one table can fail on its catalog entries.
 */
export async function createSchema(pool: pg.Pool, lockKey: number, sql: string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [lockKey]);
    await c.query(sql);
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
    c.release();
  }
}

/**
 * createSchema at most once per process: the first call runs it, later calls share its promise; after a failure
 * (Postgres down) the next call tries again.
 */
export function schemaOnce(pool: pg.Pool, lockKey: number, sql: string): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= createSchema(pool, lockKey, sql).catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };
}
