import { envInt, hostService, openServiceContext, readBaseConfig } from '@idres/runtime';
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_INFLIGHT_REQUESTS, buildIngestApp } from './app';

const config = readBaseConfig(process.env, 'ingest');
const ctx = await openServiceContext(config, process.env);
const app = buildIngestApp({
  producer: ctx.producer, serde: ctx.serde, metrics: ctx.metrics, logger: ctx.logger,
  maxRecordsPerRequest: envInt(process.env, 'IDRES_MAX_RECORDS_PER_REQUEST', 10_000, 1),
  maxInflightRequests: envInt(process.env, 'IDRES_INGEST_MAX_INFLIGHT', DEFAULT_MAX_INFLIGHT_REQUESTS, 1),
  bodyLimit: envInt(process.env, 'IDRES_INGEST_BODY_LIMIT', DEFAULT_BODY_LIMIT, 1024),
  retryAfterSeconds: envInt(process.env, 'IDRES_INGEST_RETRY_AFTER', 1, 1),
});
await hostService(ctx, app);
