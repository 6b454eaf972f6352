import { hostService, openServiceContext, readBaseConfig, runnerDeps, envString } from '@idres/runtime';
import { buildStandardizeApp } from './app';

const config = readBaseConfig(process.env, 'standardize');
const ctx = await openServiceContext(config, process.env);
const dateLocale = envString(process.env, 'IDRES_DATE_LOCALE', 'US') === 'EU' ? 'EU' : 'US';
const app = buildStandardizeApp(runnerDeps(ctx), {
  standardize: { defaultCountry: envString(process.env, 'IDRES_DEFAULT_COUNTRY', 'US'), dateLocale },
});
await hostService(ctx, app);
