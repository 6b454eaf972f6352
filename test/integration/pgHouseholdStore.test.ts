import { after } from 'node:test';
import pg from 'pg';
import { readBaseConfig } from '@idres/runtime';
import { HOUSEHOLD_TABLES, PgHouseholdStore } from '@idres/households';
import { householdStoreSuite } from '../../packages/households/test/householdStoreSuite';

const pool = new pg.Pool({ connectionString: readBaseConfig(process.env, 'test').databaseUrl, max: 2 });
after(() => pool.end());

householdStoreSuite('PgHouseholdStore', async () => {
  const store = new PgHouseholdStore(pool);
  await store.migrate();
  await pool.query(`TRUNCATE ${HOUSEHOLD_TABLES.join(', ')}`);
  return store;
});
