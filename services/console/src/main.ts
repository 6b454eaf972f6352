import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ModelJson } from '@idres/core';
import { OverrideDesk, PgOverrideStore } from '@idres/overrides';
import { envString, hostService, openServiceContext, readBaseConfig, runnerDeps, servicePorts } from '@idres/runtime';
import { buildConsoleApp } from './app';
import { ConsoleQueries } from './consoleQueries';
import { LookupClient } from './lookupClient';

const config = readBaseConfig(process.env, 'console');
const ports = servicePorts(process.env);
const urlOf = (name: string): string => envString(process.env, `IDRES_${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}`);
const ctx = await openServiceContext(config, process.env);
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
// else the local demo's token (.stack/api-token). The console itself has no login yet and listens on HTTP_HOST
// (127.0.0.1 by default): do not expose it beyond the machine until it has one.
const localToken = path.join(process.env['IDRES_STACK_DIR'] || fileURLToPath(new URL('../../../.stack/', import.meta.url)), 'api-token');
const lookupToken = process.env['IDRES_CONSOLE_TOKEN'] || (existsSync(localToken) ? readFileSync(localToken, 'utf8').trim() : undefined);
const app = buildConsoleApp({
  runner: runnerDeps(ctx),
  queries: new ConsoleQueries(pool),
  lookup: new LookupClient(urlOf('publish'), 5000, lookupToken),
  desk: new OverrideDesk({ store: new PgOverrideStore(pool), producer: ctx.producer, serde: ctx.serde }),
  admin,
  services: ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish'].map((name) => ({ name, url: urlOf(name) })),
  threshold,
  // Authentication plugs in here (auth: a ConsoleAuth) once the security work provides it; until then: noAuth.
});
await hostService(ctx, app, [() => admin.disconnect(), () => pool.end()]);
