import { hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { buildBlockApp } from './app';

const config = readBaseConfig(process.env, 'block');
const ctx = await openServiceContext(config, process.env);
await hostService(ctx, buildBlockApp(runnerDeps(ctx)));
