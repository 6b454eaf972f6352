import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressKeyOf, assignHouseholdNumbers, groupHouseholds, householdIdOf, householdIdentityOf, householdNumberOf,
  type HouseholdIdentity, type PreviousHousehold,
} from '../src/households';

const home = { house_number: '12', address_line1: 'N MAIN ST', postcode: '62704' };
const ident = (masterId: string, o: { key?: string | null; family?: string[]; phone?: string[]; email?: string[] } = {}): HouseholdIdentity => ({
  masterId, addressKey: o.key === undefined ? 'K' : o.key, address: {}, familyNames: o.family ?? [], phones: o.phone ?? [], emails: o.email ?? [],
});

test('household IDs are readable, padded and round-trip', () => {
  assert.equal(householdIdOf(42), 'HH_0000000042');
  assert.equal(householdNumberOf('HH_0000000042'), 42);
  assert.equal(householdNumberOf('MDM_0000000042'), undefined);
  assert.equal(householdNumberOf('HH_x'), undefined);
});

for (const [name, values, expected] of [
  ['number, street and postcode', home, '12|N MAIN ST||Z62704'],
  ['the unit is part of the address', { ...home, unit: '4' }, '12|N MAIN ST|4|Z62704'],
  ['city and state stand in for a missing postcode', { house_number: '12', address_line1: 'N MAIN ST', city: 'SPRINGFIELD', state: 'IL' }, '12|N MAIN ST||CSPRINGFIELD|IL'],
  ['the postcode wins over the city (one address, two spellings of the place)', { ...home, city: 'SPRINGFELD' }, '12|N MAIN ST||Z62704'],
  ['no house number: a street is not an address', { address_line1: 'N MAIN ST', postcode: '62704' }, null],
  ['no street', { house_number: '12', postcode: '62704' }, null],
  ['no place', { house_number: '12', address_line1: 'N MAIN ST' }, null],
] as const) {
  test(`addressKeyOf: ${name}`, () => assert.equal(addressKeyOf(values), expected));
}

test('householdIdentityOf takes the whole address from the most recent record that has one, and every name/phone/email', () => {
  const h = householdIdentityOf('MDM_1', [
    { recordId: 'a:1', recency: 1, values: { ...home, family_name: 'SMITH', phone: '+12175550134' } },
    { recordId: 'a:2', recency: 3, values: { address_line1: 'ELM ST', postcode: '10001', family_name: 'SMITH-JONES', email: 'x@y.org' } }, // no house number
    { recordId: 'a:3', recency: 2, values: { house_number: '7', address_line1: 'OAK AVE', unit: '2', postcode: '10001', family_name: 'SMITH' } },
  ]);
  assert.equal(h.addressKey, '7|OAK AVE|2|Z10001');
  assert.deepEqual(h.address, { house_number: '7', address_line1: 'OAK AVE', unit: '2', postcode: '10001' });
  assert.deepEqual(h.familyNames, ['SMITH', 'SMITH-JONES']);
  assert.deepEqual(h.phones, ['+12175550134']);
  assert.deepEqual(h.emails, ['x@y.org']);
  assert.equal(householdIdentityOf('MDM_2', [{ recordId: 'b:1', recency: 1, values: { family_name: 'X' } }]).addressKey, null);
});

const members = (groups: ReturnType<typeof groupHouseholds>): string[][] => groups.map((g) => g.members);

for (const [name, identities, expected] of [
  ['a shared family name links', [ident('A', { family: ['SMITH'] }), ident('B', { family: ['SMITH'] })], [['A', 'B']]],
  ['a shared phone links across family names', [ident('A', { family: ['SMITH'], phone: ['1'] }), ident('B', { family: ['JONES'], phone: ['1'] })], [['A', 'B']]],
  ['a shared email links', [ident('A', { email: ['e'] }), ident('B', { email: ['e'] })], [['A', 'B']]],
  ['nothing shared: two people at one address are no household', [ident('A', { family: ['SMITH'] }), ident('B', { family: ['JONES'] })], []],
  ['one person is no household', [ident('A', { family: ['SMITH'] })], []],
  ['links chain within the address', [ident('A', { family: ['SMITH'], phone: ['1'] }), ident('B', { family: ['JONES'], phone: ['1'] }), ident('C', { family: ['JONES'] }), ident('D', { family: ['LEE'] })], [['A', 'B', 'C']]],
  ['two families at one address are two households', [ident('A', { family: ['SMITH'] }), ident('B', { family: ['SMITH'] }), ident('C', { family: ['JONES'] }), ident('D', { family: ['JONES'] })], [['A', 'B'], ['C', 'D']]],
] as const) {
  test(`groupHouseholds: ${name}`, () => {
    assert.deepEqual(members(groupHouseholds(identities)), expected);
    assert.deepEqual(members(groupHouseholds([...identities].reverse())), expected, 'order-independent');
  });
}

test('groupHouseholds: a group larger than the maximum (a placeholder address, an institution) forms no household', () => {
  const many = Array.from({ length: 31 }, (_, i) => ident(`M${String(i).padStart(2, '0')}`, { family: ['SMITH'] }));
  assert.deepEqual(groupHouseholds(many), []);
  assert.equal(groupHouseholds(many.slice(0, 30))[0]?.members.length, 30);
  assert.equal(groupHouseholds(many, 40)[0]?.members.length, 31);
});

test('groupHouseholds: evidence is a spanning tree naming what each linked pair shares', () => {
  const [g] = groupHouseholds([ident('A', { family: ['SMITH'], phone: ['1'] }), ident('B', { family: ['SMITH'], phone: ['1'] }), ident('C', { family: ['SMITH'] })]);
  assert.equal(g!.evidence.length, 2);
  assert.deepEqual(g!.evidence[0], { a: 'A', b: 'B', shared: ['family_name', 'phone'] });
  assert.deepEqual(g!.evidence[1], { a: 'A', b: 'C', shared: ['family_name'] });
});

const g = (...ms: string[]) => ({ members: ms, evidence: [] });
for (const [name, groups, previous, expected] of [
  ['a new household gets a new number', [g('A', 'B')], [], { numbers: [undefined], absorbed: [[]], dissolved: [] }],
  ['a household that gains a member keeps its number', [g('A', 'B', 'C')], [{ number: 5, members: ['A', 'B'] }], { numbers: [5], absorbed: [[]], dissolved: [] }],
  // Identity B merged into A (B's master ID is gone): A now links both families, one group; the older ID survives.
  ['merge of two identities of different households: the older household survives, the other is absorbed',
    [g('A', 'A2', 'B2')], [{ number: 9, members: ['B', 'B2'] }, { number: 4, members: ['A', 'A2'] }], { numbers: [4], absorbed: [[9]], dissolved: [] }],
  ['a split: the part holding most old members keeps the number, the rest gets a new one',
    [g('A', 'B', 'C'), g('D', 'E')], [{ number: 3, members: ['A', 'B', 'C', 'D'] }], { numbers: [3, undefined], absorbed: [[], []], dissolved: [] }],
  ['a split in halves: the tie goes to the group with the smallest member',
    [g('C', 'D'), g('A', 'B')], [{ number: 3, members: ['A', 'B', 'C', 'D'] }], { numbers: [undefined, 3], absorbed: [[], []], dissolved: [] }],
  // An identity split in two (X keeps its master ID, Y is new): both still share the family name, so the household keeps its ID.
  ['an identity split inside a household keeps the household', [g('P', 'X', 'Y')], [{ number: 7, members: ['P', 'X'] }], { numbers: [7], absorbed: [[]], dissolved: [] }],
  ['a household whose members no longer link is dissolved', [], [{ number: 2, members: ['A', 'B'] }], { numbers: [], absorbed: [], dissolved: [2] }],
] as const) {
  test(`assignHouseholdNumbers: ${name}`, () => {
    const r = assignHouseholdNumbers(groups, previous as readonly PreviousHousehold[]);
    assert.deepEqual(r.households.map((h) => h.number), expected.numbers);
    assert.deepEqual(r.households.map((h) => h.absorbed), expected.absorbed);
    assert.deepEqual(r.dissolved, expected.dissolved);
  });
}
