import { Counter } from 'prom-client';
import { householdIdentityOf } from '@idres/core/households';
import type { HouseholdChanges, HouseholdStore } from '@idres/households';
import {
  ConsumerRunner, TOPICS, type HouseholdAvro, type InboundMessage, type MasterKeyAvro, type OutboundMessage,
  type ResolvedEventAvro, type RunnerDeps, type ServiceApp,
} from '@idres/runtime';
import type { IdentitySource } from './identitySource';

/**
 * Keeps households current. Like publish, each identity.resolved event only names an identity that changed: its
 * household view is rebuilt from resolve's current state, so duplicated or reordered events converge. Every
 * household whose members, evidence or address changed goes to the compacted identity.households; an ended one
 * gets a last version (no members, who departed, what absorbed it) and then a tombstone.
 */
export function buildHouseholdsApp(deps: RunnerDeps, store: HouseholdStore, source: IdentitySource): ServiceApp {
  const changedTotal = new Counter({ name: 'idres_households_changed_total', help: 'Households created or changed', registers: [deps.metrics.registry] });
  const endedTotal = new Counter({ name: 'idres_households_ended_total', help: 'Households absorbed by an older one or dissolved', registers: [deps.metrics.registry] });
  const handle = async (messages: InboundMessage<MasterKeyAvro, ResolvedEventAvro>[]) => {
    const seqs = new Map<string, number>();
    for (const m of messages) {
      const e = m.value;
      if (!e) continue;
      seqs.set(e.masterId, Math.max(seqs.get(e.masterId) ?? 0, e.seq));
    }
    if (seqs.size === 0) return { outputs: [] };
    const current = await source.members([...seqs.keys()]);
    const identities = [...current].map(([masterId, members]) => householdIdentityOf(masterId, members));
    const removed = [...seqs.keys()].filter((id) => !current.has(id));
    const changes = await store.apply({ identities, removed, seqs });
    changedTotal.inc(changes.changed.length);
    endedTotal.inc(changes.ended.length);
    return { outputs: householdMessages(changes, Date.now()) };
  };
  const runner = new ConsumerRunner<MasterKeyAvro, ResolvedEventAvro>({
    ...deps,
    stage: 'households',
    groupId: `${deps.groupPrefix}.households`,
    topic: TOPICS.resolved,
    keySchema: 'MasterKey',
    valueSchema: 'ResolvedEvent',
    maxBatchSize: Math.max(deps.batchSize, 2000),
    handle,
  });
  return {
    start: () => runner.start(),
    stop: () => runner.stop(),
    isReady: () => runner.isRunning(),
  };
}

/** The identity.households messages of one change, keyed by household ID. */
export function householdMessages(changes: HouseholdChanges, at: number): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  for (const h of changes.changed) {
    const value: HouseholdAvro = { householdId: h.householdId, members: h.members, address: h.address, evidence: h.evidence, departed: h.departed, absorbedInto: null, updatedAt: at };
    out.push({ topic: TOPICS.households, key: { householdId: h.householdId }, value });
  }
  for (const e of changes.ended) {
    const last: HouseholdAvro = { householdId: e.householdId, members: [], address: {}, evidence: [], departed: e.departed, absorbedInto: e.absorbedInto, updatedAt: at };
    out.push({ topic: TOPICS.households, key: { householdId: e.householdId }, value: last });
    out.push({ topic: TOPICS.households, key: { householdId: e.householdId }, value: null });
  }
  return out;
}
