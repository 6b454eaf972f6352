import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadModel } from '@idres/core';
import { envFloat, envInt, envString, hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildMatchApp, DEFAULT_CACHE_RECORDS } from './app';

const config = readBaseConfig(process.env, 'match');
const modelPath = envString(process.env, 'IDRES_MODEL', fileURLToPath(new URL('../../../packages/core/models/default.json', import.meta.url)));
const model = loadModel(JSON.parse(readFileSync(modelPath, 'utf8')));
const threshold = envFloat(process.env, 'IDRES_MATCH_THRESHOLD', model.threshold);
const ctx = await openServiceContext(config, process.env);
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
redis.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'redis connection error'));
ctx.logger.info({ modelPath, threshold }, 'model loaded');
const app = buildMatchApp(runnerDeps(ctx), redis, { model, threshold, blockCap: envInt(process.env, 'IDRES_BLOCK_CAP', 500, 1), cacheRecords: envInt(process.env, 'IDRES_MATCH_CACHE_RECORDS', DEFAULT_CACHE_RECORDS, 0) });
await hostService(ctx, app, [async () => { await redis.quit(); }]);
