import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { isRetriable } from '../src/errors';

test('a lost Postgres connection is an outage to retry, not a poison message', async () => {
  // A real node-postgres failure: nothing listens on port 1, so the client's own connection error surfaces.
  const client = new pg.Client({ connectionString: 'postgres://x:y@127.0.0.1:1/z', connectionTimeoutMillis: 500 });
  const err = await client.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(err !== undefined);
  assert.equal(isRetriable(err), true);
  assert.equal(isRetriable(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isRetriable(new Error('Client has encountered a connection error and is not queryable')), true);
  assert.equal(isRetriable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })), true);
  assert.equal(isRetriable(Object.assign(new Error('terminating connection because of crash of another server process'), { code: '57P02' })), true);
});

test('a bad message is not retried', () => {
  assert.equal(isRetriable(new Error('invalid input syntax for type bigint')), false);
  assert.equal(isRetriable(Object.assign(new Error('value too long'), { code: '22001' })), false);
});
