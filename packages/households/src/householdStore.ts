import type { HouseholdEvidence, HouseholdIdentity } from '@idres/core/households';

/** One household as stored. */
export interface HouseholdState {
  householdId: string;
  addressKey: string;
  address: Record<string, string>;
  /** Master IDs, sorted. */
  members: string[];
  evidence: HouseholdEvidence[];
}

/** A household that exists after the change, with the identities that left it in this change. */
export interface ChangedHousehold extends HouseholdState {
  departed: string[];
}

/** A household that ended in this change: absorbed by an older one, or no longer held together. */
export interface EndedHousehold {
  householdId: string;
  departed: string[];
  absorbedInto: string | null;
}

export interface HouseholdChanges {
  changed: ChangedHousehold[];
  ended: EndedHousehold[];
}

export interface HouseholdUpdate {
  /** Identities as they are now (their address, names, phones, emails). */
  identities: readonly HouseholdIdentity[];
  /** Master IDs that no longer exist (merged away or retired). */
  removed: readonly string[];
  /** Latest identity.resolved seq seen per master ID (what publish puts in a golden record it rebuilds). */
  seqs?: ReadonlyMap<string, number>;
}

/**
 * Household state. `apply` recomputes the households of every address an updated identity is or was at, and
 * returns only households whose members, evidence or address changed. Idempotent: applying the same update
 * twice changes nothing the second time.
 */
export interface HouseholdStore {
  migrate(): Promise<void>;
  apply(update: HouseholdUpdate): Promise<HouseholdChanges>;
  household(householdId: string): Promise<HouseholdState | undefined>;
  /** The household of each given master ID that has one. */
  householdsOf(masterIds: readonly string[]): Promise<Map<string, string>>;
  /** The latest identity.resolved seq stored per master ID (publish stamps it on a golden record it rebuilds for a household change). */
  seqsOf(masterIds: readonly string[]): Promise<Map<string, number>>;
}
