import type { Pool } from 'pg';
import { Counter } from 'prom-client';
import {
  activeTraceHeaders,
  ConsumerRunner,
  TOPICS,
  type InboundMessage,
  type PairEventAvro,
  type PairKeyAvro,
  type Rejection,
  type RunnerDeps,
  type ServiceApp,
} from '@idres/runtime';
import { PostgresResolveStore, type ResolveBatch } from './resolveStore';

export function buildResolveApp(deps: RunnerDeps, pool: Pool): ServiceApp & { store: PostgresResolveStore } {
  const store = new PostgresResolveStore(pool);
  const events = new Counter({ name: 'idres_resolve_events_total', help: 'Resolved events published', registers: [deps.metrics.registry] });
  const pairsApplied = new Counter({ name: 'idres_resolve_pairs_total', help: 'Pairs applied', registers: [deps.metrics.registry] });

  const flush = async (): Promise<void> => {
    // Events leave with the trace of the batch that sent them (when tracing is on).
    const traceHeaders = activeTraceHeaders();
    const headers = Object.keys(traceHeaders).length > 0 ? { headers: traceHeaders } : {};
    for (;;) {
      const n = await store.flushOutbox(async (evs) => {
        await deps.producer.sendBatch({
          acks: -1,
          topicMessages: [{
            topic: TOPICS.resolved,
            messages: evs.map((e) => ({ key: deps.serde.encodeKey(TOPICS.resolved, { masterId: e.masterId }), value: deps.serde.encodeValue(TOPICS.resolved, e), ...headers })),
          }],
        });
      });
      events.inc(n);
      if (n === 0) return;
    }
  };

  const handle = async (messages: InboundMessage<PairKeyAvro, PairEventAvro>[]) => {
    const batch: ResolveBatch = { records: [], pairs: [] };
    const rejects: Rejection<PairKeyAvro, PairEventAvro>[] = [];
    for (const m of messages) {
      const e = m.value;
      if (!e) {
        rejects.push({ message: m, code: 'INPUT_INVALID', reason: 'tombstone on identity.pairs' });
      } else if (e.kind === 'PAIR') {
        if (e.otherRecordId === null || e.otherVersion === null) {
          rejects.push({ message: m, code: 'INPUT_INVALID', reason: 'PAIR event without otherRecordId/otherVersion' });
          continue;
        }
        batch.pairs.push({ a: e.recordId, av: e.version, b: e.otherRecordId, bv: e.otherVersion, probability: e.probability, matchWeight: e.matchWeight, rule: e.deterministicRule ?? e.blockingRule, explanation: e.explanation, ingestedAt: e.ingestedAt });
      } else {
        batch.records.push({ kind: e.kind, recordId: e.recordId, version: e.version, values: e.values, ingestedAt: e.ingestedAt });
      }
    }
    await store.apply(batch); // Postgres deadlocks, serialization failures and lost connections are retriable (see isRetriable)
    pairsApplied.inc(batch.pairs.length);
    await flush();
    return { outputs: [], rejects };
  };

  const runner = new ConsumerRunner<PairKeyAvro, PairEventAvro>({
    ...deps,
    stage: 'resolve',
    groupId: `${deps.groupPrefix}.resolve`,
    topic: TOPICS.pairs,
    keySchema: 'PairKey',
    valueSchema: 'PairEvent',
    maxBatchSize: deps.batchSize,
    handle,
  });
  return {
    store,
    start: async () => {
      await store.migrate();
      await flush(); // events a crashed instance committed but did not send
      await runner.start();
    },
    stop: () => runner.stop(),
    isReady: () => runner.isRunning(),
  };
}
