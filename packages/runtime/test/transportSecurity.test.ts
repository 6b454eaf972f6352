import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdresRuntimeError } from '../src/errors';
import { kafkaSecurityFrom, redisSecurityFrom, type ReadText } from '../src/transportSecurity';

// No disk, no network: files are a map.
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files: Record<string, string> = { '/s/ca.pem': PEM, '/s/kafka.pw': 'p4ss\n', '/s/empty': '', '/s/not-pem': 'hello' };
const read: ReadText = (p) => {
  const v = files[p];
  if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  return v;
};

const kafkaOk: Array<{ name: string; env: Record<string, string>; want: unknown }> = [
  { name: 'nothing set: plaintext', env: {}, want: {} },
  { name: 'empty values count as unset', env: { KAFKA_SSL: '', KAFKA_SASL_MECHANISM: '' }, want: {} },
  { name: 'KAFKA_SSL=true: TLS with Node\'s CAs', env: { KAFKA_SSL: 'true' }, want: { ssl: { rejectUnauthorized: true } } },
  { name: 'KAFKA_SSL=false', env: { KAFKA_SSL: 'false' }, want: {} },
  { name: 'a CA file implies TLS', env: { KAFKA_SSL_CA_FILE: '/s/ca.pem' }, want: { ssl: { ca: [PEM], rejectUnauthorized: true } } },
  {
    name: 'SCRAM-SHA-512 over TLS (the secure local stack)',
    env: { KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: '/s/ca.pem', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'idres', KAFKA_SASL_PASSWORD: 'pw' },
    want: { ssl: { ca: [PEM], rejectUnauthorized: true }, sasl: { mechanism: 'scram-sha-512', username: 'idres', password: 'pw' } },
  },
  {
    name: 'password from a file (trailing newline dropped)',
    env: { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/s/kafka.pw' },
    want: { sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p4ss' } },
  },
  { name: 'PLAIN over TLS', env: { KAFKA_SSL: 'yes', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, want: { ssl: { rejectUnauthorized: true }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } } },
];

for (const c of kafkaOk) {
  test(`kafkaSecurityFrom: ${c.name}`, () => {
    assert.deepEqual(kafkaSecurityFrom(c.env, read), c.want);
  });
}

const kafkaBad: Array<{ name: string; env: Record<string, string>; message: RegExp }> = [
  { name: 'KAFKA_SSL not a boolean', env: { KAFKA_SSL: 'maybe' }, message: /KAFKA_SSL must be true or false/ },
  { name: 'unknown mechanism', env: { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, message: /KAFKA_SASL_MECHANISM must be one of/ },
  { name: 'mechanism without user', env: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'p' }, message: /KAFKA_SASL_USERNAME is required/ },
  { name: 'mechanism without password', env: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }, message: /KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required/ },
  { name: 'credentials without mechanism', env: { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, message: /KAFKA_SASL_MECHANISM is not/ },
  { name: 'both password and password file', env: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_PASSWORD_FILE: '/s/kafka.pw' }, message: /not both/ },
  { name: 'empty password file', env: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/s/empty' }, message: /is empty/ },
  { name: 'PLAIN without TLS', env: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, message: /needs KAFKA_SSL=true/ },
  { name: 'CA file missing', env: { KAFKA_SSL_CA_FILE: '/s/nope.pem' }, message: /cannot read the CA file \/s\/nope\.pem \(ENOENT\)/ },
  { name: 'CA file is not PEM', env: { KAFKA_SSL_CA_FILE: '/s/not-pem' }, message: /holds no PEM certificate/ },
  { name: 'CA file with TLS off', env: { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '/s/ca.pem' }, message: /KAFKA_SSL=false/ },
];

for (const c of kafkaBad) {
  test(`kafkaSecurityFrom refuses: ${c.name}`, () => {
    assert.throws(() => kafkaSecurityFrom(c.env, read), (err: unknown) => {
      assert.ok(err instanceof IdresRuntimeError);
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, c.message);
      // A secret never appears in the error.
      assert.doesNotMatch(err.message, /\bp4ss\b|password=p\b/);
      return true;
    });
  });
}

const redisCases: Array<{ name: string; env: Record<string, string>; want?: unknown; message?: RegExp }> = [
  { name: 'default URL: plaintext', env: {}, want: {} },
  { name: 'redis:// URL: plaintext', env: { REDIS_URL: 'redis://127.0.0.1:6379' }, want: {} },
  { name: 'rediss:// URL: TLS with Node\'s CAs', env: { REDIS_URL: 'rediss://u:p@127.0.0.1:6380' }, want: { tls: { rejectUnauthorized: true } } },
  { name: 'rediss:// URL and a CA file', env: { REDIS_URL: 'rediss://u:p@127.0.0.1:6380', REDIS_TLS_CA_FILE: '/s/ca.pem' }, want: { tls: { ca: [PEM], rejectUnauthorized: true } } },
  { name: 'a CA file for a plaintext URL is refused', env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TLS_CA_FILE: '/s/ca.pem' }, message: /not a rediss:\/\/ \(TLS\) URL/ },
  { name: 'an unreadable CA file is refused', env: { REDIS_URL: 'rediss://127.0.0.1:6380', REDIS_TLS_CA_FILE: '/s/none' }, message: /REDIS_TLS_CA_FILE: cannot read/ },
];

for (const c of redisCases) {
  test(`redisSecurityFrom: ${c.name}`, () => {
    if (c.message) {
      assert.throws(() => redisSecurityFrom(c.env, read), (err: unknown) => err instanceof IdresRuntimeError && err.code === 'CONFIG_INVALID' && c.message!.test(err.message));
    } else {
      assert.deepEqual(redisSecurityFrom(c.env, read), c.want);
    }
  });
}
