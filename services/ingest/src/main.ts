import path from 'node:path';
import pg from 'pg';
import { PgTokenStore, authOptions, readAuthConfig, withAuth } from '@idres/auth';
import { envInt, envString, hostService, openServiceContext, readBaseConfig, readSealer } from '@idres/runtime';
import { JOBS_OPENAPI_COMPONENTS, JOBS_OPENAPI_PATHS, JobRunner, PgJobStore, jobRoutes } from '@idres/jobs';
import { parseSurvivorship } from '@idres/core/survivorship';
import { ERASURE_OPENAPI_PATHS, Eraser, KafkaErasureTopics, PgErasureLog, PgRedisRecordStores, erasureRoutes } from '@idres/erasure';
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_INFLIGHT_REQUESTS, buildIngestApp } from './app';

const config = readBaseConfig(process.env, 'ingest');
const auth = readAuthConfig(process.env);
const ctx = await openServiceContext(config, process.env);
// API tokens are read from Postgres, and jobs (packages/jobs) run here: they feed identity.raw like POST /records and keep their state in Postgres.
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 6 });
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
const store = new PgJobStore(pool);
const outputRoot = envString(process.env, 'IDRES_JOBS_DIR', path.join(process.env['IDRES_STACK_DIR'] || path.join(process.cwd(), '.stack'), 'jobs'));
const runner = new JobRunner({
  store, pool, kafka: ctx.kafka, producer: ctx.producer, serde: ctx.serde, logger: ctx.logger.child({ component: 'jobs' }),
  groupPrefix: config.groupPrefix, batchSize: envInt(process.env, 'IDRES_JOB_BATCH', 1000, 1), env: process.env,
  survivorship: parseSurvivorship(process.env['IDRES_SURVIVORSHIP']), sealer: readSealer(process.env),
});
// Erasure: tombstones through the same producer; whether the pipeline is done is read from resolve's tables.
const erasureLog = new PgErasureLog(pool);
const eraser = new Eraser({ log: erasureLog, topics: new KafkaErasureTopics({ kafka: ctx.kafka, producer: ctx.producer, serde: ctx.serde }), stores: new PgRedisRecordStores(pool) });
const app = buildIngestApp({
  producer: ctx.producer, serde: ctx.serde, metrics: ctx.metrics, logger: ctx.logger,
  maxRecordsPerRequest: envInt(process.env, 'IDRES_MAX_RECORDS_PER_REQUEST', 10_000, 1),
  maxInflightRequests: envInt(process.env, 'IDRES_INGEST_MAX_INFLIGHT', DEFAULT_MAX_INFLIGHT_REQUESTS, 1),
  bodyLimit: envInt(process.env, 'IDRES_INGEST_BODY_LIMIT', DEFAULT_BODY_LIMIT, 1024),
  retryAfterSeconds: envInt(process.env, 'IDRES_INGEST_RETRY_AFTER', 1, 1),
  jobs: {
    routes: jobRoutes({ store, runner, outputRoot }),
    openapi: { paths: JOBS_OPENAPI_PATHS, components: JOBS_OPENAPI_COMPONENTS },
    start: () => runner.start(),
    stop: () => runner.stop(),
  },
  erasure: { routes: erasureRoutes({ eraser, log: erasureLog }), openapi: { paths: ERASURE_OPENAPI_PATHS } },
});
ctx.logger.info({ auth: auth.mode }, 'API authentication mode');
await hostService(ctx, withAuth(app, authOptions(auth, new PgTokenStore(pool), ctx.logger)), [() => pool.end()]);
