import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnionFind, cappedMergePlan, mergePlan, splitComponents } from '../src/unionFind';

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

const mergeCases: Array<{ name: string; links: Array<[number, number]>; want: Array<[number, number]> }> = [
  { name: 'no links', links: [], want: [] },
  { name: 'older survives', links: [[7, 3]], want: [[7, 3]] },
  { name: 'transitive chain keeps the oldest', links: [[9, 5], [5, 8], [8, 2]], want: [[5, 2], [8, 2], [9, 2]] },
  { name: 'two groups', links: [[4, 1], [10, 11]], want: [[4, 1], [11, 10]] },
  { name: 'self link is a no-op', links: [[3, 3]], want: [] },
];
for (const c of mergeCases) {
  test(`mergePlan: ${c.name}`, () => {
    const plan = [...mergePlan(c.links)].sort((a, b) => a[0] - b[0]);
    assert.deepEqual(plan, c.want.sort((a, b) => a[0] - b[0]));
  });
}

test('splitComponents: the larger part keeps the cluster, ties broken by smallest record ID', () => {
  assert.deepEqual(splitComponents(['a', 'b', 'c', 'd', 'e'], [['a', 'b'], ['d', 'e'], ['e', 'c']]), { keep: ['c', 'd', 'e'], splitOff: [['a', 'b']] });
  assert.deepEqual(splitComponents(['x', 'y', 'b', 'a'], [['x', 'y'], ['a', 'b']]), { keep: ['a', 'b'], splitOff: [['x', 'y']] });
  assert.deepEqual(splitComponents(['a', 'b'], [['a', 'b'], ['a', 'zz']]), { keep: ['a', 'b'], splitOff: [] });
  assert.deepEqual(splitComponents([], []), { keep: [], splitOff: [] });
});

test('cappedMergePlan equals mergePlan while no group would pass the ceiling', () => {
  const links: Array<[number, number]> = [[5, 3], [3, 9], [7, 8], [9, 1], [8, 2]];
  const capped = cappedMergePlan(links, () => 1, 10);
  assert.deepEqual([...capped.plan].sort((a, b) => a[0] - b[0]), [...mergePlan(links)].sort((a, b) => a[0] - b[0]));
  assert.deepEqual(capped.held, []);
});

test('cappedMergePlan holds the link that would make an identity larger than the ceiling, and only that one', () => {
  // Clusters 1 and 2 hold 3 records each, 3 and 4 one each; ceiling 5.
  const sizes = new Map([[1, 3], [2, 3], [3, 1], [4, 1]]);
  const { plan, held } = cappedMergePlan([[1, 3], [2, 4], [3, 2], [1, 4]], (c) => sizes.get(c)!, 5);
  // 1+3 = 4 and 2+4 = 4 merge; joining those groups (8) or adding 4's group to 1's (8) is held.
  assert.deepEqual([...plan].sort((a, b) => a[0] - b[0]), [[3, 1], [4, 2]]);
  assert.deepEqual(held, [[3, 2], [1, 4]]);
});

test('cappedMergePlan: a single cluster already over the ceiling takes no more links, the oldest ID survives merges', () => {
  const { plan, held } = cappedMergePlan([[7, 2], [9, 8]], (c) => (c === 2 ? 50 : 1), 10);
  assert.deepEqual([...plan], [[9, 8]]);
  assert.deepEqual(held, [[7, 2]]);
});
