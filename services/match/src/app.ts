import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { DEFAULT_CLUSTER_FLOOR, firstSharedRule, matchWeightPrepared, prepareRecord, probabilityFromWeight, scorePrepared, type BlockingKey, type FieldSealer, type MatchModel, type PreparedRecord } from '@idres/core';
import {
  ConsumerRunner,
  TOPICS,
  type PackKeyAvro,
  type BlockedRecordAvro,
  type InboundMessage,
  type OutboundMessage,
  type PairEventAvro,
  type Rejection,
  type RunnerDeps,
  type ServiceApp,
  RedisBlockStore,
} from '@idres/runtime';
import { RecordCache, type CachedRecord } from './recordCache';
import { BlockMembership } from './blockMembership';
import { describeModel } from '@idres/models/serviceModel';

/** The model to score with now (ActiveModel from @idres/models follows the store; fixedModel for tests). */
export interface ModelSource {
  current(): { model: MatchModel; version: number | undefined; threshold: number; provenance?: { kind: 'trained' | 'file' | 'default'; description: string } };
}

/** One model and threshold for the life of the app. */
export const fixedModel = (model: MatchModel, threshold: number): ModelSource => {
  const cur = { model, version: undefined, threshold };
  return { current: () => cur };
};

export interface MatchAppOptions {
  /** The model and threshold (pairs at or above it go on to resolve), read once per batch. */
  models: ModelSource;
  /** A block with this many members stops taking comparisons (counted and logged, never silent). */
  blockCap: number;
  /** How many parsed and prepared records match keeps between batches (see RecordCache). */
  cacheRecords?: number;
  /** How many block member entries match keeps between batches (see BlockMembership); 0 reads every block from Redis. */
  membershipEntries?: number;
  /** Opens sealed fields (national IDs) in memory for the comparisons; what match sends on stays sealed. */
  sealer?: FieldSealer;
}

/**
 * Measured, not estimated: holding all ~985,000 entries of a 100,000-record run (most blocks tiny, each its own Map)
 * took match to 1.35 GB RSS, about 1 KB per entry. 200,000 entries keep the cache near 200 MB; blocks beyond it
 * are read from Redis again, as before the cache existed.
 */
export const DEFAULT_MEMBERSHIP_ENTRIES = 200_000;

// About 2 KB of live heap per record (parsed values and keys, prepared form). 100,000 held match at 1.6 GB RSS
// in the 1M run (V8 grows the heap well past what is live), over the 1 GiB limit in k8s/match.yaml.
export const DEFAULT_CACHE_RECORDS = 20_000;

/** A record's blocking keys as firstSharedRule takes them, converted once while the record is cached. */
const keysOf = (e: CachedRecord): BlockingKey[] => (e.blockingKeys ??= e.stored.keys.map((k) => ({ rule: '', ruleIndex: k.ruleIndex, key: k.key })));

export function buildMatchApp(deps: RunnerDeps, redis: Redis, options: MatchAppOptions): ServiceApp {
  const store = new RedisBlockStore(redis);
  const comparisons = new Counter({ name: 'idres_match_comparisons_total', help: 'Pairs scored', registers: [deps.metrics.registry] });
  const candidates = new Counter({ name: 'idres_match_candidates_total', help: 'Block members visited for incoming references (scored or skipped as scored under an earlier rule)', registers: [deps.metrics.registry] });
  const pairsOut = new Counter({ name: 'idres_match_pairs_total', help: 'Pairs at or above the threshold', registers: [deps.metrics.registry] });
  const evidenceOut = new Counter({ name: 'idres_match_evidence_pairs_total', help: 'Pairs below the threshold sent to resolve as clustering evidence', registers: [deps.metrics.registry] });
  const capped = new Counter({ name: 'idres_block_capped_total', help: 'Records not compared because their block is over the size cap', labelNames: ['rule'], registers: [deps.metrics.registry] });
  const warnedBlocks = new Set<string>();
  const cache = new RecordCache(options.cacheRecords ?? DEFAULT_CACHE_RECORDS);
  const cacheLookups = new Counter({ name: 'idres_match_record_cache_total', help: 'Block members looked up in the record cache', labelNames: ['result'], registers: [deps.metrics.registry] });
  const membership = new BlockMembership(options.membershipEntries ?? DEFAULT_MEMBERSHIP_ENTRIES);
  const blockLookups = new Counter({ name: 'idres_match_block_cache_total', help: 'Blocks looked up in the membership cache', labelNames: ['result'], registers: [deps.metrics.registry] });

  /**
   * Records by ID: from the cache when it holds the version expected (the current one from Redis's `rv:` key for
   * incoming references; the version the block lists for members, whose newer versions reach the block as
   * references of their own, and which resolve drops if stale), else read from Redis (and cached). Absent when deleted.
   */
  const readRecords = async (incoming: string[], members: Map<string, number>): Promise<Map<string, CachedRecord>> => {
    const out = new Map<string, CachedRecord>();
    const versions = await store.versions(incoming);
    const missing: string[] = [];
    const lookup = (id: string, v: number | undefined): void => {
      if (out.has(id)) return;
      const hit = v === undefined ? undefined : cache.get(id, v);
      if (hit) out.set(id, hit);
      else missing.push(id);
    };
    for (const id of incoming) lookup(id, versions.get(id));
    for (const [id, v] of members) if (!versions.has(id)) lookup(id, v);
    cacheLookups.inc({ result: 'hit' }, out.size);
    cacheLookups.inc({ result: 'miss' }, missing.length);
    for (const [id, stored] of await store.records([...new Set(missing)])) {
      const e: CachedRecord = { stored, prepared: undefined, blockingKeys: undefined };
      cache.set(id, e);
      out.set(id, e);
    }
    return out;
  };

  const handle = async (messages: InboundMessage<PackKeyAvro, BlockedRecordAvro>[]) => {
    // One model for the whole batch, even if a new version becomes active meanwhile.
    const { model, version: modelVersion, threshold } = options.models.current();
    // No epoch: Redis came back empty and block is rebuilding the candidates; matching now would miss them.
    const epoch = await store.assertEpoch();
    membership.useEpoch(epoch);
    const generation = membership.generation;
    // Records are converted to the model's dense form once while cached; explanations only for pairs that pass.
    const prep = (e: CachedRecord): PreparedRecord => {
      if (e.prepared === undefined || e.preparedFor !== model) {
        e.prepared = prepareRecord(model, options.sealer ? options.sealer.openValues(e.stored.values) : e.stored.values);
        e.preparedFor = model;
      }
      return e.prepared;
    };
    const outputs: OutboundMessage[] = [];
    const rejects: Rejection<PackKeyAvro, BlockedRecordAvro>[] = [];
    const refs: BlockedRecordAvro[] = [];
    for (const m of messages) {
      if (m.value) refs.push(m.value);
      else rejects.push({ message: m, code: 'INPUT_INVALID', reason: `tombstone on ${TOPICS.blocked}` });
    }
    // One round trip for the blocks, one for every record involved (the incoming ones, written by block, and members).
    const blockKeys = [...new Set(refs.filter((b) => !b.deleted && b.ruleIndex >= 0).map((b) => b.blockKey))];
    const blocks = new Map<string, Map<string, number>>();
    const unseen: string[] = [];
    for (const k of blockKeys) {
      const m = membership.get(k);
      if (m) blocks.set(k, m);
      else unseen.push(k);
    }
    blockLookups.inc({ result: 'hit' }, blockKeys.length - unseen.length);
    blockLookups.inc({ result: 'miss' }, unseen.length);
    for (const [k, m] of await store.members(unseen)) blocks.set(k, m);
    const incoming = [...new Set(refs.filter((b) => !b.deleted).map((b) => b.recordId))];
    const memberVersions = new Map<string, number>();
    for (const members of blocks.values()) for (const [id, v] of members) memberVersions.set(id, v);
    const records = await readRecords(incoming, memberVersions);

    let visited = 0;
    const addMembers: Array<[string, string, number]> = [];
    const removeMembers: Array<[string, string]> = [];
    for (const b of refs) {
      // A reference to a version that is no longer current is stale: the newer version's references (or the
      // delete) follow, so it is skipped, never matched with old values.
      const current = b.deleted ? undefined : records.get(b.recordId);
      const isCurrent = current !== undefined && current.stored.v === b.version;
      if (b.primary && (b.deleted || isCurrent)) {
        const ev: PairEventAvro = {
          kind: b.deleted ? 'DELETE' : 'RECORD', recordId: b.recordId, version: b.version, otherRecordId: null, otherVersion: null,
          probability: 0, matchWeight: 0, deterministicRule: null, blockingRule: null, explanation: [], values: isCurrent ? current.stored.values : {}, ingestedAt: b.ingestedAt,
        };
        outputs.push({ topic: TOPICS.pairs, key: null, partitionKey: b.recordId, value: ev });
      }
      if (b.deleted || b.ruleIndex < 0 || !isCurrent) continue;
      const members = blocks.get(b.blockKey) ?? new Map<string, number>();
      blocks.set(b.blockKey, members);
      if (!members.has(b.recordId) && members.size >= options.blockCap) {
        capped.inc({ rule: b.rule });
        if (!warnedBlocks.has(b.blockKey) && warnedBlocks.size < 10_000) {
          warnedBlocks.add(b.blockKey);
          // A block key is made of field values (a name, a date of birth, an SSN): the log names its rule and a hash only.
          deps.logger.warn({ rule: b.rule, blockKeyHash: createHash('sha256').update(b.blockKey).digest('hex').slice(0, 16), size: members.size, cap: options.blockCap }, 'block over size cap: new records are not compared in it');
        }
        continue;
      }
      const myKeys = keysOf(current);
      const mine = prep(current);
      visited += members.size;
      for (const [otherId] of members) {
        if (otherId === b.recordId) continue;
        const other = records.get(otherId);
        if (!other || !other.stored.keys.some((k) => k.key === b.blockKey)) {
          members.delete(otherId);
          removeMembers.push([b.blockKey, otherId]);
          continue;
        }
        if (firstSharedRule(myKeys, keysOf(other)) !== b.ruleIndex) continue; // scored under an earlier rule
        const theirs = prep(other);
        comparisons.inc();
        const w = matchWeightPrepared(model, mine, theirs);
        // Pairs below the threshold but above the clustering floor go on as evidence (link: false), without an
        // explanation: resolve's clustering weighs every scored pair of a component, not only its links.
        if (w < DEFAULT_CLUSTER_FLOOR) continue;
        const link = probabilityFromWeight(w) >= threshold;
        const score = link ? scorePrepared(model, mine, theirs) : undefined;
        if (link) pairsOut.inc();
        else evidenceOut.inc();
        const [lo, loV, hi, hiV] = b.recordId < otherId ? [b.recordId, b.version, otherId, other.stored.v] : [otherId, other.stored.v, b.recordId, b.version];
        const ev: PairEventAvro = {
          kind: 'PAIR', recordId: lo, version: loV, otherRecordId: hi, otherVersion: hiV,
          probability: score?.probability ?? probabilityFromWeight(w), matchWeight: score?.matchWeight ?? w, deterministicRule: score?.deterministicRule ?? null, blockingRule: b.rule,
          explanation: score ? score.explanation.map((t) => ({ comparison: t.comparison, level: t.level, weight: t.weight })) : [], values: {}, ingestedAt: b.ingestedAt,
          modelVersion: modelVersion ?? null, link,
        };
        outputs.push({ topic: TOPICS.pairs, key: null, partitionKey: lo, value: ev });
      }
      if (members.get(b.recordId) !== b.version) {
        members.set(b.recordId, b.version);
        addMembers.push([b.blockKey, b.recordId, b.version]);
      }
    }
    candidates.inc(visited);
    // Membership first, then outputs: a redelivered batch finds itself already in the blocks and emits the same pairs.
    await store.write({ addMembers, removeMembers });
    // Lost (or lost and rebuilt) while this batch read: its pairs may be missing candidates, so it is redone.
    await store.assertEpoch(epoch);
    membership.putAll(generation, blocks);
    return { outputs, rejects };
  };

  /** A failed batch may have changed cached members it never wrote to Redis: drop them all. */
  const handleOrDrop = async (messages: InboundMessage<PackKeyAvro, BlockedRecordAvro>[]) => {
    try {
      return await handle(messages);
    } catch (err) {
      membership.invalidate();
      throw err;
    }
  };

  const runner = new ConsumerRunner<PackKeyAvro, BlockedRecordAvro>({
    ...deps,
    stage: 'match',
    groupId: `${deps.groupPrefix}.match`,
    topic: TOPICS.blocked,
    keySchema: 'PackKey',
    valueSchema: 'BlockedRecordPack',
    maxBatchSize: deps.batchSize,
    handle: handleOrDrop,
    onAssignmentChange: () => membership.invalidate(),
  });
  return {
    start: () => runner.start(),
    stop: () => runner.stop(),
    isReady: () => runner.isRunning(),
    readyDetails: () => ({ model: describeModel(options.models.current()) }),
    routes: (http) => {
      http.get('/model', async () => describeModel(options.models.current()));
    },
  };
}
