import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_SETTINGS, IdresError, loadModel, matchWeight, scorePair, standardizeRecord, trainModel, validateSettings, type ExplanationTerm, type ModelJson, type RawFields } from '../src/index.js';
import { loadLabelledDataset } from '../src/fixtures/labelledDatasets.js';

const defaultJson: unknown = JSON.parse(readFileSync(new URL('../models/default.json', import.meta.url), 'utf8'));
const model = loadModel(defaultJson);
const std = (r: RawFields): Record<string, string> => standardizeRecord(r).values;

test('default model loads and is versioned', () => {
  const j = defaultJson as ModelJson;
  assert.equal(j.format, 'idres-match-model');
  assert.equal(j.version, 1);
  assert.ok(j.prior > 0 && j.prior < 1);
});

const invalidModels: Array<[string, (j: Record<string, unknown>) => unknown]> = [
  ['not an object', () => 42],
  ['wrong format', (j) => ({ ...j, format: 'other' })],
  ['future version', (j) => ({ ...j, version: 99 })],
  ['prior out of range', (j) => ({ ...j, prior: 1.5 })],
  ['comparisons length mismatch', (j) => ({ ...j, comparisons: [] })],
  ['m not a probability', (j) => {
    const c = structuredClone(j.comparisons) as Array<{ levels: Array<{ m: number }> }>;
    (c[0]!.levels[1] as { m: number }).m = -1;
    return { ...j, comparisons: c };
  }],
  ['unknown level kind', (j) => {
    const s = structuredClone(j.settings) as { comparisons: Array<{ levels: Array<{ kind: string }> }> };
    s.comparisons[0]!.levels[1]!.kind = 'telepathy';
    return { ...j, settings: s };
  }],
];
for (const [name, mutate] of invalidModels) {
  test(`loadModel rejects: ${name}`, () => {
    assert.throws(() => loadModel(mutate(structuredClone(defaultJson) as Record<string, unknown>)), (e: unknown) => e instanceof IdresError && e.code === 'MODEL_INVALID' && e.retriable === false);
  });
}

const pairCases: Array<[string, RawFields, RawFields, 'match' | 'non-match']> = [
  ['identical person', { given_name: 'Mitchell', family_name: 'Green', dob: '19560409', postcode: '2119', address_line1: 'wallaby place', city: 'cleveland' },
    { given_name: 'mitchell', family_name: 'green', dob: '1956-04-09', postcode: '2119', address_line1: 'Wallaby Pl', city: 'Cleveland' }, 'match'],
  ['typos and nickname', { given_name: 'William', family_name: 'Zbigniewski', dob: '1971-06-24', email: 'wz@acme.org' },
    { given_name: 'Bill', family_name: 'Zbigniewsky', dob: '1971-06-42'.replace('42', '24'), email: 'wz@acme.org' }, 'match'],
  ['different people same surname', { given_name: 'John', family_name: 'Smith', dob: '1980-01-02', postcode: '2000' },
    { given_name: 'Alice', family_name: 'Smith', dob: '1944-07-19', postcode: '4000' }, 'non-match'],
  ['nothing in common', { given_name: 'Ann', family_name: 'Lee' }, { given_name: 'Zed', family_name: 'Krol' }, 'non-match'],
];
for (const [name, a, b, want] of pairCases) {
  test(`scorePair: ${name} -> ${want}`, () => {
    const s = scorePair(model, std(a), std(b));
    assert.equal(s.probability >= model.threshold, want === 'match', `p=${s.probability}`);
    // Waterfall adds up: prior + comparison weights = matchWeight.
    const sum = s.explanation.reduce((x, t) => x + t.weight, 0);
    assert.ok(Math.abs(sum - s.matchWeight) < 1e-9);
    assert.equal(s.explanation[0]?.comparison, 'prior');
    assert.equal(s.explanation.length, 1 + model.json.settings.comparisons.length);
    assert.ok(Math.abs(matchWeight(model, std(a), std(b)) - s.matchWeight) < 1e-9, 'fast path agrees');
  });
}

test('deterministic rule: same valid SSN and DOB', () => {
  const a = std({ ssn: '123-45-6780', dob: '1980-01-02', given_name: 'X' });
  const b = std({ ssn: '123456780', dob: '01/02/1980', given_name: 'Y' });
  const s = scorePair(model, a, b);
  assert.equal(s.deterministicRule, 'ssn_and_dob');
  assert.equal(s.probability, 1);
  // Placeholder SSNs never trigger it.
  const p = scorePair(model, std({ ssn: '999-99-9999', dob: '1980-01-02' }), std({ ssn: '999-99-9999', dob: '1980-01-02' }));
  assert.equal(p.deterministicRule, undefined);
});

test('term frequency: a match on a common surname weighs less than on a rare one', () => {
  const j = structuredClone(defaultJson) as ModelJson;
  const table = j.tfTables.family_name;
  assert.ok(table, 'family_name tf table');
  const common = Object.entries(table.frequencies).sort((x, y) => y[1] - x[1])[0]![0];
  const w = (fam: string): number => scorePair(model, { family_name: fam }, { family_name: fam }).explanation.find((t) => t.comparison === 'family_name')!.weight;
  assert.ok(w(common) < w('QQZYXWVBNMK'), `${common}: ${w(common)} vs rare ${w('QQZYXWVBNMK')}`);
});

test('trainModel: no labels, deterministic for a seed, and rejects tiny input', () => {
  const d = loadLabelledDataset('febrl_dataset1');
  const values = d.records.slice(0, 400).map((r) => standardizeRecord(r.fields, d.standardize).values);
  const m1 = trainModel(values, { seed: 1, maxPairsForU: 20_000, createdAt: 'x' });
  const m2 = trainModel(values, { seed: 1, maxPairsForU: 20_000, createdAt: 'x' });
  assert.deepEqual(m1, m2);
  const given = m1.comparisons.find((c) => c.name === 'given_name')!;
  const exact = given.levels.find((l) => l.label === 'exact')!;
  const els = given.levels.find((l) => l.label === 'else')!;
  assert.ok(exact.m > exact.u * 10, 'exact given name is evidence for a match');
  assert.ok(els.m < els.u, 'disagreeing given name is evidence against');
  assert.throws(() => trainModel([{}]), (e: unknown) => e instanceof IdresError && e.code === 'INPUT_INVALID');
});

// --- new level kinds: validation and behaviour ---
const levelValidationCases: Array<[string, unknown, boolean]> = [
  ['all with two sub-levels', { kind: 'all', label: 'x', of: [{ kind: 'exact', label: 'a', fields: ['postcode'] }, { kind: 'jaroWinkler', label: 'b', field: 'address_line1', threshold: 0.9 }] }, true],
  ['all empty', { kind: 'all', label: 'x', of: [] }, false],
  ['all containing else', { kind: 'all', label: 'x', of: [{ kind: 'else', label: 'e' }] }, false],
  ['all containing null', { kind: 'all', label: 'x', of: [{ kind: 'null', label: 'n', fields: ['city'] }] }, false],
  ['null mode all', { kind: 'null', label: 'n', fields: ['city', 'postcode'], mode: 'all' }, true],
  ['null mode bogus', { kind: 'null', label: 'n', fields: ['city'], mode: 'some' }, false],
  ['crossJaroWinkler', { kind: 'crossJaroWinkler', label: 's', field: 'given_name', otherField: 'family_name', threshold: 0.88 }, true],
  ['crossJaroWinkler threshold > 1', { kind: 'crossJaroWinkler', label: 's', field: 'given_name', otherField: 'family_name', threshold: 2 }, false],
];
for (const [name, level, ok] of levelValidationCases) {
  test(`validateSettings level: ${name} -> ${ok ? 'valid' : 'invalid'}`, () => {
    const s = structuredClone(DEFAULT_SETTINGS) as unknown as { comparisons: Array<{ levels: unknown[] }> };
    s.comparisons[0]!.levels.splice(1, 0, level);
    if (ok) validateSettings(s);
    else assert.throws(() => validateSettings(s), (e: unknown) => e instanceof IdresError && e.code === 'MODEL_INVALID');
  });
}

test('multi-field tf: an address shared by many records weighs less than a unique one', () => {
  const addr = (n: string): RawFields => ({ house_number: n, address_line1: 'Main St', postcode: '12345', given_name: `P${n}` });
  const values = [...Array.from({ length: 6 }, () => std(addr('1'))), ...Array.from({ length: 40 }, (_, i) => std({ given_name: 'Q', family_name: `F${i}`, house_number: String(100 + i), address_line1: `Street ${i}`, postcode: String(20000 + i) })), std(addr('2')), std(addr('2'))];
  const j = trainModel(values, { seed: 3, maxPairsForU: 5_000, createdAt: 'x' });
  assert.ok(j.tfTables['house_number+address_line1+postcode'], 'tf table keyed by joined fields');
  const m = loadModel(j);
  const w = (n: string): ExplanationTerm => scorePair(m, std(addr(n)), std(addr(n))).explanation.find((t) => t.comparison === 'address')!;
  const shared = w('1');
  const rare = w('2');
  assert.equal(shared.level, 'exact');
  assert.ok(shared.weight - (shared.household ?? 0) < rare.weight - (rare.household ?? 0), `${shared.weight} vs ${rare.weight}`);
});

test('household class: twins at one address are not linked; the same person is; the waterfall adds up', () => {
  const d = loadLabelledDataset('synthetic_2000');
  const values = d.records.map((r) => standardizeRecord(r.fields, d.standardize).values);
  const j = trainModel(values, { createdAt: 'x' });
  assert.ok(j.household && j.household.lambda > 0, 'household class fitted on data with households');
  const m = loadModel(j);
  const home = { house_number: '5', address_line1: '8th Ave', city: 'Weott', state: 'CA', postcode: '96059', phone: '707-555-0142' };
  const twinA = std({ ...home, given_name: 'Marie', family_name: 'Greenfield', dob: '2015-07-20', gender: 'F' });
  // The reported false link. (Same-gender twins without SSNs, differing only in given name, stay ambiguous.)
  const twinB = std({ ...home, given_name: 'William', family_name: 'Greenfield', dob: '2015-07-20', gender: 'M' });
  const sameA = std({ ...home, given_name: 'Marie', family_name: 'Greenfield', dob: '2015-07-20', gender: 'F', ssn: '123-45-6780' });
  const t = scorePair(m, twinA, twinB);
  assert.ok(t.probability < m.threshold, `twins p=${t.probability}`);
  assert.ok(t.explanation.some((e) => (e.household ?? 0) < 0), 'household discount shown in the waterfall');
  const s = scorePair(m, twinA, sameA);
  assert.ok(s.probability >= m.threshold, `same person p=${s.probability}`);
  for (const x of [t, s]) {
    assert.equal(x.explanation.length, 1 + j.settings.comparisons.length);
    assert.ok(Math.abs(x.explanation.reduce((a, e) => a + e.weight, 0) - x.matchWeight) < 1e-9);
    assert.ok(Math.abs(matchWeight(m, twinA, x === t ? twinB : sameA) - x.matchWeight) < 1e-9, 'fast path agrees');
  }
});

test('household class: absent on data without shared addresses (two-class model, no discount)', () => {
  const d = loadLabelledDataset('fake_1000');
  const j = trainModel(d.records.map((r) => standardizeRecord(r.fields, d.standardize).values), { createdAt: 'x' });
  assert.equal(j.household, undefined);
  assert.ok(j.comparisons.every((c) => c.levels.every((l) => l.h === undefined)));
});

test('a swap of given and family names is counted once: the family-name comparison recognises it with no weight', () => {
  const d = loadLabelledDataset('synthetic_2000');
  const j = trainModel(d.records.map((r) => standardizeRecord(r.fields, d.standardize).values), { createdAt: 'x' });
  const family = j.comparisons[j.settings.comparisons.findIndex((c) => c.name === 'family_name')]!;
  const swappedParams = family.levels.filter((l) => l.label.startsWith('swapped'));
  assert.equal(swappedParams.length, 2);
  assert.ok(swappedParams.every((l) => l.m === 1 && l.u === 1), 'neutral levels are not estimated');
  const m = loadModel(j);
  const s = scorePair(m, std({ given_name: 'David', family_name: 'Gomez' }), std({ given_name: 'Gomez', family_name: 'David' }));
  const term = (c: string): ExplanationTerm => s.explanation.find((t) => t.comparison === c)!;
  assert.equal(term('given_name').level, 'swapped');
  assert.ok(term('given_name').weight > 0, 'the given-name comparison counts the swap');
  // Only a share of the household discount, if any, which every term takes when no term points to a household.
  assert.deepEqual([term('family_name').level, term('family_name').weight - (term('family_name').household ?? 0)], ['swapped', 0]);
  assert.ok(Math.abs(matchWeight(m, std({ given_name: 'David', family_name: 'Gomez' }), std({ given_name: 'Gomez', family_name: 'David' })) - s.matchWeight) < 1e-9, 'fast path agrees');
});

test('neutral must be a boolean', () => {
  const s = structuredClone(DEFAULT_SETTINGS) as unknown as { comparisons: Array<{ levels: Array<Record<string, unknown>> }> };
  s.comparisons[0]!.levels[1]!['neutral'] = 'yes';
  assert.throws(() => validateSettings(s), (e: unknown) => e instanceof IdresError && e.code === 'MODEL_INVALID');
});
