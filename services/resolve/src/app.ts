import type { Pool } from 'pg';
import { Counter } from 'prom-client';
import {
  activeTraceHeaders,
  chunkBySize,
  ConsumerRunner,
  MAX_REQUEST_BYTES,
  TOPICS,
  type InboundMessage,
  type OverrideEventAvro,
  type OverrideKeyAvro,
  type PairEventAvro,
  type PackKeyAvro,
  type Rejection,
  type RunnerDeps,
  type ServiceApp,
} from '@idres/runtime';
import { PostgresResolveStore, type ResolveBatch, type ResolveStoreOptions } from './resolveStore';

export function buildResolveApp(deps: RunnerDeps, pool: Pool, opts: ResolveStoreOptions = {}): ServiceApp & { store: PostgresResolveStore } {
  const store = new PostgresResolveStore(pool, opts);
  const events = new Counter({ name: 'idres_resolve_events_total', help: 'Resolved events published', registers: [deps.metrics.registry] });
  const pairsApplied = new Counter({ name: 'idres_resolve_pairs_total', help: 'Pairs applied', registers: [deps.metrics.registry] });
  const heldLinks = new Counter({ name: 'idres_resolve_held_links_total', help: 'New links between records the clustering keeps in different identities (inconsistent components, or the IDRES_MAX_IDENTITY_SIZE ceiling)', registers: [deps.metrics.registry] });
  const truncated = new Counter({ name: 'idres_resolve_truncated_components_total', help: 'Batches whose linked component reached IDRES_MAX_COMPONENT_SIZE records', registers: [deps.metrics.registry] });

  const flush = async (): Promise<void> => {
    // Events leave with the trace of the batch that sent them (when tracing is on).
    const traceHeaders = activeTraceHeaders();
    const headers = traceHeaders ? { headers: traceHeaders } : {};
    for (;;) {
      const n = await store.flushOutbox(async (evs) => {
        const messages = evs.map((e) => ({ key: deps.serde.encodeKey(TOPICS.resolved, { masterId: e.masterId }), value: deps.serde.encodeValue(TOPICS.resolved, e), ...headers }));
        // In requests of at most MAX_REQUEST_BYTES, in order: a backlog of many batches' events (after a restart)
        // must not make one partition's record batch exceed the broker's message.max.bytes.
        for (const chunk of chunkBySize(messages, (m) => m.key.length + m.value.length, MAX_REQUEST_BYTES)) {
          await deps.producer.sendBatch({ acks: -1, topicMessages: [{ topic: TOPICS.resolved, messages: chunk }] });
        }
      });
      events.inc(n);
      if (n === 0) return;
    }
  };

  const handle = async (messages: InboundMessage<PackKeyAvro, PairEventAvro>[]) => {
    const batch: ResolveBatch = { records: [], pairs: [] };
    const rejects: Rejection<PackKeyAvro, PairEventAvro>[] = [];
    for (const m of messages) {
      const e = m.value;
      if (!e) {
        rejects.push({ message: m, code: 'INPUT_INVALID', reason: `tombstone on ${TOPICS.pairs}` });
      } else if (e.kind === 'PAIR') {
        if (e.otherRecordId === null || e.otherVersion === null) {
          rejects.push({ message: m, code: 'INPUT_INVALID', reason: 'PAIR event without otherRecordId/otherVersion' });
          continue;
        }
        batch.pairs.push({ a: e.recordId, av: e.version, b: e.otherRecordId, bv: e.otherVersion, probability: e.probability, matchWeight: e.matchWeight, rule: e.deterministicRule ?? e.blockingRule, explanation: e.explanation, modelVersion: e.modelVersion ?? null, link: e.link ?? true, ingestedAt: e.ingestedAt });
      } else {
        batch.records.push({ kind: e.kind, recordId: e.recordId, version: e.version, values: e.values, ingestedAt: e.ingestedAt });
      }
    }
    const heldBefore = store.heldLinks;
    const truncatedBefore = store.truncatedComponents;
    await store.apply(batch); // Postgres deadlocks, serialization failures and lost connections are retriable (see isRetriable)
    heldLinks.inc(store.heldLinks - heldBefore);
    if (store.truncatedComponents > truncatedBefore) {
      truncated.inc(store.truncatedComponents - truncatedBefore);
      deps.logger.warn({ limit: 'IDRES_MAX_COMPONENT_SIZE' }, 'a linked component reached the size limit: identities beyond it were not recomputed with this batch');
    }
    pairsApplied.inc(batch.pairs.length);
    await flush();
    return { outputs: [], rejects };
  };

  const runner = new ConsumerRunner<PackKeyAvro, PairEventAvro>({
    ...deps,
    stage: 'resolve',
    groupId: `${deps.groupPrefix}.resolve`,
    topic: TOPICS.pairs,
    keySchema: 'PackKey',
    valueSchema: 'PairEventPack',
    maxBatchSize: deps.batchSize,
    handle,
  });
  // A reviewer's decision (identity.overrides) recomputes both records' identities now; the decision itself is
  // read from idres_overrides by every batch, so replays and later pairs obey it too.
  const decisionsApplied = new Counter({ name: 'idres_resolve_override_events_total', help: 'Reviewer decisions (identity.overrides events) applied', registers: [deps.metrics.registry] });
  const handleOverrides = async (messages: InboundMessage<OverrideKeyAvro, OverrideEventAvro>[]) => {
    const rejects: Rejection<OverrideKeyAvro, OverrideEventAvro>[] = [];
    const touch: string[] = [];
    for (const m of messages) {
      if (!m.value) { rejects.push({ message: m, code: 'INPUT_INVALID', reason: 'tombstone on identity.overrides' }); continue; }
      touch.push(m.value.a, m.value.b);
    }
    await store.apply({ records: [], pairs: [], touch });
    decisionsApplied.inc(messages.length - rejects.length);
    await flush();
    return { outputs: [], rejects };
  };
  const overrideRunner = new ConsumerRunner<OverrideKeyAvro, OverrideEventAvro>({
    ...deps,
    stage: 'resolve',
    groupId: `${deps.groupPrefix}.resolve-overrides`,
    topic: TOPICS.overrides,
    keySchema: 'OverrideKey',
    valueSchema: 'OverrideEvent',
    maxBatchSize: deps.batchSize,
    handle: handleOverrides,
  });
  return {
    store,
    start: async () => {
      await store.migrate();
      await flush(); // events a crashed instance committed but did not send
      await runner.start();
      await overrideRunner.start();
    },
    stop: async () => {
      await overrideRunner.stop();
      await runner.stop();
    },
    isReady: () => runner.isRunning() && overrideRunner.isRunning(),
  };
}
