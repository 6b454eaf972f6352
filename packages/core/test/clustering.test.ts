import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRecords, meanWeight, partitionComponent, type ScoredEdge } from '../src/clustering';
import { mulberry32 } from '../src/trainModel';

const L = (a: string, b: string, weight: number): ScoredEdge => ({ a, b, weight, link: true });
const E = (a: string, b: string, weight: number): ScoredEdge => ({ a, b, weight, link: false });

const cases: Array<{ name: string; members: string[]; edges: ScoredEdge[]; want: string[][]; opts?: { floor?: number; maxSize?: number } }> = [
  { name: 'no links: singletons', members: ['a', 'b'], edges: [E('a', 'b', -1)], want: [['a'], ['b']] },
  { name: 'a clique of strong links is one identity', members: ['a', 'b', 'c'], edges: [L('a', 'b', 12), L('b', 'c', 10), L('a', 'c', 11)], want: [['a', 'b', 'c']] },
  { name: 'a star: every duplicate strongly linked to the original, duplicates not to each other', members: ['o', 'd1', 'd2', 'd3'],
    edges: [L('o', 'd1', 20), L('o', 'd2', 18), L('o', 'd3', 16)], want: [['d1', 'd2', 'd3', 'o']] },
  // Mean over the 15 pairs: (15+15+15+1+2 − 10·3)/15 > 0 fails only when the cross pairs are many and weak.
  { name: 'three tight pairs chained by borderline links are held apart', members: ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'],
    edges: [L('a1', 'a2', 6), L('b1', 'b2', 6), L('c1', 'c2', 6), L('a2', 'b1', 1), L('b2', 'c1', 1), E('a1', 'b1', -8), E('b2', 'c2', -9)],
    want: [['a1', 'a2'], ['b1', 'b2'], ['c1', 'c2']] },
  { name: 'a short chain of strong links stays one identity (a chain of k needs links of about 1.5·(k−2) bits)', members: ['a', 'b', 'c', 'd'],
    edges: [L('a', 'b', 6), L('b', 'c', 6), L('c', 'd', 6)], want: [['a', 'b', 'c', 'd']] },
  { name: 'a weak chain of namesakes: no two ends match, so it breaks where the evidence is weakest', members: ['p', 'q', 'r', 's'],
    edges: [L('p', 'q', 2), L('q', 'r', 1), L('r', 's', 3)], want: [['p', 'q'], ['r', 's']] },
  { name: 'a pair scored below the floor counts as the floor, not lower', members: ['a', 'b', 'c'],
    edges: [L('a', 'b', 9), L('b', 'c', 9), E('a', 'c', -40)], want: [['a', 'b', 'c']] },
  { name: 'the ceiling holds the weakest links', members: ['a', 'b', 'c'], opts: { maxSize: 2 },
    edges: [L('a', 'b', 9), L('b', 'c', 12), L('a', 'c', 8)], want: [['a'], ['b', 'c']] },
];

for (const c of cases) {
  test(`partitionComponent: ${c.name}`, () => {
    assert.deepEqual(partitionComponent(c.members, c.edges, c.opts), c.want);
  });
}

test('meanWeight counts unscored pairs at the floor and clips scored ones to it', () => {
  assert.equal(meanWeight(3, [{ w: 9 }, { w: -40 }], -3), (9 - 3 - 3) / 3);
});

test('partitionComponent is independent of the order of records and pairs', () => {
  const rnd = mulberry32(7);
  const members = Array.from({ length: 40 }, (_, i) => `r${i}`);
  const edges: ScoredEdge[] = [];
  for (let i = 0; i < 40; i++) for (let j = i + 1; j < 40; j++) {
    if (rnd() < 0.12) { const w = Math.round((rnd() * 30 - 10) * 4) / 4; edges.push({ a: `r${i}`, b: `r${j}`, weight: w, link: w >= 0 }); }
  }
  const want = partitionComponent(members, edges);
  for (let k = 0; k < 5; k++) {
    const m = [...members].sort(() => rnd() - 0.5);
    const e = [...edges].sort(() => rnd() - 0.5).map((x) => (rnd() < 0.5 ? x : { ...x, a: x.b, b: x.a }));
    assert.deepEqual(partitionComponent(m, e), want);
  }
});

test('clusterRecords maps every record to its identity\'s smallest member', () => {
  const m = clusterRecords(['c', 'a', 'b', 'z'], [L('a', 'b', 10), L('b', 'c', 10), L('a', 'c', 10)]);
  assert.deepEqual([...m].sort(), [['a', 'a'], ['b', 'a'], ['c', 'a'], ['z', 'z']]);
});
