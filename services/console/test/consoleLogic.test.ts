import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskValues } from '../src/maskNationalIds';
import { sumCounter } from '../src/pipelineStatus';
import { FieldSealer } from '@idres/core/fieldSealer';
import { parseSearchQuery, withSealedIdentifiers } from '../src/searchQuery';

const searchCases: Array<{ q: string; want: Partial<ReturnType<typeof parseSearchQuery>> }> = [
  { q: 'MDM_0000000042', want: { masterId: 'MDM_0000000042', identifiers: [], names: [] } },
  { q: 'crm:1234', want: { recordId: 'crm:1234', identifiers: [], names: [] } },
  { q: 'Lee 1980-02-01', want: { dob: '1980-02-01', identifiers: [], names: [{ name: 'LEE', text: 'Lee' }] } },
  { q: 'Ann@Example.com', want: { identifiers: [['ann@example.com', 'Ann@Example.com']], names: [] } },
  { q: 'Zoë', want: { identifiers: [], names: [{ name: 'ZOE', text: 'Zoë' }] } },
];
for (const c of searchCases) {
  test(`parseSearchQuery: "${c.q}"`, () => assert.deepEqual(parseSearchQuery(c.q), c.want));
}

test('parseSearchQuery: digits are an identifier in every standardized form; empty and huge queries are refused', () => {
  const got = parseSearchQuery('123-45-6781');
  assert.equal(got.identifiers.length, 1);
  assert.ok(got.identifiers[0]!.includes('123456781'));
  assert.throws(() => parseSearchQuery('   '), (e: Error & { code?: string }) => e.code === 'QUERY_INVALID');
  assert.throws(() => parseSearchQuery('x'.repeat(201)), (e: Error & { code?: string }) => e.code === 'QUERY_INVALID');
});

test('sumCounter adds a counter over its label sets and ignores others with a longer name', () => {
  const text = [
    '# HELP idres_messages_in_total Messages consumed',
    'idres_messages_in_total{topic="identity.raw"} 10',
    'idres_messages_in_total{topic="identity.pairs"} 5',
    'idres_messages_in_total_extra 99',
  ].join('\n');
  assert.equal(sumCounter(text, 'idres_messages_in_total'), 15);
  assert.equal(sumCounter(text, 'idres_messages_out_total'), null);
});

test('maskValues keeps the last four characters of national IDs only', () => {
  assert.deepEqual(maskValues({ ssn: '123456789', given_name: 'ANN' }), { ssn: '•••••6789', given_name: 'ANN' });
});

test('withSealedIdentifiers: an SSN typed in the search also matches its sealed form; other criteria and no sealer change nothing', () => {
  const sealer = new FieldSealer({ primary: 'k1', keys: new Map([['k1', Buffer.alloc(32, 3)]]) });
  const c = parseSearchQuery('123-45-6781 Smith');
  assert.equal(withSealedIdentifiers(c, undefined), c);
  const s = withSealedIdentifiers(c, sealer);
  assert.deepEqual(s.names, c.names);
  assert.ok(s.identifiers[0]!.includes(sealer.seal('ssn', '123456781')), 'the stored (sealed) form of the standardized SSN is searched');
  assert.ok(c.identifiers[0]!.every((a) => s.identifiers[0]!.includes(a)), 'the clear forms are still searched');
});
