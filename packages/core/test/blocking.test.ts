import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockingKeys, candidatePairs, DEFAULT_BLOCKING_RULES, firstSharedRule, standardizeRecord, type BlockingRule, type RawFields } from '../src/index.js';

const rules: BlockingRule[] = [
  { name: 'ssn', fields: ['ssn'] },
  { name: 'dob_family', fields: ['dob', 'family_dm1'] },
  { name: 'email', fields: ['email'] },
];

const keyCases: Array<[string, RawFields, string[]]> = [
  ['all rules', { ssn: '123-45-6780', dob: '1980-01-02', family_name: 'Smith', email: 'a@b.co' }, ['ssn', 'dob_family', 'email']],
  ['missing field forms no key', { dob: '1980-01-02' }, []],
  ['placeholder SSN forms no key', { ssn: '999-99-9999', email: 'a@b.co' }, ['email']],
  ['placeholder dob forms no key', { dob: '1900-01-01', family_name: 'Smith' }, []],
  ['placeholder email forms no key', { email: 'noemail@none.com' }, []],
];
for (const [name, input, want] of keyCases) {
  test(`blockingKeys: ${name}`, () => {
    const keys = blockingKeys(standardizeRecord(input).values, rules);
    assert.deepEqual(keys.map((k) => k.rule), want);
    for (const k of keys) assert.ok(k.key.startsWith(`${k.rule}:`), 'key includes rule name');
  });
}

test('keys of different rules never collide', () => {
  const r: BlockingRule[] = [{ name: 'a', fields: ['x'] }, { name: 'b', fields: ['x'] }];
  const keys = blockingKeys({ x: '1' }, r);
  assert.notEqual(keys[0]?.key, keys[1]?.key);
  // Field separator prevents "A"+"BC" colliding with "AB"+"C".
  const r2: BlockingRule[] = [{ name: 'ab', fields: ['x', 'y'] }];
  assert.notEqual(blockingKeys({ x: 'A', y: 'BC' }, r2)[0]?.key, blockingKeys({ x: 'AB', y: 'C' }, r2)[0]?.key);
});

const sharedCases: Array<[string, RawFields, RawFields, number]> = [
  ['same ssn', { ssn: '123-45-6780' }, { ssn: '123456780' }, 0],
  ['first shared rule wins', { ssn: '123-45-6780', email: 'a@b.co' }, { ssn: '223-45-6780', email: 'A@B.CO' }, 2],
  ['nothing shared', { ssn: '123-45-6780' }, { email: 'a@b.co' }, -1],
  ['dob + family phonetic', { dob: '1980-01-02', family_name: 'Smith' }, { dob: '1980-01-02', family_name: 'Smyth' }, 1],
  // Double metaphone already codes transliterated spellings alike, so blocking keys on it need no extra feature.
  ['dob + family phonetic: MUELLER / MULLER', { dob: '1980-01-02', family_name: 'Mueller' }, { dob: '1980-01-02', family_name: 'Muller' }, 1],
  ['dob + family phonetic: MÜLLER / MUELLER', { dob: '1980-01-02', family_name: 'Müller' }, { dob: '1980-01-02', family_name: 'Mueller' }, 1],
  ['dob + family phonetic: SØRENSEN / SOERENSEN', { dob: '1980-01-02', family_name: 'Sørensen' }, { dob: '1980-01-02', family_name: 'Soerensen' }, 1],
  ['dob + family phonetic: AAGAARD / ÅGÅRD', { dob: '1980-01-02', family_name: 'Aagaard' }, { dob: '1980-01-02', family_name: 'Ågård' }, 1],
  ['dob + family phonetic: STRASSE / STRAßE / STRASE', { dob: '1980-01-02', family_name: 'Straße' }, { dob: '1980-01-02', family_name: 'Strase' }, 1],
];
for (const [name, a, b, want] of sharedCases) {
  test(`firstSharedRule: ${name}`, () => {
    const ka = blockingKeys(standardizeRecord(a).values, rules);
    const kb = blockingKeys(standardizeRecord(b).values, rules);
    assert.equal(firstSharedRule(ka, kb), want);
    assert.equal(firstSharedRule(kb, ka), want);
  });
}

test('candidatePairs emits each pair once and respects the hot-block cap', () => {
  const recs = [
    { ssn: '123-45-6780', email: 'a@b.co' },
    { ssn: '123-45-6780', email: 'a@b.co' },
    { email: 'a@b.co' },
  ].map((r) => blockingKeys(standardizeRecord(r).values, rules));
  assert.deepEqual(candidatePairs(recs).pairs.map((p) => p.join('-')).sort(), ['0-1', '0-2', '1-2']);
  assert.equal(candidatePairs(recs, { maxBlockSize: 2 }).skippedBlocks, 1);
});

test('DEFAULT_BLOCKING_RULES have unique names and non-empty fields', () => {
  assert.equal(new Set(DEFAULT_BLOCKING_RULES.map((r) => r.name)).size, DEFAULT_BLOCKING_RULES.length);
  for (const r of DEFAULT_BLOCKING_RULES) assert.ok(r.fields.length > 0);
});
