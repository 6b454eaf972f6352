import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMembers, rankForReview, reviewBand, weightOfProbability, type ReviewCandidate } from '../src/reviewQueue';

const C = (a: string, b: string, probability: number, link: boolean, masterA: string | null = 'M1', masterB: string | null = 'M1'): ReviewCandidate =>
  ({ a, b, probability, matchWeight: weightOfProbability(probability), link, masterA, masterB });

test('reviewBand: ±width around the threshold, clipped to [0, 1]; nonsense refused', () => {
  const b = reviewBand(0.9, 0.2);
  assert.ok(Math.abs(b.lo - 0.7) < 1e-12 && b.hi === 1 && b.threshold === 0.9);
  assert.equal(reviewBand(0.1, 0.5).lo, 0);
  assert.throws(() => reviewBand(1, 0.1), RangeError);
  assert.throws(() => reviewBand(0.5, -0.1), RangeError);
});

const rankCases: Array<{ name: string; candidates: ReviewCandidate[]; want: Array<[string, string]> }> = [
  { name: 'outside the band and not held apart: not in the queue', candidates: [C('a', 'b', 0.999, true), C('c', 'd', 0.01, false)], want: [] },
  { name: 'closest to the threshold first, whichever side', candidates: [C('a', 'b', 0.7, false), C('c', 'd', 0.85, true), C('e', 'f', 0.8, false)],
    want: [['e', 'BORDERLINE'], ['c', 'BORDERLINE'], ['a', 'BORDERLINE']] },
  { name: 'a strong link between identities the clustering held apart is queued', candidates: [C('a', 'b', 0.999, true, 'M1', 'M2')], want: [['a', 'HELD_APART']] },
  { name: 'held apart wins as the reason when both apply', candidates: [C('a', 'b', 0.81, true, 'M1', 'M2')], want: [['a', 'HELD_APART']] },
];
for (const c of rankCases) {
  test(`rankForReview: ${c.name}`, () => {
    assert.deepEqual(rankForReview(c.candidates, reviewBand(0.8, 0.15)).map((i) => [i.a, i.reason]), c.want);
  });
}

test('compareMembers: per field every value, and whether members disagree (a missing value counts)', () => {
  const got = compareMembers([
    { recordId: 'r1', values: { given_name: 'ANN', family_name: 'LEE', dob: '1980-02-01' } },
    { recordId: 'r2', values: { given_name: 'ANN', family_name: 'LEIGH' } },
  ]);
  assert.deepEqual(got, [
    { field: 'dob', values: { r1: '1980-02-01' }, differs: true },
    { field: 'family_name', values: { r1: 'LEE', r2: 'LEIGH' }, differs: true },
    { field: 'given_name', values: { r1: 'ANN', r2: 'ANN' }, differs: false },
  ]);
});
