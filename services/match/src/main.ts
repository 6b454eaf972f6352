import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Gauge } from 'prom-client';
import type { ModelJson } from '@idres/core';
import { ActiveModel, PgModelStore, type CurrentModel } from '@idres/models';
import { envInt, envString, hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildMatchApp, DEFAULT_CACHE_RECORDS } from './app';

const config = readBaseConfig(process.env, 'match');
const DEFAULT_MODEL = fileURLToPath(new URL('../../../packages/core/models/default.json', import.meta.url));
// IDRES_MODEL pins a model file; without it match follows the active version in Postgres (idres model train /
// idres resolve store one) and scores with the shipped default until there is one.
const pinnedPath = process.env['IDRES_MODEL'];
const modelPath = envString(process.env, 'IDRES_MODEL', DEFAULT_MODEL);
const thresholdEnv = process.env['IDRES_MATCH_THRESHOLD'];
const ctx = await openServiceContext(config, process.env);
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
redis.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'redis connection error'));
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
const modelVersion = new Gauge({ name: 'idres_match_model_version', help: 'Stored model version match scores with (0: the default or a pinned file)', labelNames: ['kind'], registers: [ctx.metrics.registry] });
const announce = (c: CurrentModel): void => {
  modelVersion.reset();
  modelVersion.set({ kind: c.provenance.kind }, c.version ?? 0);
  if (c.version === undefined && c.provenance.kind === 'default') {
    ctx.logger.warn({ threshold: c.threshold }, 'no trained model yet: scoring with the default model (train one: npx idres model train)');
  } else {
    ctx.logger.info({ version: c.version ?? null, kind: c.provenance.kind, threshold: c.threshold }, 'scoring with model');
  }
};
const models = new ActiveModel(new PgModelStore(pool), {
  fallback: {
    json: JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson,
    provenance: pinnedPath ? { kind: 'file', description: 'IDRES_MODEL' } : { kind: 'default', description: 'packages/core/models/default.json' },
  },
  pinned: pinnedPath !== undefined,
  ...(thresholdEnv !== undefined ? { threshold: Number(thresholdEnv) } : {}),
  pollMs: envInt(process.env, 'IDRES_MODEL_POLL_MS', 2000, 100),
  onChange: (c) => announce(c),
  onError: (err) => ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the active model; keeping the current one'),
});
await models.start();
if (models.current().version === undefined) announce(models.current());
const app = buildMatchApp(runnerDeps(ctx), redis, { models, blockCap: envInt(process.env, 'IDRES_BLOCK_CAP', 500, 1), cacheRecords: envInt(process.env, 'IDRES_MATCH_CACHE_RECORDS', DEFAULT_CACHE_RECORDS, 0) });
await hostService(ctx, app, [() => models.stop(), async () => { await redis.quit(); }, () => pool.end()]);
