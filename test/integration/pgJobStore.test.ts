import { after } from 'node:test';
import pg from 'pg';
import { readBaseConfig } from '@idres/runtime';
import { PgJobStore } from '@idres/jobs';
import { jobStoreSuite } from '../../packages/jobs/test/jobStoreSuite';

const pool = new pg.Pool({ connectionString: readBaseConfig(process.env, 'test').databaseUrl, max: 4 });
after(() => pool.end());

jobStoreSuite('PgJobStore', async () => {
  const store = new PgJobStore(pool);
  await store.list(); // creates the tables
  await pool.query('TRUNCATE idres_jobs, idres_job_rejections');
  return store;
});
