import pg from 'pg';
import { envInt, hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildResolveApp } from './app';
import { DEFAULT_MAX_COMPONENT_SIZE, DEFAULT_MAX_IDENTITY_SIZE } from './resolveStore';

const config = readBaseConfig(process.env, 'resolve');
const ctx = await openServiceContext(config, process.env);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 8 });
// An idle connection that the server closes (a Postgres restart) is an 'error' event: without a listener it
// would crash the service. The next query reconnects; a failing one is retried by the consumer runner.
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
// A checked-out client whose connection dies between queries (a Postgres restart mid-transaction) emits 'error'
// too (found by the chaos run: resolve crashed on pg_ctl stop -m fast); its pending or next query fails and is retried.
pool.on('connect', (client) => { client.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres connection error')); });
const app = buildResolveApp(runnerDeps(ctx), pool, {
  maxIdentitySize: envInt(process.env, 'IDRES_MAX_IDENTITY_SIZE', DEFAULT_MAX_IDENTITY_SIZE, 2),
  maxComponentSize: envInt(process.env, 'IDRES_MAX_COMPONENT_SIZE', DEFAULT_MAX_COMPONENT_SIZE, 2),
});
await hostService(ctx, app, [() => pool.end()]);
