import { DEFAULT_BLOCKING_RULES, blockingKeys, type BlockingRule } from '@idres/core';
import {
  ConsumerRunner,
  TOPICS,
  type BlockedRecordAvro,
  type InboundMessage,
  type OutboundMessage,
  type RecordKey,
  type Rejection,
  type RunnerDeps,
  type ServiceApp,
  type StandardizedRecordAvro,
} from '@idres/runtime';

/** A record with no blocking key, or a delete, travels under its own key so it still reaches resolve. */
export const ownKey = (recordId: string): string => `record:${recordId}`;

/** Pure fan-out, exported for tests: one message per blocking key; exactly one of them is `primary`. */
export function blockRecord(rec: StandardizedRecordAvro, rules: readonly BlockingRule[]): BlockedRecordAvro[] {
  const base = { recordId: rec.recordId, version: rec.version, deleted: rec.deleted, values: rec.values, ingestedAt: rec.ingestedAt };
  if (rec.deleted) return [{ ...base, blockKey: ownKey(rec.recordId), rule: 'none', ruleIndex: -1, keys: [], primary: true }];
  const keys = blockingKeys(rec.values, rules);
  const compact = keys.map((k) => ({ ruleIndex: k.ruleIndex, key: k.key }));
  if (keys.length === 0) return [{ ...base, blockKey: ownKey(rec.recordId), rule: 'none', ruleIndex: -1, keys: [], primary: true }];
  return keys.map((k, i) => ({ ...base, blockKey: k.key, rule: k.rule, ruleIndex: k.ruleIndex, keys: compact, primary: i === 0 }));
}

export function buildBlockApp(deps: RunnerDeps, rules: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES): ServiceApp {
  const runner = new ConsumerRunner<RecordKey, StandardizedRecordAvro>({
    ...deps,
    stage: 'block',
    groupId: `${deps.groupPrefix}.block`,
    topic: TOPICS.standardized,
    keySchema: 'RecordKey',
    valueSchema: 'StandardizedRecord',
    maxBatchSize: deps.batchSize,
    handle: async (messages: InboundMessage<RecordKey, StandardizedRecordAvro>[]) => {
      const outputs: OutboundMessage[] = [];
      const rejects: Rejection<RecordKey, StandardizedRecordAvro>[] = [];
      for (const m of messages) {
        if (!m.value) {
          rejects.push({ message: m, code: 'INPUT_INVALID', reason: 'tombstone on identity.standardized: deletes travel as deleted=true records' });
          continue;
        }
        for (const b of blockRecord(m.value, rules)) outputs.push({ topic: TOPICS.blocked, key: { blockKey: b.blockKey }, value: b });
      }
      return { outputs, rejects };
    },
  });
  return { start: () => runner.start(), stop: () => runner.stop(), isReady: () => runner.isRunning() };
}
