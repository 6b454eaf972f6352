/**
 * Households: identities that share a standardized address and at least one of a family name, a phone or an
 * email. A household groups identities (master IDs); it never merges them. Pure: the households service and its
 * stores call these functions and do the I/O.
 */
import { UnionFind } from './unionFind.js';

/** Readable and stable like master IDs: `HH_` and the household number, zero-padded (older = smaller). */
export const householdIdOf = (n: number | string): string => `HH_${String(n).padStart(10, '0')}`;

/** The number of a household ID, or undefined when the text is not one. */
export const householdNumberOf = (id: string): number | undefined => {
  const m = /^HH_(\d{1,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
};

/** What of an identity the household rule reads: its current address and every name, phone and email it holds. */
export interface HouseholdIdentity {
  masterId: string;
  /** Null when the identity has no usable address (it then belongs to no household). */
  addressKey: string | null;
  address: Record<string, string>;
  familyNames: string[];
  phones: string[];
  emails: string[];
}

export type SharedKind = 'family_name' | 'phone' | 'email';

/** Why two identities of a household are together: what they share (the values stay out: they are personal data). */
export interface HouseholdEvidence {
  a: string;
  b: string;
  shared: SharedKind[];
}

export interface HouseholdMemberRecord {
  recordId: string;
  /** Larger is more recent (the record version). */
  recency: number;
  values: Readonly<Record<string, string>>;
}

/** Address parts that make up the key, in key order. `unit` is the apartment the standardizer split off. */
export const ADDRESS_KEY_FIELDS = ['house_number', 'address_line1', 'unit', 'postcode', 'city', 'state'] as const;

/**
 * The address key of one standardized record, or null when the address cannot place a household: it needs a
 * house number, a street line and a postcode or a city (a street alone would group a whole street). The postcode
 * stands for city and state when present, so "SPRINGFIELD IL 62704" and "62704" are one address.
 */
export function addressKeyOf(values: Readonly<Record<string, string>>): string | null {
  const v = (f: string): string => (values[f] ?? '').trim();
  if (v('house_number') === '' || v('address_line1') === '') return null;
  const place = v('postcode') !== '' ? `Z${v('postcode')}` : v('city') !== '' ? `C${v('city')}|${v('state')}` : '';
  if (place === '') return null;
  return `${v('house_number')}|${v('address_line1')}|${v('unit')}|${place}`;
}

const distinct = (xs: Iterable<string>): string[] => [...new Set([...xs].filter((x) => x !== ''))].sort();

/**
 * The household view of one identity from its member records. The address is taken whole from the most recent
 * record with a usable one (never a field from each record, which could invent an address nobody lives at);
 * names, phones and emails are all the identity's values, since each is evidence about the same person.
 */
export function householdIdentityOf(masterId: string, members: readonly HouseholdMemberRecord[]): HouseholdIdentity {
  const ordered = [...members].sort((x, y) => y.recency - x.recency || (x.recordId < y.recordId ? -1 : x.recordId > y.recordId ? 1 : 0));
  let addressKey: string | null = null;
  let address: Record<string, string> = {};
  for (const m of ordered) {
    const k = addressKeyOf(m.values);
    if (k === null) continue;
    addressKey = k;
    address = {};
    for (const f of ADDRESS_KEY_FIELDS) if ((m.values[f] ?? '') !== '') address[f] = m.values[f]!;
    break;
  }
  return {
    masterId,
    addressKey,
    address,
    familyNames: distinct(ordered.map((m) => m.values['family_name'] ?? '')),
    phones: distinct(ordered.map((m) => m.values['phone'] ?? '')),
    emails: distinct(ordered.map((m) => m.values['email'] ?? '')),
  };
}

export interface HouseholdGroup {
  /** Master IDs, sorted. */
  members: string[];
  evidence: HouseholdEvidence[];
}

/**
 * Largest household formed. A bigger group at one address is a building without unit numbers, an institution or
 * a placeholder address shared by many records, not a family: it forms no household.
 */
export const DEFAULT_MAX_HOUSEHOLD_SIZE = 30;

/**
 * Groups the identities of one address: two identities are linked when they share a family name, a phone or an
 * email, and a household is a connected group of two or more (at most maxSize). Evidence lists the links that
 * joined the group (a spanning tree, so its size stays linear), each with everything the two share.
 * Order-independent.
 */
export function groupHouseholds(identities: readonly HouseholdIdentity[], maxSize = DEFAULT_MAX_HOUSEHOLD_SIZE): HouseholdGroup[] {
  const ids = [...identities].sort((x, y) => (x.masterId < y.masterId ? -1 : x.masterId > y.masterId ? 1 : 0));
  const uf = new UnionFind<string>();
  const evidence: HouseholdEvidence[] = [];
  // Index by value so a large address (a building without unit numbers) costs pairs that share something, not n².
  const byValue = new Map<string, number[]>();
  ids.forEach((idn, i) => {
    uf.add(idn.masterId);
    for (const [kind, values] of [['family_name', idn.familyNames], ['phone', idn.phones], ['email', idn.emails]] as const) {
      for (const v of values) {
        const k = `${kind}\u0000${v}`;
        const l = byValue.get(k);
        if (l) l.push(i);
        else byValue.set(k, [i]);
      }
    }
  });
  const candidates = new Set<number>();
  for (const l of byValue.values()) for (let j = 1; j < l.length; j++) candidates.add(l[0]! * ids.length + l[j]!);
  for (const c of [...candidates].sort((x, y) => x - y)) {
    const a = ids[Math.floor(c / ids.length)]!;
    const b = ids[c % ids.length]!;
    if (uf.union(a.masterId, b.masterId)) evidence.push({ a: a.masterId, b: b.masterId, shared: sharedKinds(a, b) });
  }
  const groups = new Map<string, HouseholdGroup>();
  for (const idn of ids) {
    const root = uf.find(idn.masterId);
    const g = groups.get(root) ?? { members: [], evidence: [] };
    g.members.push(idn.masterId);
    groups.set(root, g);
  }
  for (const e of evidence) groups.get(uf.find(e.a))!.evidence.push(e);
  return [...groups.values()].filter((g) => g.members.length > 1 && g.members.length <= maxSize).sort((x, y) => (x.members[0]! < y.members[0]! ? -1 : 1));
}

function sharedKinds(a: HouseholdIdentity, b: HouseholdIdentity): SharedKind[] {
  const out: SharedKind[] = [];
  const meet = (x: readonly string[], y: readonly string[]): boolean => x.some((v) => y.includes(v));
  if (meet(a.familyNames, b.familyNames)) out.push('family_name');
  if (meet(a.phones, b.phones)) out.push('phone');
  if (meet(a.emails, b.emails)) out.push('email');
  return out;
}

export interface PreviousHousehold {
  number: number;
  members: readonly string[];
}

export interface AssignedHousehold extends HouseholdGroup {
  /** The household number, or undefined for a group that needs a new one. */
  number: number | undefined;
  /** Old households merged into this one (their IDs end). */
  absorbed: number[];
}

export interface HouseholdAssignment {
  households: AssignedHousehold[];
  /** Old households none of whose members are in a household at this address any more. */
  dissolved: number[];
}

/**
 * Household numbers by the rule resolve uses for master IDs: each old household, oldest (smallest number) first,
 * keeps the group holding most of its old members, so the older ID survives a merge and the larger part keeps it
 * in a split; an old household whose best group is already taken is absorbed by it; groups left over get new
 * numbers. Ties go to the group with the smallest member, so the result depends only on the inputs.
 */
export function assignHouseholdNumbers(groups: readonly HouseholdGroup[], previous: readonly PreviousHousehold[]): HouseholdAssignment {
  const groupOf = new Map<string, number>();
  groups.forEach((g, gi) => { for (const m of g.members) groupOf.set(m, gi); });
  const out: AssignedHousehold[] = groups.map((g) => ({ ...g, number: undefined, absorbed: [] }));
  const dissolved: number[] = [];
  const first = (gi: number): string => groups[gi]!.members.reduce((m, x) => (x < m ? x : m));
  for (const old of [...previous].sort((x, y) => x.number - y.number)) {
    const counts = new Map<number, number>();
    for (const m of old.members) { const g = groupOf.get(m); if (g !== undefined) counts.set(g, (counts.get(g) ?? 0) + 1); }
    let best: number | undefined;
    for (const [g, n] of counts) if (best === undefined || n > counts.get(best)! || (n === counts.get(best)! && first(g) < first(best))) best = g;
    if (best === undefined) dissolved.push(old.number);
    else if (out[best]!.number === undefined) out[best]!.number = old.number;
    else out[best]!.absorbed.push(old.number);
  }
  return { households: out, dissolved };
}
