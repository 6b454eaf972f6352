import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateInputRecord } from '../src/inputRecord';

const cases: Array<{ name: string; input: unknown; error?: RegExp; fields?: Record<string, string>; attributes?: Record<string, string> }> = [
  { name: 'valid', input: { source: 'crm', sourceRecordId: 'a1', given_name: 'Ann', postcode: 2000 }, fields: { given_name: 'Ann', postcode: '2000' }, attributes: {} },
  { name: 'other keys become attributes', input: { source: 'crm', id: 7, family_name: 'Lee', tier: 'gold', attributes: { x: '1' } }, fields: { family_name: 'Lee' }, attributes: { tier: 'gold', x: '1' } },
  { name: 'not an object', input: [1, 2], error: /JSON object/ },
  { name: 'null', input: null, error: /JSON object/ },
  { name: 'no source', input: { sourceRecordId: '1', given_name: 'A' }, error: /source is required/ },
  { name: 'colon in source', input: { source: 'a:b', sourceRecordId: '1', given_name: 'A' }, error: /must not contain/ },
  { name: 'no id', input: { source: 's', given_name: 'A' }, error: /sourceRecordId is required/ },
  { name: 'nested field', input: { source: 's', sourceRecordId: '1', given_name: { a: 1 } }, error: /must be a string/ },
  { name: 'huge field', input: { source: 's', sourceRecordId: '1', given_name: 'x'.repeat(1_001) }, error: /given_name is longer than 1000/ },
  { name: 'long attribute', input: { source: 's', sourceRecordId: '1', given_name: 'A', note: 'x'.repeat(10_001) }, error: /note is longer than 10000/ },
  { name: 'NUL in a field', input: { source: 's', sourceRecordId: '1', given_name: 'A\u0000B' }, error: /given_name contains a NUL/ },
  { name: 'lone surrogate', input: { source: 's', sourceRecordId: '1', family_name: 'A\ud800' }, error: /family_name contains a lone UTF-16 surrogate/ },
  { name: 'huge key', input: { source: 's', sourceRecordId: '1', given_name: 'A', ['k'.repeat(201)]: 'v' }, error: /field name longer than 200/ },
  { name: 'too many attributes', input: { source: 's', sourceRecordId: '1', given_name: 'A', attributes: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`a${i}`, 'v'])) }, error: /more than 200 attributes/ },
  { name: 'non-finite number', input: { source: 's', sourceRecordId: '1', given_name: 'A', postcode: Infinity }, error: /finite number/ },
  { name: 'nothing canonical', input: { source: 's', sourceRecordId: '1', tier: 'gold' }, error: /no canonical field/ },
];

for (const c of cases) {
  test(`validateInputRecord: ${c.name}`, () => {
    const r = validateInputRecord(c.input);
    if (c.error) {
      assert.ok('error' in r, 'expected an error');
      assert.match(r.error, c.error);
      // Reasons name the field and the problem, never the value.
      for (const v of ['A\u0000B', 'A\ud800', 'a:b']) assert.ok(!r.error.includes(v), `the reason quotes the value: ${r.error}`);
    } else {
      assert.ok('ok' in r, `unexpected error ${'error' in r ? r.error : ''}`);
      assert.deepEqual(r.ok.fields, c.fields);
      assert.deepEqual(r.ok.attributes, c.attributes);
    }
  });
}

test('default source applies when the record has none', () => {
  const r = validateInputRecord({ id: '9', email: 'a@b.c' }, 'file');
  assert.ok('ok' in r);
  assert.equal(r.ok.source, 'file');
});
