import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HouseholdIdentity } from '@idres/core/households';
import type { HouseholdStore } from '../src/householdStore';

const K1 = '12|N MAIN ST||Z62704';
const K2 = '7|OAK AVE|2|Z10001';
const person = (masterId: string, key: string | null, o: { family?: string; phone?: string; email?: string } = {}): HouseholdIdentity => ({
  masterId, addressKey: key, address: key ? { house_number: key.split('|')[0]! } : {},
  familyNames: o.family ? [o.family] : [], phones: o.phone ? [o.phone] : [], emails: o.email ? [o.email] : [],
});

/** One suite for every HouseholdStore implementation (in-memory in unit tests, Postgres in integration tests). */
export function householdStoreSuite(name: string, make: () => Promise<HouseholdStore>): void {
  test(`${name}: identities sharing an address and a family name form a household; others at the address do not`, async () => {
    const s = await make();
    const ch = await s.apply({ identities: [person('MDM_1', K1, { family: 'SMITH' }), person('MDM_2', K1, { family: 'SMITH' }), person('MDM_3', K1, { family: 'LEE' }), person('MDM_4', K2, { family: 'SMITH' })], removed: [] });
    assert.equal(ch.changed.length, 1);
    const h = ch.changed[0]!;
    assert.match(h.householdId, /^HH_\d{10}$/);
    assert.deepEqual(h.members, ['MDM_1', 'MDM_2']);
    assert.deepEqual(h.evidence, [{ a: 'MDM_1', b: 'MDM_2', shared: ['family_name'] }]);
    assert.deepEqual((await s.household(h.householdId))?.members, ['MDM_1', 'MDM_2']);
    assert.deepEqual([...(await s.householdsOf(['MDM_1', 'MDM_2', 'MDM_3', 'MDM_4']))], [['MDM_1', h.householdId], ['MDM_2', h.householdId]]);
    assert.deepEqual(await s.apply({ identities: [person('MDM_1', K1, { family: 'SMITH' })], removed: [], seqs: new Map([['MDM_1', 7]]) }), { changed: [], ended: [] }, 'idempotent');
    await s.apply({ identities: [person('MDM_1', K1, { family: 'SMITH' })], removed: [], seqs: new Map([['MDM_1', 5]]) });
    assert.deepEqual([...(await s.seqsOf(['MDM_1', 'MDM_9']))], [['MDM_1', 7]], 'the seq only rises');
  });

  test(`${name}: a joining member keeps the ID; a move away is a departure; the last one leaving ends the household`, async () => {
    const s = await make();
    const [h] = (await s.apply({ identities: [person('MDM_1', K1, { family: 'SMITH' }), person('MDM_2', K1, { family: 'SMITH' })], removed: [] })).changed;
    const id = h!.householdId;
    const join = await s.apply({ identities: [person('MDM_3', K1, { phone: '+1' }), person('MDM_1', K1, { family: 'SMITH', phone: '+1' })], removed: [] });
    assert.deepEqual(join.changed.map((c) => [c.householdId, c.members, c.departed]), [[id, ['MDM_1', 'MDM_2', 'MDM_3'], []]]);
    const move = await s.apply({ identities: [person('MDM_3', K2, { phone: '+1' })], removed: [] });
    assert.deepEqual(move.changed.map((c) => [c.householdId, c.members, c.departed]), [[id, ['MDM_1', 'MDM_2'], ['MDM_3']]]);
    assert.equal((await s.householdsOf(['MDM_3'])).size, 0);
    const gone = await s.apply({ identities: [], removed: ['MDM_2'] });
    assert.deepEqual(gone, { changed: [], ended: [{ householdId: id, departed: ['MDM_1', 'MDM_2'], absorbedInto: null }] });
    assert.equal(await s.household(id), undefined);
    assert.equal((await s.householdsOf(['MDM_1', 'MDM_2'])).size, 0);
  });

  test(`${name}: merge of two identities of different households keeps the older household ID and ends the other`, async () => {
    const s = await make();
    const a = (await s.apply({ identities: [person('MDM_10', K1, { family: 'SMITH' }), person('MDM_11', K1, { family: 'SMITH' })], removed: [] })).changed[0]!;
    const b = (await s.apply({ identities: [person('MDM_20', K1, { family: 'JONES' }), person('MDM_21', K1, { family: 'JONES' })], removed: [] })).changed[0]!;
    assert.ok(a.householdId < b.householdId);
    // MDM_20 merged into MDM_10 (resolve keeps the older master ID): MDM_10 now carries both family names.
    const merged: HouseholdIdentity = { ...person('MDM_10', K1), familyNames: ['JONES', 'SMITH'] };
    const ch = await s.apply({ identities: [merged], removed: ['MDM_20'] });
    assert.deepEqual(ch.changed.map((c) => [c.householdId, c.members]), [[a.householdId, ['MDM_10', 'MDM_11', 'MDM_21']]]);
    assert.deepEqual(ch.ended, [{ householdId: b.householdId, departed: ['MDM_20', 'MDM_21'], absorbedInto: a.householdId }]);
    assert.deepEqual([...(await s.householdsOf(['MDM_10', 'MDM_11', 'MDM_20', 'MDM_21']))].map(([, h]) => h), [a.householdId, a.householdId, a.householdId]);
    // The identity splits again (MDM_30 is the new master ID of the JONES part): the older household keeps its ID, the JONES part gets a new one.
    const split = await s.apply({ identities: [person('MDM_10', K1, { family: 'SMITH' }), person('MDM_30', K1, { family: 'JONES' })], removed: [] });
    const ids = split.changed.map((c) => [c.householdId === a.householdId ? 'kept' : 'new', c.members, c.departed]);
    assert.deepEqual(ids.sort(), [['kept', ['MDM_10', 'MDM_11'], ['MDM_21']], ['new', ['MDM_21', 'MDM_30'], []]]);
    assert.ok(split.changed.every((c) => c.householdId !== b.householdId), 'an ended household ID is never reused');
  });
}
