import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BLOCKING_RULES, standardizeRecord } from '@idres/core';
import type { StandardizedRecordAvro } from '@idres/runtime';
import { blockRecord, ownKey } from '../src/app';

const rec = (values: Record<string, string>, deleted = false): StandardizedRecordAvro => ({
  recordId: 's:1', source: 's', sourceRecordId: '1', version: 7, deleted, values, flags: [], attributes: {}, ingestedAt: 7,
});

test('one reference per blocking key, exactly one primary; the record with all its keys is stored once', () => {
  const values = standardizeRecord({ given_name: 'Ann', family_name: 'Lee', dob: '1980-02-01', ssn: '219-09-9999', postcode: '90210' }).values;
  const { messages: out, stored } = blockRecord(rec(values), DEFAULT_BLOCKING_RULES);
  assert.ok(out.length > 1);
  assert.equal(out.filter((b) => b.primary).length, 1);
  assert.equal(new Set(out.map((b) => b.blockKey)).size, out.length, 'keys are distinct');
  assert.deepEqual(stored?.keys.map((k) => k.key), out.map((b) => b.blockKey), 'the stored record lists every key it was published under');
  assert.equal(stored?.v, 7);
  assert.deepEqual(stored?.values, values);
});

test('a record with no key and a delete travel once under the record\'s own key', () => {
  for (const r of [rec({ gender: 'F' }), rec({}, true)]) {
    const { messages: out, stored } = blockRecord(r, DEFAULT_BLOCKING_RULES);
    assert.equal(stored === undefined, r.deleted, 'a delete stores nothing; a live record is stored even without keys');
    assert.equal(out.length, 1);
    assert.equal(out[0]!.blockKey, ownKey('s:1'));
    assert.equal(out[0]!.primary, true);
    assert.equal(out[0]!.ruleIndex, -1);
  }
});
