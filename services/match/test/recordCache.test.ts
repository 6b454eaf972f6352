import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordCache, type CachedRecord } from '../src/recordCache';

const entry = (v: number): CachedRecord => ({ stored: { v, values: {}, keys: [] }, prepared: undefined, blockingKeys: undefined });

test('a cached record is returned only at its version; an older copy is dropped', () => {
  const c = new RecordCache(10);
  c.set('a', entry(1));
  assert.equal(c.get('a', 1)?.stored.v, 1);
  assert.equal(c.get('a', 2), undefined, 'a newer version is a miss');
  assert.equal(c.get('a', 1), undefined, 'and the stale copy is gone');
  assert.equal(c.size, 0);
});

test('the least recently used record is evicted first', () => {
  const c = new RecordCache(2);
  c.set('a', entry(1));
  c.set('b', entry(1));
  assert.ok(c.get('a', 1), 'a used: b is now the oldest');
  c.set('c', entry(1));
  assert.equal(c.size, 2);
  assert.ok(c.get('a', 1));
  assert.equal(c.get('b', 1), undefined);
  assert.ok(c.get('c', 1));
});

test('capacity 0 caches nothing', () => {
  const c = new RecordCache(0);
  c.set('a', entry(1));
  assert.equal(c.size, 0);
  assert.equal(c.get('a', 1), undefined);
});
