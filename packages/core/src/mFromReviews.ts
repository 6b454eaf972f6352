import { FieldIndex, compileComparison, type ModelJson } from './model.js';
import { carriesEvidence } from './settings.js';

type Values = Readonly<Record<string, string>>;

export interface ReviewedMatchesResult {
  model: ModelJson;
  /** Per comparison: how many reviewed "same person" pairs it observed (null levels do not count). */
  observed: Record<string, number>;
  /** How many matches the unlabelled estimate counts for (the weight of EM's m against the reviewed pairs). */
  emMatches: number;
}

/**
 * m probabilities from reviewers' "same person" pairs, combined with EM's. EM's m for a comparison is an average
 * over the matches it expected in its training pairs; a reviewed match is one more observed match whose level is
 * known for sure. So both are counts: m' = (emMatches * m + reviewed at this level) / (emMatches + reviewed), per
 * comparison over its levels that carry evidence (they still sum to 1). The reviewed pairs are borderline ones (the queue
 * shows them first), so counting them at their real number, not more, keeps that bias to their share of the
 * evidence. u stays from random pairs: reviewed non-matches are not a random sample of non-matches.
 */
export function withReviewedMatches(model: ModelJson, same: ReadonlyArray<readonly [Values, Values]>, emMatches = defaultEmMatches(model)): ReviewedMatchesResult {
  const specs = model.settings.comparisons;
  const fields = new FieldIndex();
  const cmp = specs.map((s) => compileComparison(s, fields));
  const counts = specs.map((s) => new Array<number>(s.levels.length).fill(0));
  for (const [a, b] of same) {
    const pa = fields.prepare(a);
    const pb = fields.prepare(b);
    cmp.forEach((f, c) => { (counts[c] as number[])[f(pa, pb)]! += 1; });
  }
  const observed: Record<string, number> = {};
  const comparisons = model.comparisons.map((params, c) => {
    const spec = specs[c];
    const n = counts[c] as number[];
    // Null and neutral levels (a name swap takes its weight from the other comparison) carry no m of their own.
    const isNull = (k: number): boolean => { const l = spec?.levels[k]; return l === undefined || !carriesEvidence(l); };
    const total = n.reduce((s, x, k) => (isNull(k) ? s : s + x), 0);
    observed[params.name] = total;
    if (total === 0) return params;
    return {
      ...params,
      levels: params.levels.map((l, k) => (isNull(k) ? l : { ...l, m: (emMatches * l.m + (n[k] as number)) / (emMatches + total) })),
    };
  });
  const trainedOn = { ...model.trainedOn, mFromReviews: { reviewedMatches: same.length, emMatches } };
  return { model: { ...model, comparisons, trainedOn }, observed, emMatches };
}

/** The mean number of matches EM expected per training session (what each session's m estimate rests on). */
function defaultEmMatches(model: ModelJson): number {
  const runs = Array.isArray(model.training?.['emRuns']) ? (model.training['emRuns'] as Array<Record<string, unknown>>) : [];
  const expected = runs.map((r) => r['expectedMatches']).filter((x): x is number => typeof x === 'number' && x >= 5);
  return expected.length === 0 ? 100 : expected.reduce((s, x) => s + x, 0) / expected.length;
}
