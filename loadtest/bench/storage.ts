import pg from 'pg';
import { createRedis } from '@idres/runtime';

const TABLES = ['idres_records', 'idres_clusters', 'idres_edges', 'idres_outbox'] as const;

export interface PostgresUsage {
  bytes: number;
  tables: Record<string, { bytes: number; rows: number }>;
}

/** pg_total_relation_size (heap + indexes + TOAST) and row count of resolve's tables. */
export async function postgresUsage(databaseUrl: string): Promise<PostgresUsage> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables: PostgresUsage['tables'] = {};
    let bytes = 0;
    for (const t of TABLES) {
      const exists = await client.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [t]);
      if (!exists.rows[0]?.r) continue;
      const size = await client.query<{ b: string }>('SELECT pg_total_relation_size($1::regclass)::text AS b', [t]);
      const rows = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t}`);
      const b = Number(size.rows[0]?.b ?? 0);
      tables[t] = { bytes: b, rows: Number(rows.rows[0]?.n ?? 0) };
      bytes += b;
    }
    return { bytes, tables };
  } finally {
    await client.end();
  }
}

export interface RedisUsage {
  usedMemory: number;
  keys: number;
}

/** INFO memory used_memory and DBSIZE. */
export async function redisUsage(redisUrl: string): Promise<RedisUsage> {
  const redis = createRedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    const info = await redis.info('memory');
    const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
    const keys = await redis.dbsize();
    return { usedMemory: used, keys };
  } finally {
    redis.disconnect();
  }
}
