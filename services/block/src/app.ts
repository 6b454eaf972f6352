import type { Redis } from 'ioredis';
import { DEFAULT_BLOCKING_RULES, blockingKeys, type BlockingRule, type MatchModel } from '@idres/core';
import { describeModel } from '@idres/models/serviceModel';
import { BlockStateRebuilder } from './blockState';
import {
  ConsumerRunner,
  RedisBlockStore,
  TOPICS,
  type BlockedRecordAvro,
  type InboundMessage,
  type OutboundMessage,
  type RecordKey,
  type Rejection,
  type RunnerDeps,
  type ServiceApp,
  type StandardizedRecordAvro,
  type StoredRecord,
} from '@idres/runtime';

/** A record with no blocking key, or a delete, travels under its own key so it still reaches resolve. */
export const ownKey = (recordId: string): string => `record:${recordId}`;

export interface BlockedOutput {
  messages: BlockedRecordAvro[];
  /** What match reads for this record version (absent for a delete). */
  stored: StoredRecord | undefined;
}

/** Pure fan-out, exported for tests: one reference per blocking key; exactly one of them is `primary`. */
export function blockRecord(rec: StandardizedRecordAvro, rules: readonly BlockingRule[]): BlockedOutput {
  const base = { recordId: rec.recordId, version: rec.version, deleted: rec.deleted, ingestedAt: rec.ingestedAt };
  if (rec.deleted) return { messages: [{ ...base, blockKey: ownKey(rec.recordId), rule: 'none', ruleIndex: -1, primary: true }], stored: undefined };
  const keys = blockingKeys(rec.values, rules);
  const stored: StoredRecord = { v: rec.version, values: rec.values, keys: keys.map((k) => ({ ruleIndex: k.ruleIndex, key: k.key })) };
  if (keys.length === 0) return { messages: [{ ...base, blockKey: ownKey(rec.recordId), rule: 'none', ruleIndex: -1, primary: true }], stored };
  return { messages: keys.map((k, i) => ({ ...base, blockKey: k.key, rule: k.rule, ruleIndex: k.ruleIndex, primary: i === 0 })), stored };
}

/** The model whose blocking rules apply now (ActiveModel from @idres/models; fixedRules for tests). */
export interface BlockModelSource {
  current(): { model: MatchModel; version: number | undefined; threshold: number; provenance?: { kind: 'trained' | 'file' | 'default'; description: string } };
}

export interface BlockAppOptions {
  /** Where the rules come from; without it the default rules, always. */
  models?: BlockModelSource;
  rules?: readonly BlockingRule[];
  /** Match's IDRES_BLOCK_CAP, which a rebuild of the block state applies as match would (default 500). */
  blockCap?: number;
  /** How often block looks for a lost block state when it has no input (ms, default 5000). */
  stateCheckMs?: number;
}

export function buildBlockApp(deps: RunnerDeps, redis: Redis, options: BlockAppOptions = {}): ServiceApp & { rebuilder: BlockStateRebuilder } {
  const store = new RedisBlockStore(redis);
  const rulesNow = (): readonly BlockingRule[] => options.models?.current().model.json.settings.blockingRules ?? options.rules ?? DEFAULT_BLOCKING_RULES;
  const rebuilder = new BlockStateRebuilder(deps, store, (rec) => blockRecord(rec, rulesNow()).stored, options.blockCap ?? 500);
  const runner = new ConsumerRunner<RecordKey, StandardizedRecordAvro>({
    ...deps,
    stage: 'block',
    groupId: `${deps.groupPrefix}.block`,
    topic: TOPICS.standardized,
    keySchema: 'RecordKey',
    valueSchema: 'StandardizedRecord',
    maxBatchSize: deps.batchSize,
    handle: async (messages: InboundMessage<RecordKey, StandardizedRecordAvro>[]) => {
      // Redis lost the block state: rebuild it (in the background) and retry this batch once it is back.
      const epoch = await store.epoch();
      if (epoch === null) rebuilder.trigger();
      await store.assertEpoch();
      const outputs: OutboundMessage[] = [];
      const rejects: Rejection<RecordKey, StandardizedRecordAvro>[] = [];
      // Versions of one record arrive in order (identity.standardized is keyed by record), so the last one wins.
      const rules = rulesNow(); // one rule set for the whole batch
      const put = new Map<string, StoredRecord>();
      const del = new Set<string>();
      for (const m of messages) {
        if (!m.value) {
          rejects.push({ message: m, code: 'INPUT_INVALID', reason: 'tombstone on identity.standardized: deletes travel as deleted=true records' });
          continue;
        }
        const out = blockRecord(m.value, rules);
        if (out.stored) {
          put.set(m.value.recordId, out.stored);
          del.delete(m.value.recordId);
        } else {
          put.delete(m.value.recordId);
          del.add(m.value.recordId);
        }
        for (const b of out.messages) outputs.push({ topic: TOPICS.blocked, key: null, partitionKey: b.blockKey, value: b });
      }
      // Blocks named after values the record no longer has (every block, for a delete) lose it now rather than when
      // match next prunes them: a hash called b:ssn:<SSN> must not outlive an erased record.
      const before = await store.records([...put.keys(), ...del]);
      const removeMembers: Array<[string, string]> = [];
      for (const [id, old] of before) {
        const keep = new Set(put.get(id)?.keys.map((k) => k.key) ?? []);
        for (const k of old.keys) if (!keep.has(k.key)) removeMembers.push([k.key, id]);
      }
      // The record first, then its references: whichever match instance reads a reference finds the record.
      await store.write({ putRecords: [...put], deleteRecords: [...del], removeMembers });
      // Emptied while we wrote: the rebuild may have read the topic before our writes landed in the old Redis.
      await store.assertEpoch(epoch ?? undefined);
      return { outputs, rejects };
    },
  });
  const model = (): Record<string, unknown> => {
    const c = options.models?.current();
    return c ? describeModel(c) : { version: null, kind: 'rules', description: 'fixed blocking rules' };
  };
  return {
    rebuilder,
    start: async () => {
      await runner.start();
      rebuilder.startWatching(options.stateCheckMs ?? 5000);
    },
    stop: async () => {
      rebuilder.stopWatching();
      await runner.stop();
    },
    isReady: () => runner.isRunning(),
    readyDetails: () => ({ model: model() }),
    routes: (http) => { http.get('/model', async () => model()); },
  };
}
