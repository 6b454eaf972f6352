// The plugin on a bare Fastify server with an in-memory store: modes, open paths, 401/403, fail-closed routes.
// The services' routes are tested with the real Postgres store in test/integration/apiAuth.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { authPlugin, requestHas, type AuthMode } from '../src/authPlugin';
import { InMemoryTokenStore } from '../src/inMemoryTokenStore';
import { issueToken } from '../src/tokens';
import type { TokenStore } from '../src/tokenStore';

async function server(mode: AuthMode, store: TokenStore, extra: { pathScopes?: Record<string, string>; openPaths?: string[] } = {}): Promise<FastifyInstance> {
  const http = Fastify();
  await http.register(authPlugin, { mode, store, cacheMs: 0, ...extra });
  http.get('/health', async () => ({ ok: true }));
  http.get('/metrics', async () => 'm');
  http.get('/read', { config: { auth: { scope: 'identities:read' } } }, async (req) => ({ clear: requestHas(req, 'national_id:read') }));
  http.post('/write', { config: { auth: { scope: 'records:write' } } }, async () => ({ written: true }));
  http.get('/undeclared', async () => ({ reached: true }));
  http.get('/docs', { config: { auth: 'public' } }, async () => ({ docs: true }));
  await http.ready();
  return http;
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

test('required: 401 without or with a bad token, 403 with the wrong scope, 200 with the right one; open paths stay open', async () => {
  const store = new InMemoryTokenStore();
  const reader = await issueToken(store, { name: 'r', scopes: ['identities:read'] });
  const http = await server('required', store);
  const none = await http.inject({ method: 'GET', url: '/read' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().error, 'UNAUTHENTICATED');
  assert.match(String(none.headers['www-authenticate']), /^Bearer/);
  assert.equal((await http.inject({ method: 'GET', url: '/read', headers: bearer(`${reader.token}x`) })).json().error, 'TOKEN_INVALID');
  assert.equal((await http.inject({ method: 'GET', url: '/read', headers: { authorization: reader.token } })).statusCode, 401, 'the Bearer scheme is needed');
  const ok = await http.inject({ method: 'GET', url: '/read', headers: bearer(reader.token) });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { clear: false });
  const wrong = await http.inject({ method: 'POST', url: '/write', headers: bearer(reader.token) });
  assert.equal(wrong.statusCode, 403);
  assert.equal(wrong.json().error, 'FORBIDDEN');
  for (const url of ['/health', '/metrics', '/docs']) assert.equal((await http.inject({ method: 'GET', url })).statusCode, 200, url);
  assert.equal((await http.inject({ method: 'GET', url: '/undeclared' })).statusCode, 401, 'a route without a declared scope fails closed');
  assert.equal((await http.inject({ method: 'GET', url: '/undeclared', headers: bearer(reader.token) })).statusCode, 200);
  assert.equal((await http.inject({ method: 'GET', url: '/no-such-route' })).statusCode, 401, 'unknown paths say nothing before authentication');
  await store.revoke(reader.summary.id);
  assert.equal((await http.inject({ method: 'GET', url: '/read', headers: bearer(reader.token) })).statusCode, 401, 'revocation holds (cache off)');
  await http.close();
});

test('required with no token in the store refuses everything but the open paths', async () => {
  const http = await server('required', new InMemoryTokenStore());
  assert.equal((await http.inject({ method: 'GET', url: '/read' })).statusCode, 401);
  assert.equal((await http.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  await http.close();
});

test('auto: open (every scope) until the first token exists, then required, and still so after revoking it', async () => {
  const store = new InMemoryTokenStore();
  const http = await server('auto', store);
  const open = await http.inject({ method: 'GET', url: '/read' });
  assert.equal(open.statusCode, 200);
  assert.deepEqual(open.json(), { clear: true }, 'auth off grants every scope');
  const t = await issueToken(store, { name: 'w', scopes: ['records:write'] });
  assert.equal((await http.inject({ method: 'GET', url: '/read' })).statusCode, 401);
  assert.equal((await http.inject({ method: 'POST', url: '/write', headers: bearer(t.token) })).statusCode, 200);
  await store.revoke(t.summary.id);
  assert.equal((await http.inject({ method: 'POST', url: '/write' })).statusCode, 401, 'revoking the last token does not reopen the API');
  await http.close();
});

test('off: nothing is checked', async () => {
  const store = new InMemoryTokenStore();
  await issueToken(store, { name: 'x', scopes: ['records:write'] });
  const http = await server('off', store);
  assert.equal((await http.inject({ method: 'POST', url: '/write' })).statusCode, 200);
  await http.close();
});

test('pathScopes: /metrics behind metrics:read when it is not open', async () => {
  const store = new InMemoryTokenStore();
  const m = await issueToken(store, { name: 'prom', scopes: ['metrics:read'] });
  const r = await issueToken(store, { name: 'r', scopes: ['identities:read'] });
  const http = await server('required', store, { openPaths: ['/health'], pathScopes: { '/metrics': 'metrics:read' } });
  assert.equal((await http.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  assert.equal((await http.inject({ method: 'GET', url: '/metrics', headers: bearer(r.token) })).statusCode, 403);
  assert.equal((await http.inject({ method: 'GET', url: '/metrics', headers: bearer(m.token) })).statusCode, 200);
  await http.close();
});

test('a store that fails answers 503 AUTH_UNAVAILABLE, never lets the request through', async () => {
  const store = new InMemoryTokenStore();
  const t = await issueToken(store, { name: 'r', scopes: ['identities:read'] });
  const broken: TokenStore = { ...store, insert: store.insert.bind(store), list: store.list.bind(store), revoke: store.revoke.bind(store), anyCreated: async () => true, find: async () => { throw new Error('connection refused'); } };
  const http = await server('auto', broken);
  const r = await http.inject({ method: 'GET', url: '/read', headers: bearer(t.token) });
  assert.equal(r.statusCode, 503);
  assert.equal(r.json().error, 'AUTH_UNAVAILABLE');
  assert.equal((await http.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  await http.close();
});
