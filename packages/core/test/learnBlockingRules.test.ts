import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockingKeys, candidateBlockingRules, mulberry32, chooseSettings, learnBlockingRules, runQuality, standardizeRecord, trainModel, type BlockingRule, type LabelledRecord, type ModelJson } from '../src/index.js';
import { loadLabelledDataset, type LabelledDatasetName } from '../src/fixtures/labelledDatasets.js';

type Values = Readonly<Record<string, string>>;

/** Share of true pairs that share a key under `rules` (labels read only here, to judge the learned rules). */
function blockingRecall(data: readonly LabelledRecord[], values: readonly Values[], rules: readonly BlockingRule[]): number {
  const keys = values.map((v) => new Set(blockingKeys(v, rules).map((k) => k.key)));
  const byEntity = new Map<string, number[]>();
  data.forEach((r, i) => byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), i]));
  let all = 0;
  let found = 0;
  for (const ids of byEntity.values()) {
    for (let x = 0; x < ids.length; x++) {
      for (let y = x + 1; y < ids.length; y++) {
        all++;
        const kb = keys[ids[y] as number] as Set<string>;
        if ([...(keys[ids[x] as number] as Set<string>)].some((k) => kb.has(k))) found++;
      }
    }
  }
  return all === 0 ? 1 : found / all;
}

function prepare(name: LabelledDatasetName): { data: LabelledRecord[]; values: Values[]; json: ModelJson } {
  const d = loadLabelledDataset(name);
  const values = d.records.map((r) => standardizeRecord(r.fields, d.standardize, r.attributes).values);
  const json = trainModel(values, { settings: chooseSettings(values), seed: 1, learnBlocking: false });
  return { data: [...d.records], values, json };
}

// Table: where the default rules already reach the matches (an ID and full dates), nothing is added; where they
// miss some (fake_1000: no ID, typos in names and dates, a city), rules are added and reach more true pairs.
const cases: Array<{ dataset: LabelledDatasetName; adds: boolean }> = [
  { dataset: 'febrl_dataset1', adds: false },
  { dataset: 'febrl_dataset3', adds: false },
  { dataset: 'fake_1000', adds: true },
];
for (const c of cases) {
  test(`learnBlockingRules on ${c.dataset}: ${c.adds ? 'adds rules that reach more true pairs' : 'adds nothing'}`, () => {
    const { data, values, json } = prepare(c.dataset);
    const learned = learnBlockingRules(values, json);
    assert.deepEqual(learned.rules.slice(0, json.settings.blockingRules.length), json.settings.blockingRules, 'the given rules stay first, in order');
    assert.equal(learned.added.length > 0, c.adds, JSON.stringify(learned.added));
    const before = blockingRecall(data, values, json.settings.blockingRules);
    const after = blockingRecall(data, values, learned.rules);
    if (c.adds) {
      assert.ok(after > before + 0.02, `blocking recall ${before} -> ${after}`);
      for (const a of learned.added) assert.ok(a.newLikelyMatches >= 0.01 * a.newPairs, `${a.rule} pays for itself`);
    } else assert.equal(after, before);
  });
}

test('trainModel learns the blocking rules by default (training.blocking), and F1 on fake_1000 does not drop', () => {
  const { data, values, json } = prepare('fake_1000');
  const learned = trainModel(values, { settings: chooseSettings(values), seed: 1 });
  const diag = learned.training?.['blocking'] as { added: unknown[] } | undefined;
  assert.ok(diag !== undefined && diag.added.length > 0);
  assert.ok(learned.settings.blockingRules.length > json.settings.blockingRules.length);
  const q0 = runQuality(data, { model: json });
  const q1 = runQuality(data, { model: learned });
  assert.ok(q1.f1 >= q0.f1, `F1 ${q0.f1} -> ${q1.f1}`);
  assert.ok(q1.blockingRecall > q0.blockingRecall);
});

test('a candidate whose new comparisons are nearly all non-matches is not added (minMatchShare)', () => {
  const { values, json } = prepare('fake_1000');
  // Demand one likely match per comparison: no candidate can pay that.
  assert.deepEqual(learnBlockingRules(values, json, { minMatchShare: 1.01 }).added, []);
  // And a cost guard of zero comparisons per record scores no candidate at all.
  assert.deepEqual(learnBlockingRules(values, json, { maxNewPairsPerRecord: 0 }).added, []);
});

test('candidateBlockingRules: anchors filled in enough records, with name codes and each other; given rules not repeated', () => {
  const values: Values[] = Array.from({ length: 100 }, (_, i) => ({
    given_dm1: `G${i % 7}`,
    family_dm1: `F${i % 11}`,
    dob: `1950-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    dob_year: '1950',
    'attr.birthplace': `P${i % 5}`,
    ...(i < 3 ? { postcode: `${i}` } : {}), // 3%: not an anchor
  }));
  const json = { settings: { comparisons: [{ name: 'attr.birthplace', levels: [] }], blockingRules: [{ name: 'dob_family_dm', fields: ['dob', 'family_dm1'] }] } } as unknown as ModelJson;
  const names = candidateBlockingRules(values, json).map((r) => [...r.fields].sort().join('+')).sort();
  assert.deepEqual(names, [
    'attr.birthplace+dob', 'attr.birthplace+dob_year', 'attr.birthplace+family_dm1', 'attr.birthplace+given_dm1',
    'dob+given_dm1', 'dob_year+family_dm1', 'dob_year+given_dm1',
  ]);
});

test('a broad rule whose own comparisons hold no likely match is dropped; one that still finds matches stays', () => {
  const rnd = mulberry32(3);
  const letters = 'ABCDEFGHIKLMNOPRSTUVWZ';
  const word = (): string => Array.from({ length: 6 }, () => letters[Math.floor(rnd() * letters.length)]).join('');
  // 1,500 people, 30 birth dates between them (50 per date: the bare-dob rule's blocks are all strangers), an SSN
  // each; a third have a duplicate with the same SSN and dob and a typo in the family name.
  const data: LabelledRecord[] = [];
  for (let p = 0; p < 1500; p++) {
    const fields = { given_name: word(), family_name: word(), dob: `19${50 + (p % 30)}-03-14`, ssn: `${String(101 + (p % 500))}-${String(10 + (p % 80))}-${String(1000 + p)}` };
    data.push({ id: `r${data.length}`, entity: `e${p}`, fields });
    if (rnd() < 0.33) data.push({ id: `r${data.length}`, entity: `e${p}`, fields: { ...fields, family_name: `${fields.family_name.slice(0, 5)}X` } });
  }
  const values = data.map((r) => standardizeRecord(r.fields).values);
  const settings = { ...chooseSettings(values), blockingRules: [{ name: 'ssn', fields: ['ssn'] }, { name: 'dob', fields: ['dob'] }] };
  const json = trainModel(values, { settings, seed: 1, learnBlocking: false });
  const learned = learnBlockingRules(values, json);
  assert.deepEqual(learned.dropped.map((d) => d.rule), ['dob'], JSON.stringify(learned.dropped));
  assert.deepEqual(learned.rules.map((r) => r.name), ['ssn']);
  assert.equal(blockingRecall(data, values, learned.rules), blockingRecall(data, values, json.settings.blockingRules), 'no true pair is lost');

  // FEBRL 1 with only ssn and dob: duplicates with a mistyped SSN are found by dob alone, so dob stays.
  const f = prepare('febrl_dataset1');
  const two = trainModel(f.values, { settings: { ...f.json.settings, blockingRules: [{ name: 'ssn', fields: ['ssn'] }, { name: 'dob', fields: ['dob'] }] }, seed: 1, learnBlocking: false });
  assert.deepEqual(learnBlockingRules(f.values, two).dropped, []);
});
