import { after } from 'node:test';
import pg from 'pg';
import { PgSourceStore } from '@idres/sources';
import { sourceStoreSuite } from '../../packages/sources/test/sourceStoreSuite';

// Each test gets an empty table of its own schema, so the suite never meets a real deployment's sources.
const pools: pg.Pool[] = [];
const url = process.env['DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres';
let n = 0;

sourceStoreSuite('PgSourceStore', async () => {
  const schema = `idres_sources_test_${process.pid}_${n++}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  pools.push(pool);
  return new PgSourceStore(pool);
});

after(async () => {
  for (const p of pools) {
    const schema = (await p.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
    await p.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await p.end();
  }
});
