import { AuthError } from './authError';
import { DEFAULT_OPEN_PATHS, type AuthMode, type AuthPluginOptions } from './authPlugin';
import { SCOPES } from './scopes';
import type { TokenStore } from './tokenStore';

type Env = Readonly<Record<string, string | undefined>>;

export interface AuthConfig {
  mode: AuthMode;
  openPaths: readonly string[];
  pathScopes: Readonly<Record<string, string>>;
  cacheMs: number;
}

/**
 * IDRES_AUTH=required|auto|off. The default is `required` with NODE_ENV=production (the Docker image sets it)
 * and `auto` otherwise: a fresh local stack stays open until the first token exists, then requires one.
 * IDRES_AUTH_METRICS=token puts /metrics behind the metrics:read scope (it is open by default).
 */
export function readAuthConfig(env: Env): AuthConfig {
  const raw = env['IDRES_AUTH'] ?? (env['NODE_ENV'] === 'production' ? 'required' : 'auto');
  if (raw !== 'required' && raw !== 'auto' && raw !== 'off') throw new AuthError('AUTH_CONFIG_INVALID', `IDRES_AUTH must be required, auto or off, got "${raw}"`);
  const metrics = env['IDRES_AUTH_METRICS'] ?? 'open';
  if (metrics !== 'open' && metrics !== 'token') throw new AuthError('AUTH_CONFIG_INVALID', `IDRES_AUTH_METRICS must be open or token, got "${metrics}"`);
  const cacheMs = Number(env['IDRES_AUTH_CACHE_MS'] ?? 2000);
  if (!Number.isInteger(cacheMs) || cacheMs < 0) throw new AuthError('AUTH_CONFIG_INVALID', `IDRES_AUTH_CACHE_MS must be a whole number of milliseconds`);
  return metrics === 'open'
    ? { mode: raw, openPaths: DEFAULT_OPEN_PATHS, pathScopes: {}, cacheMs }
    : { mode: raw, openPaths: DEFAULT_OPEN_PATHS.filter((p) => p !== '/metrics'), pathScopes: { '/metrics': SCOPES.metricsRead }, cacheMs };
}

/** The plugin options a service's main.ts passes to withAuth. */
export function authOptions(config: AuthConfig, store: TokenStore, logger?: AuthPluginOptions['logger']): AuthPluginOptions {
  return { mode: config.mode, store, openPaths: config.openPaths, pathScopes: config.pathScopes, cacheMs: config.cacheMs, ...(logger ? { logger } : {}) };
}
