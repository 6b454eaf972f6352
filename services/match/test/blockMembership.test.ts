import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockMembership } from '../src/blockMembership';

const block = (...ids: string[]): Map<string, number> => new Map(ids.map((id) => [id, 1]));

test('blocks written back by a batch are served to the next one, changed in place', () => {
  const m = new BlockMembership(100);
  m.useEpoch('e1');
  const g = m.generation;
  const b = block('r1', 'r2');
  m.putAll(g, [['k', b]]);
  const got = m.get('k');
  assert.equal(got, b);
  got!.set('r3', 2);
  m.putAll(m.generation, [['k', got!]]);
  assert.deepEqual(m.size, { blocks: 1, entries: 3 });
});

test('a batch that started before a drop does not write back', () => {
  for (const drop of [(m: BlockMembership) => m.invalidate(), (m: BlockMembership) => m.useEpoch('e2')]) {
    const m = new BlockMembership(100);
    m.useEpoch('e1');
    const g = m.generation;
    drop(m);
    m.putAll(g, [['k', block('r1')]]);
    assert.equal(m.get('k'), undefined);
  }
});

test('the same epoch keeps the cache; a drop empties it', () => {
  const m = new BlockMembership(100);
  m.useEpoch('e1');
  m.putAll(m.generation, [['k', block('r1')]]);
  m.useEpoch('e1');
  assert.ok(m.get('k'));
  m.invalidate();
  assert.equal(m.get('k'), undefined);
  assert.deepEqual(m.size, { blocks: 0, entries: 0 });
});

test('least recently used blocks go first once entries exceed the capacity', () => {
  const m = new BlockMembership(5);
  m.useEpoch('e');
  m.putAll(m.generation, [['a', block('1', '2')], ['b', block('3', '4')]]);
  m.get('a'); // a is now the most recently used
  m.putAll(m.generation, [['c', block('5', '6')]]);
  assert.equal(m.get('b'), undefined);
  assert.ok(m.get('a'));
  assert.ok(m.get('c'));
  assert.ok(m.size.entries <= 5);
});

test('capacity 0 caches nothing', () => {
  const m = new BlockMembership(0);
  m.useEpoch('e');
  m.putAll(m.generation, [['a', block('1')]]);
  assert.equal(m.get('a'), undefined);
});
