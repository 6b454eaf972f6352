/**
 * RedisBlockStore on the real Redis (the stack's, under a prefix of its own): a record's version key follows its
 * writes and deletes, so match can trust a cached copy only while the version key names that copy's version.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RedisBlockStore, createRedis, type StoredRecord } from '@idres/runtime';

const redis = createRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefix = `test-${randomUUID()}:`;
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const rec = (v: number, name: string): StoredRecord => ({ v, values: { given_name: name }, keys: [{ ruleIndex: 0, key: `k:${name}` }] });

test('versions() follows writes and deletes; records() returns the current version', async () => {
  const store = new RedisBlockStore(redis, prefix);
  await store.write({ putRecords: [['a', rec(1, 'ann')], ['b', rec(1, 'bob')]] });
  assert.deepEqual([...(await store.versions(['a', 'b', 'c']))].sort(), [['a', 1], ['b', 1]]);
  await store.write({ putRecords: [['a', rec(2, 'anna')]], deleteRecords: ['b'] });
  assert.deepEqual([...(await store.versions(['a', 'b']))], [['a', 2]]);
  const records = await store.records(['a', 'b']);
  assert.deepEqual([...records.keys()], ['a']);
  assert.deepEqual(records.get('a'), rec(2, 'anna'));
});

test('versions() reads more IDs than one MGET chunk', async () => {
  const store = new RedisBlockStore(redis, prefix);
  const ids = Array.from({ length: 2500 }, (_, i) => `many${i}`);
  await store.write({ putRecords: ids.map((id, i) => [id, rec(i + 1, id)] as [string, StoredRecord]) });
  const versions = await store.versions(ids);
  assert.equal(versions.size, 2500);
  assert.equal(versions.get('many2499'), 2500);
});
