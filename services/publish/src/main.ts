import pg from 'pg';
import { PgTokenStore, authOptions, readAuthConfig, withAuth } from '@idres/auth';
import { parseSurvivorship } from '@idres/core/survivorship';
import { PgHouseholdStore } from '@idres/households';
import { describeSealing, hostService, openServiceContext, readBaseConfig, readSealer, runnerDeps } from '@idres/runtime';
import { buildPublishApp } from './app';

const config = readBaseConfig(process.env, 'publish');
const auth = readAuthConfig(process.env);
// Golden-record rules per field, e.g. IDRES_SURVIVORSHIP='{"phone":"most_frequent"}' (most_frequent | most_recent | most_complete).
const survivorship = parseSurvivorship(process.env['IDRES_SURVIVORSHIP']);
const sealer = readSealer(process.env);
const ctx = await openServiceContext(config, process.env);
ctx.logger.info(describeSealing(sealer), 'sealed fields');
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
// An idle connection that the server closes (a Postgres restart) is an 'error' event: without a listener it
// would crash the service. The next query reconnects; a failing one is retried by the consumer runner.
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
// A checked-out client whose connection dies between queries (a Postgres restart mid-transaction) emits 'error'
// too (found by the chaos run: resolve crashed on pg_ctl stop -m fast); its pending or next query fails and is retried.
pool.on('connect', (client) => { client.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres connection error')); });
// Households are the households service's state; publish reads them (and creates the tables if it starts first).
const households = new PgHouseholdStore(pool);
await households.migrate();
ctx.logger.info({ auth: auth.mode }, 'API authentication mode');
const app = withAuth(buildPublishApp(runnerDeps(ctx), pool, survivorship, households, { sealer }), authOptions(auth, new PgTokenStore(pool), ctx.logger));
await hostService(ctx, app, [() => pool.end()]);
