import type { HouseholdIdentity } from '@idres/core/households';
import type { HouseholdChanges, HouseholdState, HouseholdStore, HouseholdUpdate } from './householdStore';
import { planHouseholds } from './planHouseholds';

/** HouseholdStore in memory: for unit tests of the households service and as the reference the Postgres store must match. */
export class InMemoryHouseholdStore implements HouseholdStore {
  private readonly identities = new Map<string, HouseholdIdentity>();
  private readonly households = new Map<string, HouseholdState>();
  private readonly memberOf = new Map<string, string>();
  private nextNumber = 1;
  private readonly seqs = new Map<string, number>();

  async migrate(): Promise<void> {}

  async apply(update: HouseholdUpdate): Promise<HouseholdChanges> {
    const keys = new Set<string>();
    for (const id of [...update.removed, ...update.identities.map((i) => i.masterId)]) {
      const old = this.identities.get(id)?.addressKey;
      if (old) keys.add(old);
    }
    for (const id of update.removed) { this.identities.delete(id); this.seqs.delete(id); }
    for (const i of update.identities) {
      this.identities.set(i.masterId, i);
      if (i.addressKey) keys.add(i.addressKey);
    }
    for (const [id, s] of update.seqs ?? []) if (this.identities.has(id)) this.seqs.set(id, Math.max(this.seqs.get(id) ?? 0, s));
    const byKey = new Map<string, HouseholdIdentity[]>();
    for (const i of this.identities.values()) {
      if (!i.addressKey || !keys.has(i.addressKey)) continue;
      const l = byKey.get(i.addressKey);
      if (l) l.push(i);
      else byKey.set(i.addressKey, [i]);
    }
    const previous = [...this.households.values()].filter((h) => keys.has(h.addressKey));
    const { next, changes } = await planHouseholds(byKey, previous, async (n) => Array.from({ length: n }, () => this.nextNumber++));
    for (const h of previous) { this.households.delete(h.householdId); for (const m of h.members) this.memberOf.delete(m); }
    for (const id of update.removed) this.memberOf.delete(id);
    for (const h of next) { this.households.set(h.householdId, h); for (const m of h.members) this.memberOf.set(m, h.householdId); }
    return changes;
  }

  async household(householdId: string): Promise<HouseholdState | undefined> {
    return this.households.get(householdId);
  }

  async householdsOf(masterIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const m of masterIds) { const h = this.memberOf.get(m); if (h) out.set(m, h); }
    return out;
  }

  async seqsOf(masterIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const m of masterIds) { const s = this.seqs.get(m); if (s !== undefined) out.set(m, s); }
    return out;
  }
}
