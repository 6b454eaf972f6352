import { describeSealing, hostService, openServiceContext, readBaseConfig, readSealer, runnerDeps, standardizeOptionsFrom } from '@idres/runtime';
import { buildStandardizeApp } from './app';

const config = readBaseConfig(process.env, 'standardize');
const sealer = readSealer(process.env);
const ctx = await openServiceContext(config, process.env);
ctx.logger.info(describeSealing(sealer), 'sealed fields');
const app = buildStandardizeApp(runnerDeps(ctx), {
  standardize: standardizeOptionsFrom(process.env),
  sealer,
});
await hostService(ctx, app);
