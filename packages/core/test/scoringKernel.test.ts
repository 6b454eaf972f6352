/**
 * The generated scoring kernel (scoringKernel.ts) and the bit-parallel Jaro-Winkler must give exactly the
 * results of the original implementations, kept as matchWeightInterpreted / scorePreparedInterpreted /
 * jaroWinklerArrays, on every candidate pair of real fixture data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { blockingKeys, candidatePairs, loadModel, matchWeightPrepared, prepareRecord, probabilityFromWeight, scorePair, scorePrepared, standardizeRecord, trainModel, type MatchModel, type ModelJson } from '../src/index.js';
import { exceedsThreshold, matchWeightInterpreted, scorePreparedInterpreted } from '../src/model.js';
import { damerauLevenshtein, jaroWinkler, jaroWinklerArrays } from '../src/stringMetrics.js';
import { loadLabelledDataset, type LabelledDatasetName } from '../src/fixtures/labelledDatasets.js';

const defaultJson = JSON.parse(readFileSync(new URL('../models/default.json', import.meta.url), 'utf8')) as ModelJson;

function sameWeight(x: number, y: number): boolean {
  return x === y || Math.abs(x - y) <= 1e-9;
}

function checkDataset(name: LabelledDatasetName): void {
  const d = loadLabelledDataset(name);
  const values = d.records.map((r) => standardizeRecord(r.fields, d.standardize).values);
  const models: Array<[string, MatchModel]> = [
    ['default.json', loadModel(defaultJson)],
    ['trained', loadModel(trainModel(values, { maxPairsForU: 20_000 }))],
  ];
  for (const [modelName, model] of models) {
    assert.ok(model.kernel !== undefined, 'kernel compiled');
    const keys = values.map((v) => blockingKeys(v, model.json.settings.blockingRules));
    const blocked = candidatePairs(keys, { maxBlockSize: 1000 }).pairs;
    assert.ok(blocked.length > 400, `${name}: candidate pairs`);
    // Plus random pairs (mostly unrelated records: fuzzy and cross levels, else).
    const pairs: Array<readonly [number, number]> = [...blocked];
    let seed = 5;
    for (let k = 0; k < 20_000; k++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const i = seed % values.length;
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      pairs.push([i, seed % values.length]);
    }
    const prepared = values.map((v) => prepareRecord(model, v));
    const plain = values.map((v) => model.fields.prepare(v));
    const shared = values.map((v) => prepareRecord(model, v, { shareStrings: true }));
    let above = 0;
    let t = 0;
    for (const [i, j] of pairs) {
      for (const [a, b] of [[prepared[i]!, prepared[j]!], [prepared[j]!, prepared[i]!]] as const) {
        const want = matchWeightInterpreted(model, a, b);
        const got = matchWeightPrepared(model, a, b);
        assert.ok(sameWeight(got, want), `${name}/${modelName} pair ${i},${j}: kernel ${got} != interpreted ${want}`);
        assert.ok(sameWeight(matchWeightPrepared(model, shared[i]!, shared[j]!), matchWeightInterpreted(model, prepared[i]!, prepared[j]!)), 'shared strings');
        // Records without precomputed features (plain arrays) take the table lookups: same result.
        assert.ok(sameWeight(matchWeightPrepared(model, plain[i]!, plain[j]!), matchWeightInterpreted(model, plain[i]!, plain[j]!)));
        // exceedsThreshold is exactly the probability test, at the model threshold and at random ones.
        const threshold = t++ % 2 === 0 ? model.threshold : Math.random();
        assert.equal(exceedsThreshold(model, a, b, threshold), probabilityFromWeight(want) >= threshold);
        if (probabilityFromWeight(want) >= model.threshold) above++;
      }
      if ((i + j) % 7 === 0) {
        const s1 = scorePrepared(model, prepared[i]!, prepared[j]!);
        const s0 = scorePreparedInterpreted(model, prepared[i]!, prepared[j]!);
        assert.deepEqual(s1, s0);
        assert.deepEqual(scorePair(model, values[i]!, values[j]!), s0);
      }
    }
    assert.ok(above > 0, `${name}/${modelName}: some pairs above threshold`);
  }
}

test('kernel == interpreted on all candidate pairs of febrl_dataset1', () => checkDataset('febrl_dataset1'));
test('kernel == interpreted on all candidate pairs of synthetic_2000', () => checkDataset('synthetic_2000'));

test('a record prepared for another model is not trusted for its tf weights', () => {
  const d = loadLabelledDataset('febrl_dataset1');
  const values = d.records.slice(0, 300).map((r) => standardizeRecord(r.fields, d.standardize).values);
  const m1 = loadModel(defaultJson);
  const m2 = loadModel(trainModel(values, { maxPairsForU: 5_000 }));
  for (let i = 0; i + 1 < values.length; i += 2) {
    const a = prepareRecord(m2, values[i]!);
    const b = prepareRecord(m2, values[i]!);
    assert.ok(sameWeight(matchWeightPrepared(m1, a, b), matchWeightInterpreted(m1, a, b)));
  }
});

/** Every name, street, city, email of the fixtures against each other (sampled) and random strings. */
test('bit-parallel Jaro-Winkler == array Jaro-Winkler', () => {
  const jwRef = (a: string, b: string): number => (a === b ? (a.length === 0 ? 0 : 1) : a.length === 0 || b.length === 0 ? 0 : jaroWinklerArrays(a, b, a.length, b.length));
  const strings = new Set<string>();
  for (const name of ['febrl_dataset1', 'synthetic_2000', 'fake_1000'] as const) {
    const d = loadLabelledDataset(name);
    for (const r of d.records) {
      const v = standardizeRecord(r.fields, d.standardize).values;
      for (const f of ['given_name', 'family_name', 'address_line1', 'address_line2', 'city', 'email']) if (v[f]) strings.add(v[f]);
    }
  }
  const list = [...strings];
  let seed = 11;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let k = 0; k < 200_000; k++) {
    const a = list[rnd(list.length)]!;
    const b = k % 4 === 0 ? a.slice(0, rnd(a.length + 1)) + 'XY'.slice(rnd(3)) + a.slice(rnd(a.length + 1)) : list[rnd(list.length)]!;
    assert.equal(jaroWinkler(a, b), jwRef(a, b), `${a} / ${b}`);
  }
  const alpha = 'ABCab 1';
  for (let k = 0; k < 100_000; k++) {
    const mk = (): string => { let s = ''; const n = rnd(40); for (let i = 0; i < n; i++) s += alpha[rnd(k % 3 === 0 ? 2 : alpha.length)]; return s; };
    const a = mk();
    const b = mk();
    assert.equal(jaroWinkler(a, b), jwRef(a, b), `${a} / ${b}`);
  }
  assert.equal(jaroWinkler('😀abc', '😀abd'), jwRef('😀abc', '😀abd'));
  assert.equal(damerauLevenshtein('1956-04-09', '1956-04-08', 1), 1);
});

test('damerauLevenshtein(max 1) (linear one-edit check) == full OSA distance capped at 2', () => {
  const osa = (a: string, b: string): number => {
    const d: number[][] = [];
    for (let i = 0; i <= a.length; i++) {
      d.push([]);
      for (let j = 0; j <= b.length; j++) {
        if (i === 0 || j === 0) { d[i]![j] = i + j; continue; }
        let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
        d[i]![j] = v;
      }
    }
    return d[a.length]![b.length]!;
  };
  let seed = 9;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let k = 0; k < 100_000; k++) {
    const mk = (): string => { let s = ''; const n = rnd(7); for (let i = 0; i < n; i++) s += 'abc'[rnd(3)]; return s; };
    const a = mk();
    const b = mk();
    assert.equal(damerauLevenshtein(a, b, 1), Math.min(osa(a, b), 2), `${a} / ${b}`);
  }
});

test('kernel = interpreted on partial and historical dates (partialDate levels)', () => {
  const raw = [
    { given_name: 'Johann', family_name: 'Schmidt', dob: '1712-05-02' },
    { given_name: 'Johann', family_name: 'Schmidt', dob_year: '1712' },
    { given_name: 'Johann', family_name: 'Schmidt', dob_year: '1712', dob_month: '5' },
    { given_name: 'Johann', family_name: 'Schmidt', dob_year: '1713', dob_month: '6' },
    { given_name: 'Johan', family_name: 'Schmid', dob: '1712-02-05' },
    { given_name: 'Anna', family_name: 'Meyer' },
  ];
  const values = raw.map((r) => standardizeRecord(r).values);
  const model = loadModel(trainModel([...values, ...values, ...values], { maxPairsForU: 1000 }));
  for (const a of values) for (const b of values) {
    const pa = prepareRecord(model, a);
    const pb = prepareRecord(model, b);
    assert.ok(sameWeight(matchWeightPrepared(model, pa, pb), matchWeightInterpreted(model, pa, pb)));
    assert.deepEqual(scorePrepared(model, pa, pb).explanation.map((e) => e.level), scorePreparedInterpreted(model, pa, pb).explanation.map((e) => e.level));
  }
});
