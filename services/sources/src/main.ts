import pg from 'pg';
import { envInt, envString, hostService, openServiceContext, readBaseConfig, runnerDeps } from '@idres/runtime';
import { ConnectClient, DEFAULT_STALL_RULES, PgSourceStore } from '@idres/sources';
import { buildSourcesApp } from './app';

// Port: HTTP_PORT, else servicePorts(): 7109, or IDRES_SERVICE_PORT_BASE + 9.
const env = process.env;
const config = readBaseConfig(env, 'sources');
const ctx = await openServiceContext(config, env);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
pool.on('error', (err) => ctx.logger.warn({ err: err.message }, 'postgres pool error'));
const app = buildSourcesApp({
  ...runnerDeps(ctx),
  store: new PgSourceStore(pool),
  connect: new ConnectClient(envString(env, 'KAFKA_CONNECT_URL', 'http://127.0.0.1:8083')),
  pollMs: envInt(env, 'IDRES_SOURCES_POLL_MS', 5000, 100),
  healthMs: envInt(env, 'IDRES_SOURCES_HEALTH_MS', 15_000, 100),
  stallRules: {
    lagBytes: envInt(env, 'IDRES_SOURCE_STALL_BYTES', DEFAULT_STALL_RULES.lagBytes, 0),
    idleSeconds: envInt(env, 'IDRES_SOURCE_STALL_SECONDS', DEFAULT_STALL_RULES.idleSeconds, 1),
  },
});
await hostService(ctx, app, [() => pool.end()]);
