import pg from 'pg';
import { PgHouseholdStore } from '@idres/households';
import { hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildHouseholdsApp } from './app';
import { PgIdentitySource } from './identitySource';

const config = readBaseConfig(process.env, 'households');
const ctx = await openServiceContext(config, process.env);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
// As in publish: a connection the server closes is an 'error' event; the next query reconnects, a failing one is retried.
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
pool.on('connect', (client) => { client.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres connection error')); });
const store = new PgHouseholdStore(pool);
await store.migrate();
await hostService(ctx, buildHouseholdsApp(runnerDeps(ctx), store, new PgIdentitySource(pool)), [() => pool.end()]);
