import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAuthConfig } from '../src/authConfig';

test('IDRES_AUTH: required in production by default, auto otherwise, explicit values win, bad ones fail', () => {
  assert.equal(readAuthConfig({ NODE_ENV: 'production' }).mode, 'required');
  assert.equal(readAuthConfig({}).mode, 'auto');
  assert.equal(readAuthConfig({ NODE_ENV: 'production', IDRES_AUTH: 'off' }).mode, 'off');
  assert.equal(readAuthConfig({ IDRES_AUTH: 'required' }).mode, 'required');
  assert.throws(() => readAuthConfig({ IDRES_AUTH: 'yes' }), (e: Error & { code?: string }) => e.code === 'AUTH_CONFIG_INVALID');
  assert.throws(() => readAuthConfig({ IDRES_AUTH_CACHE_MS: '-1' }), (e: Error & { code?: string }) => e.code === 'AUTH_CONFIG_INVALID');
});

test('IDRES_AUTH_METRICS=token moves /metrics from the open paths behind metrics:read', () => {
  const open = readAuthConfig({});
  assert.ok(open.openPaths.includes('/metrics'));
  assert.deepEqual(open.pathScopes, {});
  const closed = readAuthConfig({ IDRES_AUTH_METRICS: 'token' });
  assert.ok(!closed.openPaths.includes('/metrics') && closed.openPaths.includes('/health'));
  assert.deepEqual(closed.pathScopes, { '/metrics': 'metrics:read' });
});
