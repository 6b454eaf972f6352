import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServiceModel } from '@idres/models';
import { createRedis, describeSealing, envInt, hostService, openServiceContext, readBaseConfig, readSealer, runnerDeps } from '@idres/runtime';
import { buildMatchApp, DEFAULT_CACHE_RECORDS, DEFAULT_MEMBERSHIP_ENTRIES } from './app';

const config = readBaseConfig(process.env, 'match');
const sealer = readSealer(process.env);
const ctx = await openServiceContext(config, process.env);
ctx.logger.info(describeSealing(sealer), 'sealed fields');
const redis = createRedis(config.redisUrl, { maxRetriesPerRequest: 3 }, config.redisSecurity);
redis.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'redis connection error'));
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
// An idle connection that the server closes (a Postgres restart) is an 'error' event: without a listener it
// would crash the service. The next query reconnects; a failing one is retried by the consumer runner.
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
// A checked-out client whose connection dies between queries (a Postgres restart mid-transaction) emits 'error'
// too (found by the chaos run: resolve crashed on pg_ctl stop -m fast); its pending or next query fails and is retried.
pool.on('connect', (client) => { client.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres connection error')); });
// IDRES_MODEL pins a model file; without it match follows the active version in Postgres (stored by
// idres resolve and idres model train) and scores with the shipped default until there is one.
const thresholdEnv = process.env['IDRES_MATCH_THRESHOLD'];
const models = await startServiceModel({
  pool, defaultPath: fileURLToPath(new URL('../../../packages/core/models/default.json', import.meta.url)), pinnedPath: process.env['IDRES_MODEL'],
  threshold: thresholdEnv === undefined ? undefined : Number(thresholdEnv), pollMs: envInt(process.env, 'IDRES_MODEL_POLL_MS', 2000, 100),
  logger: ctx.logger, registry: ctx.metrics.registry,
});
const app = buildMatchApp(runnerDeps(ctx), redis, { models, blockCap: envInt(process.env, 'IDRES_BLOCK_CAP', 500, 1), cacheRecords: envInt(process.env, 'IDRES_MATCH_CACHE_RECORDS', DEFAULT_CACHE_RECORDS, 0),
  membershipEntries: envInt(process.env, 'IDRES_MATCH_MEMBERSHIP_ENTRIES', DEFAULT_MEMBERSHIP_ENTRIES, 0), sealer,
});
await hostService(ctx, app, [() => models.stop(), async () => { await redis.quit(); }, () => pool.end()]);
