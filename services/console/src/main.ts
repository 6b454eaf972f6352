import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PgTokenStore, TokenGate, readAuthConfig } from '@idres/auth';
import { PgJobStore } from '@idres/jobs';
import { ConnectClient, PgSourceStore } from '@idres/sources';
import type { ModelJson } from '@idres/core';
import { OverrideDesk, PgOverrideStore } from '@idres/overrides';
import { describeSealing, envString, hostService, openServiceContext, readBaseConfig, readSealer, servicePorts } from '@idres/runtime';
import { buildConsoleApp } from './app';
import { tokenAccess } from './consoleAuth';
import { ConsoleQueries } from './consoleQueries';
import { LookupClient } from './lookupClient';

const config = readBaseConfig(process.env, 'console');
const authConfig = readAuthConfig(process.env);
const ports = servicePorts(process.env);
const urlOf = (name: string): string => envString(process.env, `IDRES_${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}`);
const sealer = readSealer(process.env);
const ctx = await openServiceContext(config, process.env);
ctx.logger.info(describeSealing(sealer), 'sealed fields');
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
pool.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres idle connection error'));
pool.on('connect', (client) => { client.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'postgres connection error')); });
const admin = ctx.kafka.admin();
await admin.connect();
const defaultThreshold = (JSON.parse(readFileSync(new URL('../../../packages/core/models/default.json', import.meta.url), 'utf8')) as ModelJson).threshold;
// The threshold match scores with right now (it follows the active model); the shipped default if match is down.
const threshold = async (): Promise<number> => {
  try {
    const res = await fetch(`${urlOf('match')}/model`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { threshold?: unknown };
    return typeof body.threshold === 'number' ? body.threshold : defaultThreshold;
  } catch {
    return defaultThreshold;
  }
};
// The console reads identities through the lookup API, which needs a token once authentication is on: IDRES_CONSOLE_TOKEN,
// else the local demo's token (.stack/api-token). Its own users sign in with their API tokens, under the same
// IDRES_AUTH rules as the APIs; what they see (national IDs) and may do (review) follows their token's scopes.
const localToken = path.join(process.env['IDRES_STACK_DIR'] || fileURLToPath(new URL('../../../.stack/', import.meta.url)), 'api-token');
const lookupToken = (): string | undefined => {
  if (process.env['IDRES_CONSOLE_TOKEN']) return process.env['IDRES_CONSOLE_TOKEN'];
  try {
    return existsSync(localToken) ? readFileSync(localToken, 'utf8').trim() || undefined : undefined;
  } catch {
    return undefined;
  }
};
const app = buildConsoleApp({
  sealer,
  groupPrefix: ctx.config.groupPrefix,
  queries: new ConsoleQueries(pool),
  lookup: new LookupClient(urlOf('publish'), 5000, lookupToken),
  desk: new OverrideDesk({ store: new PgOverrideStore(pool), producer: ctx.producer, serde: ctx.serde }),
  admin,
  services: ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish'].map((name) => ({ name, url: urlOf(name) })),
  threshold,
  auth: tokenAccess(new TokenGate({ mode: authConfig.mode, store: new PgTokenStore(pool), cacheMs: authConfig.cacheMs })),
  jobs: new PgJobStore(pool),
  // A short timeout: the page is polled every 2 s and a hung Connect must not hold it.
  sources: { store: new PgSourceStore(pool), connect: new ConnectClient(envString(process.env, 'KAFKA_CONNECT_URL', 'http://127.0.0.1:8083'), 1500) },
});
ctx.logger.info({ auth: authConfig.mode }, 'console authentication mode');
await hostService(ctx, app, [() => admin.disconnect(), () => pool.end()]);
