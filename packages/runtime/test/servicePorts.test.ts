import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PORTS, readBaseConfig, servicePorts } from '../src/config';

test('without IDRES_SERVICE_PORT_BASE the services keep their default ports', () => {
  assert.deepEqual(servicePorts({}), DEFAULT_PORTS);
  assert.equal(readBaseConfig({}, 'match').httpPort, 7104);
});

test('IDRES_SERVICE_PORT_BASE moves every service port, in pipeline order, and readBaseConfig follows it', () => {
  assert.deepEqual(servicePorts({ IDRES_SERVICE_PORT_BASE: '27100' }), { ingest: 27101, standardize: 27102, block: 27103, match: 27104, resolve: 27105, publish: 27106, households: 27107, console: 27108, sources: 27109 });
  assert.equal(readBaseConfig({ IDRES_SERVICE_PORT_BASE: '27100' }, 'publish').httpPort, 27106);
  // An explicit HTTP_PORT still wins (what the supervisor passes).
  assert.equal(readBaseConfig({ IDRES_SERVICE_PORT_BASE: '27100', HTTP_PORT: '9000' }, 'publish').httpPort, 9000);
});

test('a base that is not a port number is refused', () => {
  assert.throws(() => servicePorts({ IDRES_SERVICE_PORT_BASE: 'x' }), /IDRES_SERVICE_PORT_BASE/);
  assert.throws(() => servicePorts({ IDRES_SERVICE_PORT_BASE: '65530' }), /IDRES_SERVICE_PORT_BASE/);
});
