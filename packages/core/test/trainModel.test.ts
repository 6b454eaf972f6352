import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, loadModel, mulberry32, scorePair, trainModel, validateSettings, type LevelSpec, type MatchSettings } from '../src/index.js';
import { combineSessions, comparisonFields } from '../src/trainModel.js';

const levels: LevelSpec[] = [
  { kind: 'null', label: 'null', fields: ['dob'] },
  { kind: 'exact', label: 'exact', fields: ['dob'] },
  { kind: 'else', label: 'else' },
];

test('combineSessions: the median outvotes one skewed session; null stays 1 and the rest sums to 1', () => {
  const m = combineSessions(levels, [[1, 0.9, 0.1], [1, 0.3, 0.7], [1, 0.88, 0.12]]);
  assert.equal(m[0], 1);
  assert.ok(Math.abs((m[1] ?? 0) - 0.88) < 1e-9 && Math.abs((m[2] ?? 0) - 0.12) < 1e-9, `got ${m.join(',')}`);
  const two = combineSessions(levels, [[1, 0.9, 0.1], [1, 0.7, 0.3]]);
  assert.ok(Math.abs((two[1] ?? 0) - 0.8) < 1e-9, 'two sessions: their mean');
});

test('combineSessions: a session too small to see a rare level does not outvote the one that saw it', () => {
  const four: LevelSpec[] = [...levels.slice(0, 2), { kind: 'daysWithin', label: 'within_1m', field: 'dob', days: 31 }, levels[2] as LevelSpec];
  // 500 matches saw 1% off by a day or a month; 70 and 77 matches expect 0.7 and 0.8 such pairs, and saw none.
  const est = [[1, 0.89, 0.01, 0.1], [1, 0.9, 0, 0.1], [1, 0.9, 0, 0.1]];
  const m = combineSessions(four, est, [500, 70, 77]);
  assert.ok(Math.abs((m[2] ?? 0) - 0.01 / 1.01) < 1e-9, `within_1m ${m[2]}`);
  // Every session large enough: the plain median, so the two outvote the one.
  const big = combineSessions(four, est, [500, 700, 770]);
  assert.ok((big[2] ?? 1) < 1e-6, `within_1m ${big[2]}`);
  // Without the counts: the plain median, as before.
  assert.deepEqual(combineSessions(four, est), big);
});

test('comparisonFields includes dependsOn, and validateSettings checks it', () => {
  const gender = DEFAULT_SETTINGS.comparisons.find((c) => c.name === 'gender');
  assert.ok(gender && comparisonFields(gender).has('given_name'), 'gender follows the given name');
  const bad = { ...DEFAULT_SETTINGS, comparisons: [{ ...gender, dependsOn: 'given_name' }] } as unknown as MatchSettings;
  assert.throws(() => validateSettings(bad), /dependsOn/);
});

/**
 * Many different people per name (a small name pool, as in any large file), gender fixed by the given name,
 * a third of people with a second record. Blocking on given+family name then yields mostly strangers who
 * agree on gender. Without `dependsOn` EM took that agreement for matches (λ 0.35 against a true 0.08 on a
 * 250k-record file) and learned that a different DOB or SSN says little: households and namesakes chained.
 */
test('trainModel: strangers sharing a name are not taken for matches (gender and email follow the name)', () => {
  const rnd = mulberry32(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const given = Array.from({ length: 30 }, (_, i) => `GIVEN${String.fromCharCode(65 + (i % 26))}${i}`);
  const family = Array.from({ length: 30 }, (_, i) => `FAM${String.fromCharCode(90 - (i % 26))}${i}`);
  const records: Array<Record<string, string>> = [];
  const entity: string[] = [];
  for (let p = 0; p < 6000; p++) {
    const gi = Math.floor(rnd() * given.length);
    const g = given[gi] as string;
    const f = pick(family);
    const dob = `19${50 + Math.floor(rnd() * 50)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`;
    const ssn = String(100000000 + Math.floor(rnd() * 800000000));
    const base = { given_name: g, family_name: f, dob, ssn, gender: gi % 2 === 0 ? 'F' : 'M', email: `${g}.${f}@mail.test`.toLowerCase() };
    records.push(base);
    entity.push(`e${p}`);
    if (rnd() < 0.33) {
      // The duplicate: independent typos in the name and the DOB, sometimes no SSN or another email.
      const dup: Record<string, string> = { ...base };
      if (rnd() < 0.2) dup['family_name'] = `${f}X`;
      if (rnd() < 0.2) dup['dob'] = `${dob.slice(0, 9)}${(Number(dob.slice(9)) + 1) % 10}`;
      if (rnd() < 0.3) delete dup['ssn'];
      if (rnd() < 0.3) dup['email'] = `${g}${f}${p}@other.test`.toLowerCase();
      records.push(dup);
      entity.push(`e${p}`);
    }
  }
  const model = trainModel(records, { seed: 3, maxPairsForU: 50_000 });
  const run = (model.training?.['emRuns'] as Array<{ rule: string; lambda?: number }>).find((r) => r.rule === 'given_family');
  const byName = new Map<string, number[]>();
  records.forEach((r, i) => { const k = `${r['given_name']} ${r['family_name']}`; byName.set(k, [...(byName.get(k) ?? []), i]); });
  let pairs = 0;
  let same = 0;
  for (const ids of byName.values()) for (let a = 0; a < ids.length; a++) for (let b = a + 1; b < ids.length; b++) {
    pairs++;
    if (entity[ids[a] as number] === entity[ids[b] as number]) same++;
  }
  const truth = same / pairs;
  assert.ok(run?.lambda !== undefined && run.lambda < truth * 1.5, `given_family λ ${String(run?.lambda)} vs true ${truth.toFixed(3)}`);
  // λ counts the file's matching pairs by capture-recapture across the training rules.
  const truePairs = entity.length - new Set(entity).size;
  const estimated = model.prior * (records.length * (records.length - 1)) / 2;
  assert.ok(Math.abs(estimated / truePairs - 1) < 0.2, `matching pairs estimated ${Math.round(estimated)} vs true ${truePairs}`);
  // Among non-matches with the same name, gender and email agree far more often than among random pairs; those
  // pairs are scored with u given the name (uGivenDependsOn) so the agreement is not counted twice.
  const level = (c: string, l: string): { u: number; uGivenDependsOn?: number } | undefined => model.comparisons.find((x) => x.name === c)?.levels.find((x) => x.label === l);
  const gender = level('gender', 'exact');
  const email = level('email', 'exact');
  assert.ok(gender?.uGivenDependsOn !== undefined && gender.uGivenDependsOn > 0.9 && gender.u < 0.6, `gender u ${String(gender?.u)} / given the name ${String(gender?.uGivenDependsOn)}`);
  assert.ok(email?.uGivenDependsOn !== undefined && email.uGivenDependsOn > email.u * 100, `email u ${String(email?.u)} / given the name ${String(email?.uGivenDependsOn)}`);
  const scored = loadModel(model);
  const anna = { given_name: 'GIVENA0', family_name: 'FAMZ0', gender: 'F', email: 'givena0.famz0@mail.test' };
  const other = scorePair(scored, { ...anna, dob: '1970-01-01' }, { ...anna, dob: '1981-05-12' });
  const emailTerm = other.explanation.find((t) => t.comparison === 'email');
  assert.ok(emailTerm && emailTerm.weight < Math.log2(1 / email.u) / 2, `a namesake's shared email weighs ${String(emailTerm?.weight)}`);
  const dob = model.comparisons.find((c) => c.name === 'dob')?.levels.find((l) => l.label === 'exact');
  assert.ok(dob && dob.m > 0.8, `m(dob exact) ${String(dob?.m)}`);
});
