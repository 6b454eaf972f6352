import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ANONYMOUS, principalHas, type Principal } from './tokens';
import { TokenGate } from './tokenGate';
import type { TokenStore } from './tokenStore';

/**
 * `required`: every route but the open ones needs a valid token. `off`: no checks (every caller has every scope).
 * `auto`: off until the first token is created in the store, then required for good (revoking all tokens does
 * not reopen the API). See docs/security.md for how the default is chosen.
 */
export type AuthMode = 'required' | 'auto' | 'off';

/** What a route declares in its `config.auth`: the scope it needs, or that it is open to anyone. */
export type RouteAuth = 'public' | { scope: string };

declare module 'fastify' {
  interface FastifyContextConfig { auth?: RouteAuth }
  interface FastifyRequest { principal: Principal | null }
}

export interface AuthPluginOptions {
  mode: AuthMode;
  store: TokenStore;
  /** Routes (as declared, e.g. `/health`) open without a token, besides those with `config.auth: 'public'`. */
  openPaths?: readonly string[];
  /** Scopes for routes that cannot declare their own (e.g. /metrics, served by the shared HTTP host). */
  pathScopes?: Readonly<Record<string, string>>;
  /** How long a checked token is trusted before the store is asked again (a revocation takes this long at most). */
  cacheMs?: number;
  logger?: { warn(obj: object, msg: string): void };
}

export const DEFAULT_OPEN_PATHS: readonly string[] = ['/health', '/ready', '/metrics', '/openapi.json'];
const NOBODY: Principal = Object.freeze({ tokenId: null, name: 'unauthenticated', scopes: new Set<string>(), allScopes: false });

/** The token of an `Authorization: Bearer ...` header, if that is what it holds. */
export function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

const plugin: FastifyPluginAsync<AuthPluginOptions> = async (http, opts) => {
  const open = new Set(opts.openPaths ?? DEFAULT_OPEN_PATHS);
  const gate = new TokenGate({ mode: opts.mode, store: opts.store, cacheMs: opts.cacheMs });

  const refuse = (reply: FastifyReply, status: 401 | 403 | 503, error: string, message: string): FastifyReply => {
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="idres"');
    if (status === 503) void reply.header('retry-after', '1');
    return reply.code(status).send({ error, message });
  };

  // Decorated up front so every request object has the same shape (Fastify's advice); set by the hook below.
  http.decorateRequest('principal', null);
  // onRequest: refused before the body is read, so an unauthenticated caller cannot make a service parse 16 MB.
  http.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const declared = req.routeOptions.config?.auth;
    const isOpen = declared === 'public' || (declared === undefined && req.routeOptions.url !== undefined && open.has(req.routeOptions.url));
    let on: boolean;
    try {
      on = await gate.enforced();
    } catch (err) {
      opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'token store unreachable; refusing with 503');
      if (isOpen) { req.principal = NOBODY; return; }
      return refuse(reply, 503, 'AUTH_UNAVAILABLE', 'tokens cannot be checked right now; retry');
    }
    if (!on) { req.principal = ANONYMOUS; return; }
    if (isOpen) { req.principal = NOBODY; return; }
    const token = bearer(req.headers.authorization);
    if (token === undefined) return refuse(reply, 401, 'UNAUTHENTICATED', 'this API needs a token: Authorization: Bearer idres_... (npx idres auth create)');
    let principal: Principal | undefined;
    try {
      principal = await gate.verify(token);
    } catch (err) {
      opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'token store unreachable; refusing with 503');
      return refuse(reply, 503, 'AUTH_UNAVAILABLE', 'tokens cannot be checked right now; retry');
    }
    if (!principal) return refuse(reply, 401, 'TOKEN_INVALID', 'the token is unknown, revoked or malformed');
    const scope = typeof declared === 'object' ? declared.scope : req.routeOptions.url === undefined ? undefined : opts.pathScopes?.[req.routeOptions.url];
    if (scope !== undefined && !principalHas(principal, scope)) return refuse(reply, 403, 'FORBIDDEN', `this token lacks the scope ${scope}`);
    req.principal = principal;
    return undefined;
  });
};

/**
 * Authentication and authorization for a Fastify server: register it before the routes. Each route says what it
 * needs in `config: { auth: { scope: 'records:write' } }` (or `auth: 'public'`); a route that declares nothing
 * needs a valid token of any scope, so forgetting to declare fails closed. Handlers read `req.principal`.
 */
export const authPlugin = fp(plugin, { name: 'idres-auth', fastify: '5.x' });

/** Wraps a service app's routes so the auth plugin is mounted on its server first. */
export function withAuth<A extends { routes?(http: FastifyInstance): void }>(app: A, opts: AuthPluginOptions): A {
  return {
    ...app,
    routes: (http: FastifyInstance) => {
      void http.register(authPlugin, opts);
      app.routes?.(http);
    },
  };
}

/** Whether the caller of this request holds a scope (always true when auth is off). */
export function requestHas(req: FastifyRequest, scope: string): boolean {
  return principalHas(req.principal ?? NOBODY, scope);
}
