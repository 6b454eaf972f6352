import { envInt, hostService, openServiceContext, readBaseConfig } from '@idres/runtime';
import { buildIngestApp } from './app';

const config = readBaseConfig(process.env, 'ingest');
const ctx = await openServiceContext(config, process.env);
const app = buildIngestApp({ producer: ctx.producer, serde: ctx.serde, metrics: ctx.metrics, maxRecordsPerRequest: envInt(process.env, 'IDRES_MAX_RECORDS_PER_REQUEST', 10_000, 1) });
await hostService(ctx, app);
