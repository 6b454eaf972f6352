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

// Reviewers' decisions (overrides) as constraints: table-driven like the cases above.
const constraintCases: Array<{ name: string; members: string[]; edges: ScoredEdge[]; same?: Array<[string, string]>; different?: Array<[string, string]>; want: string[][] }> = [
  { name: '"different" on the only link splits the pair', members: ['a', 'b'], edges: [L('a', 'b', 15)], different: [['a', 'b']], want: [['a'], ['b']] },
  { name: '"different" on a strong triangle keeps the two apart; the third joins the one it matches best', members: ['a', 'b', 'c'],
    edges: [L('a', 'b', 12), L('b', 'c', 10), L('a', 'c', 11)], different: [['a', 'b']], want: [['a', 'c'], ['b']] },
  { name: '"different" between records without a pair still splits a chain between them', members: ['a', 'b', 'c'],
    edges: [L('a', 'b', 12), L('b', 'c', 12)], different: [['a', 'c']], want: [['a', 'b'], ['c']] },
  { name: '"same" links records whatever their score', members: ['a', 'b'], edges: [E('a', 'b', -20)], same: [['a', 'b']], want: [['a', 'b']] },
  { name: '"same" links records that were never scored', members: ['a', 'b', 'c'], edges: [L('a', 'b', 10)], same: [['b', 'c']], want: [['a', 'b', 'c']] },
  { name: '"same" overrides the clustering rule that held a weak chain apart', members: ['p', 'q', 'r', 's'],
    edges: [L('p', 'q', 2), L('q', 'r', 1), L('r', 's', 3)], same: [['q', 'r']], want: [['p'], ['q', 'r', 's']] },
  { name: '"different" wins over a chain of "same" decisions', members: ['a', 'b', 'c'], edges: [],
    same: [['a', 'b'], ['b', 'c']], different: [['a', 'c']], want: [['a', 'b'], ['c']] },
  { name: 'decisions about records outside the component are ignored', members: ['a', 'b'], edges: [L('a', 'b', 10)],
    same: [['a', 'x']], different: [['b', 'y']], want: [['a', 'b']] },
  { name: 'no decisions: the same partition as without constraints', members: ['a1', 'a2', 'b1', 'b2'],
    edges: [L('a1', 'a2', 6), L('b1', 'b2', 6), L('a2', 'b1', 1), E('a1', 'b1', -8)], want: [['a1', 'a2', 'b1', 'b2']] },
  { name: '"different" inside a consistent component splits it along its weakest link', members: ['a1', 'a2', 'b1', 'b2'],
    edges: [L('a1', 'a2', 6), L('b1', 'b2', 6), L('a2', 'b1', 1), E('a1', 'b1', -8)], different: [['a1', 'b2']], want: [['a1', 'a2'], ['b1', 'b2']] },
];

for (const c of constraintCases) {
  test(`partitionComponent with decisions: ${c.name}`, () => {
    assert.deepEqual(partitionComponent(c.members, c.edges, { constraints: { same: c.same ?? [], different: c.different ?? [] } }), c.want);
  });
}

test('partitionComponent with decisions is independent of the order of records, pairs and decisions', () => {
  const rnd = mulberry32(11);
  const members = Array.from({ length: 30 }, (_, i) => `r${i}`);
  const edges: ScoredEdge[] = [];
  for (let i = 0; i < 30; i++) for (let j = i + 1; j < 30; j++) {
    if (rnd() < 0.15) { const w = Math.round((rnd() * 30 - 10) * 4) / 4; edges.push({ a: `r${i}`, b: `r${j}`, weight: w, link: w >= 0 }); }
  }
  const pick = (): [string, string] => { const i = Math.floor(rnd() * 30); let j = Math.floor(rnd() * 30); if (j === i) j = (i + 1) % 30; return [`r${i}`, `r${j}`]; };
  const same = Array.from({ length: 6 }, pick);
  const different = Array.from({ length: 6 }, pick).filter(([a, b]) => !same.some(([x, y]) => (x === a && y === b) || (x === b && y === a)));
  const want = partitionComponent(members, edges, { constraints: { same, different } });
  for (const [a, b] of different) assert.ok(!want.some((g) => g.includes(a) && g.includes(b)), `${a} and ${b} were called different`);
  for (let k = 0; k < 5; k++) {
    const shuffle = <T>(xs: T[]): T[] => [...xs].sort(() => rnd() - 0.5);
    const flip = ([a, b]: [string, string]): [string, string] => (rnd() < 0.5 ? [a, b] : [b, a]);
    const e = shuffle(edges).map((x) => (rnd() < 0.5 ? x : { ...x, a: x.b, b: x.a }));
    assert.deepEqual(partitionComponent(shuffle(members), e, { constraints: { same: shuffle(same).map(flip), different: shuffle(different).map(flip) } }), want);
  }
});
