import pg from 'pg';
import { parseSurvivorship } from '@idres/core/survivorship';
import { hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildPublishApp } from './app';

const config = readBaseConfig(process.env, 'publish');
// Golden-record rules per field, e.g. IDRES_SURVIVORSHIP='{"phone":"most_frequent"}' (most_frequent | most_recent | most_complete).
const survivorship = parseSurvivorship(process.env['IDRES_SURVIVORSHIP']);
const ctx = await openServiceContext(config, process.env);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
await hostService(ctx, buildPublishApp(runnerDeps(ctx), pool, survivorship), [() => pool.end()]);
