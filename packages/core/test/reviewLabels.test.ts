import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewedQuality, thresholdFromReviews, wilson, type ReviewedPair } from '../src/reviewLabels';

const S = (p: number | null): ReviewedPair => ({ same: true, probability: p });
const D = (p: number | null): ReviewedPair => ({ same: false, probability: p });

test('reviewedQuality: a linked "different" pair is a false positive, an unlinked or unscored "same" pair a false negative', () => {
  const q = reviewedQuality([S(0.95), S(0.6), S(null), D(0.9), D(0.2)], 0.8);
  assert.deepEqual([q.truePositives, q.falsePositives, q.falseNegatives, q.trueNegatives], [1, 1, 2, 1]);
  assert.equal(q.precision.value, 0.5);
  assert.equal(q.recall.value, 1 / 3);
  assert.ok(q.precision.low! < 0.5 && q.precision.high! > 0.5);
});

test('wilson: no data gives no estimate; all successes stay below 1 at the low end', () => {
  assert.equal(wilson(0, 0).value, null);
  const w = wilson(10, 10);
  assert.equal(w.value, 1);
  assert.ok(w.low! > 0.69 && w.low! < 0.73);
});

const thresholdCases: Array<{ name: string; pairs: ReviewedPair[]; current: number; want: number | undefined }> = [
  { name: 'too few labels of one kind: no suggestion', pairs: [S(0.9), S(0.8), D(0.1)], current: 0.5, want: undefined },
  { name: 'separable labels: halfway between the highest "different" and the lowest "same"', current: 0.5,
    pairs: [S(0.9), S(0.8), S(0.75), S(0.7), S(0.95), D(0.3), D(0.2), D(0.1), D(0.4), D(0.35)], want: 0.55 },
  { name: 'reviewers rejected links the model made at 0.6–0.7: the threshold rises above them', current: 0.5,
    pairs: [S(0.9), S(0.85), S(0.8), S(0.95), S(0.99), D(0.6), D(0.65), D(0.7), D(0.2), D(0.1)], want: 0.75 },
];
for (const c of thresholdCases) {
  test(`thresholdFromReviews: ${c.name}`, () => {
    const got = thresholdFromReviews(c.pairs, c.current);
    if (c.want === undefined) assert.equal(got, undefined);
    else assert.ok(got !== undefined && Math.abs(got - c.want) < 1e-9, `got ${got}`);
  });
}
