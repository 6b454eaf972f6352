import { describeSealing, hostService, openServiceContext, readBaseConfig, readSealer, runnerDeps, envString } from '@idres/runtime';
import { buildStandardizeApp } from './app';

const config = readBaseConfig(process.env, 'standardize');
const sealer = readSealer(process.env);
const ctx = await openServiceContext(config, process.env);
ctx.logger.info(describeSealing(sealer), 'sealed fields');
const dateLocale = envString(process.env, 'IDRES_DATE_LOCALE', 'US') === 'EU' ? 'EU' : 'US';
const app = buildStandardizeApp(runnerDeps(ctx), {
  standardize: { defaultCountry: envString(process.env, 'IDRES_DEFAULT_COUNTRY', 'US'), dateLocale },
  sealer,
});
await hostService(ctx, app);
