import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServiceModel } from '@idres/models';
import { createRedis, envInt, hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildBlockApp } from './app';

const config = readBaseConfig(process.env, 'block');
const ctx = await openServiceContext(config, process.env);
const redis = createRedis(config.redisUrl, { maxRetriesPerRequest: 3 }, config.redisSecurity);
redis.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'redis connection error'));
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
// An idle connection that the server closes (a Postgres restart) is an 'error' event: without a listener it
// would crash the service. The next query reconnects; a failing one is retried by the consumer runner.
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
// A checked-out client whose connection dies between queries (a Postgres restart mid-transaction) emits 'error'
// too (found by the chaos run: resolve crashed on pg_ctl stop -m fast); its pending or next query fails and is retried.
pool.on('connect', (client) => { client.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres connection error')); });
// Blocking rules are part of the model (a model trained on a file may add rules for the fields it has), so
// block follows the same active version as match.
const models = await startServiceModel({
  pool, defaultPath: fileURLToPath(new URL('../../../packages/core/models/default.json', import.meta.url)), pinnedPath: process.env['IDRES_MODEL'],
  pollMs: envInt(process.env, 'IDRES_MODEL_POLL_MS', 2000, 100), logger: ctx.logger, registry: ctx.metrics.registry,
});
await hostService(ctx, buildBlockApp(runnerDeps(ctx), redis, { models, blockCap: envInt(process.env, 'IDRES_BLOCK_CAP', 500, 1) }), [() => models.stop(), async () => { await redis.quit(); }, () => pool.end()]);
