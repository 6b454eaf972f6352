import pg from 'pg';
import { hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildResolveApp } from './app';

const config = readBaseConfig(process.env, 'resolve');
const ctx = await openServiceContext(config, process.env);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 8 });
const app = buildResolveApp(runnerDeps(ctx), pool);
await hostService(ctx, app, [() => pool.end()]);
