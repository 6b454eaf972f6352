import { after } from 'node:test';
import pg from 'pg';
import { readBaseConfig } from '@idres/runtime';
import { PgOverrideStore } from '@idres/overrides';
import { overrideStoreSuite } from '../../packages/overrides/test/overrideStoreSuite';

const pool = new pg.Pool({ connectionString: readBaseConfig(process.env, 'test').databaseUrl, max: 2 });
after(() => pool.end());

overrideStoreSuite('PgOverrideStore', async () => {
  const store = new PgOverrideStore(pool);
  await store.active(); // creates the table
  await pool.query('TRUNCATE idres_overrides RESTART IDENTITY');
  return store;
});
