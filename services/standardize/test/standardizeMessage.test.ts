import { test } from 'node:test';
import assert from 'node:assert/strict';
import { standardizeMessage } from '../src/app';
import type { RawRecord } from '@idres/runtime';

const raw = (over: Partial<RawRecord> = {}): RawRecord => ({ source: 'crm', sourceRecordId: '1', attributes: { tier: 'gold' }, given_name: 'Ann', family_name: 'Lee', dob: '1980-02-01', ...over });

const cases: Array<{ name: string; key: { source: string; sourceRecordId: string } | null; value: RawRecord | null; code?: string; deleted?: boolean }> = [
  { name: 'valid record', key: { source: 'crm', sourceRecordId: '1' }, value: raw() },
  { name: 'tombstone becomes a delete', key: { source: 'crm', sourceRecordId: '1' }, value: null, deleted: true },
  { name: 'missing key', key: null, value: raw(), code: 'INPUT_INVALID' },
  { name: 'colon in source', key: { source: 'c:rm', sourceRecordId: '1' }, value: raw({ source: 'c:rm' }), code: 'INPUT_INVALID' },
  { name: 'key and value disagree', key: { source: 'crm', sourceRecordId: '2' }, value: raw(), code: 'INPUT_INVALID' },
  { name: '5,000-character name', key: { source: 'crm', sourceRecordId: '1' }, value: raw({ given_name: 'A'.repeat(5000) }), code: 'FIELD_TOO_LONG' },
  { name: 'NUL in a name', key: { source: 'crm', sourceRecordId: '1' }, value: raw({ family_name: 'L\u0000ee' }), code: 'FIELD_CHARACTERS' },
  { name: 'invalid UTF-8 decoded as U+FFFD', key: { source: 'crm', sourceRecordId: '1' }, value: raw({ attributes: { note: 'a\uFFFDb' } }), code: 'FIELD_CHARACTERS' },
  { name: 'only placeholders', key: { source: 'crm', sourceRecordId: '1' }, value: raw({ given_name: 'UNKNOWN', family_name: 'N/A', dob: '1900-01-01' }), code: 'NO_USABLE_FIELDS' },
];

for (const c of cases) {
  test(`standardizeMessage: ${c.name}`, () => {
    const r = standardizeMessage(c.key, c.value, 1234);
    if (c.code) {
      assert.ok('code' in r);
      assert.equal(r.code, c.code);
      return;
    }
    assert.ok('ok' in r, JSON.stringify(r));
    assert.equal(r.ok.recordId, 'crm:1');
    assert.equal(r.ok.version, 1234);
    assert.equal(r.ok.deleted, c.deleted ?? false);
    if (!c.deleted) {
      assert.equal(r.ok.values['family_name'], 'LEE');
      assert.deepEqual(r.ok.attributes, { tier: 'gold' });
      // Attributes also travel standardized, so a model may compare them (chooseSettings).
      assert.equal(r.ok.values['attr.tier'], 'GOLD');
    }
  });
}
