import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SURVIVORSHIP, buildGolden, parseSurvivorship, type SurvivorshipMember } from '../src/survivorship';

const members: SurvivorshipMember[] = [
  { recordId: 's:1', recency: 1, values: { given_name: 'WILLIAM', family_name: 'SMITH', phone: '+15550001', middle_name: 'J' } },
  { recordId: 's:2', recency: 3, values: { given_name: 'BILL', family_name: 'SMITH', phone: '+15550003' } },
  { recordId: 's:3', recency: 2, values: { given_name: 'WILLIAM', family_name: 'SMYTH', middle_name: 'JAMES' } },
];

const cases: Array<{ field: string; want: string; from: string }> = [
  { field: 'given_name', want: 'WILLIAM', from: 's:3' }, // most frequent; among equals the most recent
  { field: 'family_name', want: 'SMITH', from: 's:2' },
  { field: 'phone', want: '+15550003', from: 's:2' }, // most recent
  { field: 'middle_name', want: 'JAMES', from: 's:3' }, // most complete
];

for (const c of cases) {
  test(`golden ${c.field}`, () => {
    const g = buildGolden(members);
    assert.equal(g.fields[c.field], c.want);
    assert.equal(g.sources[c.field], c.from);
  });
}

test('golden record does not depend on member order', () => {
  const a = buildGolden(members);
  const b = buildGolden([...members].reverse());
  assert.deepEqual(a, b);
});

test('fields no member has are absent', () => {
  assert.deepEqual(buildGolden([]), { fields: {}, sources: {} });
  assert.equal(buildGolden(members).fields['ssn'], undefined);
});

test('survivorship overrides apply on top of the defaults', () => {
  const rules = parseSurvivorship('{"phone":"most_frequent"}');
  assert.equal(rules['phone'], 'most_frequent');
  assert.equal(rules['email'], DEFAULT_SURVIVORSHIP['email']);
  assert.equal(buildGolden(members, parseSurvivorship('{"given_name":"most_recent"}')).fields['given_name'], 'BILL');
  assert.deepEqual(parseSurvivorship(undefined), { ...DEFAULT_SURVIVORSHIP });
});

for (const [bad, msg] of [['{', /not valid JSON/], ['[]', /JSON object/], ['{"shoe_size":"most_recent"}', /unknown field shoe_size/], ['{"phone":"newest"}', /must be one of/]] as const) {
  test(`survivorship overrides refuse ${bad}`, () => assert.throws(() => parseSurvivorship(bad), msg));
}
