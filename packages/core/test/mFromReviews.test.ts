import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldIndex, compileComparison, type ModelJson } from '../src/model';
import { withReviewedMatches } from '../src/mFromReviews';
import { standardizeRecord } from '../src/standardizeRecord';
import { trainModel } from '../src/trainModel';
import { chooseSettings } from '../src/chooseSettings';
import { carriesEvidence } from '../src/settings';
import { loadLabelledDataset } from '../src/fixtures/labelledDatasets';

const dataset = loadLabelledDataset('febrl_dataset3');
const values = dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values);
const model: ModelJson = trainModel(values, { settings: chooseSettings(values), seed: 1 });
const specs = model.settings.comparisons;
const evidence = (c: number, k: number): boolean => carriesEvidence(specs[c]!.levels[k]!);
const nonNullSum = (m: ModelJson, c: number): number => m.comparisons[c]!.levels.reduce((s, l, k) => (evidence(c, k) ? s + l.m : s), 0);

// Every true match of the file, with each comparison's level: what a reviewer who saw them all would teach.
const byEntity = new Map<string, number[]>();
dataset.records.forEach((r, i) => byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), i]));
const trueMatches: Array<[number, number]> = [...byEntity.values()].flatMap((ix) => ix.flatMap((a, p) => ix.slice(p + 1).map((b): [number, number] => [a, b])));
const fields = new FieldIndex();
const cmp = specs.map((s) => compileComparison(s, fields));
const prepared = values.map((v) => fields.prepare(v));
const trueM = specs.map((s, c) => {
  const n = new Array<number>(s.levels.length).fill(0);
  for (const [a, b] of trueMatches) n[cmp[c]!(prepared[a]!, prepared[b]!)]! += 1;
  const total = n.reduce((x, y, k) => (evidence(c, k) ? x + y : x), 0);
  return n.map((x, k) => (evidence(c, k) ? x / total : 1));
});
const distance = (m: ModelJson, c: number): number => m.comparisons[c]!.levels.reduce((s, l, k) => (evidence(c, k) ? s + Math.abs(l.m - trueM[c]![k]!) : s), 0);

test('no reviewed pairs: the model is unchanged', () => {
  const r = withReviewedMatches(model, []);
  assert.deepEqual(r.model.comparisons, model.comparisons);
  assert.ok(Object.values(r.observed).every((n) => n === 0));
});

test('reviewed matches count as that many observed matches against EM\'s expected ones; levels still sum to 1', () => {
  // The same pair reviewed 100 times against an EM estimate resting on 100 matches: each level moves halfway to it.
  const [a, b] = trueMatches[0]!;
  const r = withReviewedMatches(model, new Array(100).fill([values[a]!, values[b]!]), 100);
  for (let c = 0; c < specs.length; c++) {
    const level = cmp[c]!(prepared[a]!, prepared[b]!);
    if (!evidence(c, level)) {
      assert.deepEqual(r.model.comparisons[c], model.comparisons[c], `${specs[c]!.name}: a null level teaches nothing`);
      continue;
    }
    const before = model.comparisons[c]!.levels[level]!.m;
    assert.ok(Math.abs(r.model.comparisons[c]!.levels[level]!.m - (before + 1) / 2) < 1e-12, specs[c]!.name);
    assert.ok(Math.abs(nonNullSum(r.model, c) - 1) < 1e-9, `${specs[c]!.name}: non-null m sums to 1`);
    specs[c]!.levels.forEach((_, k) => { if (!evidence(c, k)) assert.equal(r.model.comparisons[c]!.levels[k]!.m, model.comparisons[c]!.levels[k]!.m, 'null and neutral levels keep their m'); });
  }
  assert.equal((r.model.trainedOn as Record<string, unknown>)['mFromReviews'] !== undefined, true);
});

test('reviewed true matches move the m probabilities toward those of the true matches', () => {
  // Reviewers who saw a random half of the true matches; EM's own weight (its expected matches) is kept.
  const half = trueMatches.filter((_, i) => i % 2 === 0).map(([a, b]) => [values[a]!, values[b]!] as const);
  const r = withReviewedMatches(model, half);
  assert.ok(r.emMatches > 0);
  const before = specs.map((_, c) => distance(model, c));
  const after = specs.map((_, c) => distance(r.model, c));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  assert.ok(sum(after) < 0.9 * sum(before), `total distance to the true m: ${sum(before)} -> ${sum(after)}`);
  // Where EM was already close, the half sample's own noise (about 0.005 here) may move it a little away.
  specs.forEach((s, c) => assert.ok(after[c]! <= before[c]! + 0.01, `${s.name}: ${before[c]} -> ${after[c]}`));
});
