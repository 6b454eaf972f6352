import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BLOCKING_RULES, standardizeRecord } from '@idres/core';
import type { StandardizedRecordAvro } from '@idres/runtime';
import { blockRecord, ownKey } from '../src/app';

const rec = (values: Record<string, string>, deleted = false): StandardizedRecordAvro => ({
  recordId: 's:1', source: 's', sourceRecordId: '1', version: 7, deleted, values, flags: [], attributes: {}, ingestedAt: 7,
});

test('one message per blocking key, exactly one primary, all carrying every key', () => {
  const values = standardizeRecord({ given_name: 'Ann', family_name: 'Lee', dob: '1980-02-01', ssn: '219-09-9999', postcode: '90210' }).values;
  const out = blockRecord(rec(values), DEFAULT_BLOCKING_RULES);
  assert.ok(out.length > 1);
  assert.equal(out.filter((b) => b.primary).length, 1);
  assert.equal(new Set(out.map((b) => b.blockKey)).size, out.length, 'keys are distinct');
  for (const b of out) assert.equal(b.keys.length, out.length);
});

test('a record with no key and a delete travel once under the record\'s own key', () => {
  for (const r of [rec({ gender: 'F' }), rec({}, true)]) {
    const out = blockRecord(r, DEFAULT_BLOCKING_RULES);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.blockKey, ownKey('s:1'));
    assert.equal(out[0]!.primary, true);
    assert.equal(out[0]!.ruleIndex, -1);
  }
});
