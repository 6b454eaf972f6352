import {
  assignHouseholdNumbers, groupHouseholds, householdIdOf, householdNumberOf, type HouseholdIdentity,
} from '@idres/core/households';
import type { EndedHousehold, HouseholdChanges, HouseholdState } from './householdStore';

/**
 * The households of some addresses, recomputed from the identities now at them, against the households stored
 * there before. Both stores run this one function, so they agree by construction; only how new numbers are
 * drawn differs (`allocate` returns `n` fresh household numbers).
 */
export async function planHouseholds(
  identitiesByKey: ReadonlyMap<string, readonly HouseholdIdentity[]>,
  previous: readonly HouseholdState[],
  allocate: (n: number) => Promise<number[]>,
): Promise<{ next: HouseholdState[]; changes: HouseholdChanges }> {
  const prevByKey = new Map<string, HouseholdState[]>();
  for (const h of previous) {
    const l = prevByKey.get(h.addressKey);
    if (l) l.push(h);
    else prevByKey.set(h.addressKey, [h]);
  }
  const keys = [...new Set([...identitiesByKey.keys(), ...prevByKey.keys()])].sort();
  const pending: Array<{ key: string; address: Record<string, string>; members: string[]; evidence: HouseholdState['evidence']; number: number | undefined; absorbed: number[] }> = [];
  const dissolved: number[] = [];
  for (const key of keys) {
    const ids = identitiesByKey.get(key) ?? [];
    const groups = groupHouseholds(ids);
    const prev = (prevByKey.get(key) ?? []).map((h) => ({ number: householdNumberOf(h.householdId)!, members: h.members }));
    const a = assignHouseholdNumbers(groups, prev);
    dissolved.push(...a.dissolved);
    const addressOf = new Map(ids.map((i) => [i.masterId, i.address]));
    for (const h of a.households) pending.push({ key, address: addressOf.get(h.members[0]!) ?? {}, members: h.members, evidence: h.evidence, number: h.number, absorbed: h.absorbed });
  }
  const fresh = pending.filter((p) => p.number === undefined);
  const numbers = fresh.length > 0 ? await allocate(fresh.length) : [];
  fresh.forEach((p, i) => { p.number = numbers[i]!; });

  const before = new Map(previous.map((h) => [h.householdId, h]));
  const next: HouseholdState[] = pending.map((p) => ({ householdId: householdIdOf(p.number!), addressKey: p.key, address: p.address, members: p.members, evidence: p.evidence }));
  const changes: HouseholdChanges = { changed: [], ended: [] };
  for (const h of next) {
    const old = before.get(h.householdId);
    if (old && sameHousehold(old, h)) continue;
    const now = new Set(h.members);
    changes.changed.push({ ...h, departed: old ? old.members.filter((m) => !now.has(m)) : [] });
  }
  const ended = (n: number, absorbedInto: string | null): EndedHousehold => ({ householdId: householdIdOf(n), departed: [...(before.get(householdIdOf(n))?.members ?? [])], absorbedInto });
  pending.forEach((p, i) => { for (const n of p.absorbed) changes.ended.push(ended(n, next[i]!.householdId)); });
  for (const n of dissolved) changes.ended.push(ended(n, null));
  return { next, changes };
}

const sameHousehold = (a: HouseholdState, b: HouseholdState): boolean =>
  a.addressKey === b.addressKey && JSON.stringify(a.members) === JSON.stringify(b.members) &&
  JSON.stringify(a.evidence) === JSON.stringify(b.evidence) && JSON.stringify(a.address) === JSON.stringify(b.address);
