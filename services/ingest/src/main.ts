import pg from 'pg';
import { PgTokenStore, authOptions, readAuthConfig, withAuth } from '@idres/auth';
import { envInt, hostService, openServiceContext, readBaseConfig } from '@idres/runtime';
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_INFLIGHT_REQUESTS, buildIngestApp } from './app';

const config = readBaseConfig(process.env, 'ingest');
const auth = readAuthConfig(process.env);
const ctx = await openServiceContext(config, process.env);
// Only API tokens are read from Postgres here; one or two connections are plenty.
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
const app = buildIngestApp({
  producer: ctx.producer, serde: ctx.serde, metrics: ctx.metrics, logger: ctx.logger,
  maxRecordsPerRequest: envInt(process.env, 'IDRES_MAX_RECORDS_PER_REQUEST', 10_000, 1),
  maxInflightRequests: envInt(process.env, 'IDRES_INGEST_MAX_INFLIGHT', DEFAULT_MAX_INFLIGHT_REQUESTS, 1),
  bodyLimit: envInt(process.env, 'IDRES_INGEST_BODY_LIMIT', DEFAULT_BODY_LIMIT, 1024),
  retryAfterSeconds: envInt(process.env, 'IDRES_INGEST_RETRY_AFTER', 1, 1),
});
ctx.logger.info({ auth: auth.mode }, 'API authentication mode');
await hostService(ctx, withAuth(app, authOptions(auth, new PgTokenStore(pool), ctx.logger)), [() => pool.end()]);
