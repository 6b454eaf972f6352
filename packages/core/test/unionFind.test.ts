import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnionFind } from '../src/unionFind';

test('union-find groups connected keys', () => {
  const uf = new UnionFind<string>();
  uf.union('a', 'b');
  uf.union('c', 'd');
  uf.add('e');
  assert.equal(uf.union('b', 'a'), false);
  assert.equal(uf.find('a'), uf.find('b'));
  assert.notEqual(uf.find('a'), uf.find('c'));
  const groups = uf.groups().map((g) => g.sort().join(','));
  assert.deepEqual(groups.sort(), ['a,b', 'c,d', 'e']);
});

test('union-find stays correct over a long chain (path halving)', () => {
  const uf = new UnionFind<number>();
  for (let i = 0; i < 10_000; i++) uf.union(i, i + 1);
  assert.equal(uf.find(0), uf.find(10_000));
  assert.equal(uf.groups().length, 1);
});
