import { Redis } from 'ioredis';
import { hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildBlockApp } from './app';

const config = readBaseConfig(process.env, 'block');
const ctx = await openServiceContext(config, process.env);
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
redis.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'redis connection error'));
await hostService(ctx, buildBlockApp(runnerDeps(ctx), redis), [async () => { await redis.quit(); }]);
