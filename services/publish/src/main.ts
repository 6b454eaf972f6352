import pg from 'pg';
import { hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildPublishApp } from './app';

const config = readBaseConfig(process.env, 'publish');
const ctx = await openServiceContext(config, process.env);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
await hostService(ctx, buildPublishApp(runnerDeps(ctx), pool), [() => pool.end()]);
