import { after } from 'node:test';
import type pg from 'pg';
import { tokenStoreSuite } from '../../packages/auth/test/tokenStoreSuite';
import { testTokenStore } from './authStore';

const pools: pg.Pool[] = [];
after(async () => { for (const p of pools) await p.end(); });

tokenStoreSuite('PgTokenStore', async () => {
  const { store, pool } = await testTokenStore();
  pools.push(pool);
  return store;
});
