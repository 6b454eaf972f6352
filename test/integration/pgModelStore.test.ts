import { readFileSync } from 'node:fs';
import { after } from 'node:test';
import pg from 'pg';
import type { ModelJson } from '@idres/core';
import { readBaseConfig } from '@idres/runtime';
import { PgModelStore } from '@idres/models';
import { modelStoreSuite } from '../../packages/models/test/modelStoreSuite';

const pool = new pg.Pool({ connectionString: readBaseConfig(process.env, 'test').databaseUrl, max: 2 });
after(() => pool.end());
const model = JSON.parse(readFileSync(new URL('../../packages/core/models/default.json', import.meta.url), 'utf8')) as ModelJson;

modelStoreSuite('PgModelStore', async () => {
  const store = new PgModelStore(pool);
  await store.list(); // creates the table
  await pool.query('TRUNCATE idres_models RESTART IDENTITY');
  return store;
}, model);
