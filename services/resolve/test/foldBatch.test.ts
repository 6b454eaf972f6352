import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldBatch, type PairChange, type RecordChange } from '../src/resolveStore';

const rec = (recordId: string, version: number, kind: 'RECORD' | 'DELETE' = 'RECORD'): RecordChange => ({ kind, recordId, version, values: {}, ingestedAt: 0 });
const pair = (a: string, av: number, b: string, bv: number): PairChange => ({ a, av, b, bv, probability: 0.9, matchWeight: 5, rule: null, explanation: [], ingestedAt: 0 });

test('foldBatch keeps the newest version of each record; a delete wins a tie', () => {
  const out = foldBatch({ records: [rec('x', 1), rec('x', 3), rec('x', 2), rec('y', 5), rec('y', 5, 'DELETE')], pairs: [] });
  assert.deepEqual(out.records.map((r) => [r.recordId, r.version, r.kind]).sort(), [['x', 3, 'RECORD'], ['y', 5, 'DELETE']]);
});

test('foldBatch orders pair ends, drops self pairs and keeps the newest versions of a pair', () => {
  const out = foldBatch({ records: [], pairs: [pair('b', 1, 'a', 1), pair('a', 2, 'b', 2), pair('c', 1, 'c', 1)] });
  assert.equal(out.pairs.length, 1);
  assert.deepEqual([out.pairs[0]!.a, out.pairs[0]!.av, out.pairs[0]!.b, out.pairs[0]!.bv], ['a', 2, 'b', 2]);
});
