import { TOPIC_SPECS, recordIdOf, type TopicSpec } from '@idres/runtime';
import type { ErasureLog } from './erasureLog';
import { erasurePlaces } from './erasurePlaces';
import { ErasureError, type ErasureKey, type ErasureRequest } from './erasureRequest';

/** The topic side of an erasure (Kafka in services, a fake in unit tests). */
export interface ErasureTopics {
  /** A tombstone for the record on identity.raw, with this timestamp (the version the delete gets). */
  tombstoneInput(key: ErasureKey, timestamp: number): Promise<void>;
  /** The Kafka keys of the record's quarantine entries, read up to the topic's current end. */
  quarantineKeysOf(key: ErasureKey): Promise<Buffer[]>;
  tombstoneQuarantine(keys: readonly Buffer[]): Promise<void>;
}

/** What the pipeline's stores still hold of a record. */
export interface RecordHoldings {
  /** resolve's row: absent until the record (or its delete) reaches resolve. */
  resolve: { version: number; deleted: boolean; hasValues: boolean } | undefined;
  /** Links or evidence pairs stored for it. */
  edges: number;
  /** Whether block state in Redis still has the record (undefined: not checked). */
  redis: boolean | undefined;
}

export interface RecordStores {
  holdings(recordId: string): Promise<RecordHoldings>;
}

export interface EraserDeps {
  log: ErasureLog;
  topics: ErasureTopics;
  stores: RecordStores;
  specs?: readonly TopicSpec[];
  now?: () => Date;
}

/**
 * Whether the pipeline has gone past the erasure's tombstone: resolve holds the delete (or a version sent later),
 * with no values and no links, and block state no longer has the record.
 */
export function pipelineHasErased(h: RecordHoldings, tombstoneVersion: number): boolean {
  const r = h.resolve;
  if (!r || r.version < tombstoneVersion) return false;
  if (!r.deleted) return r.version > tombstoneVersion; // re-sent after the erasure: the stored values are the new ones
  return !r.hasValues && h.edges === 0 && h.redis !== true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Erasure of one record: a tombstone on identity.raw (the pipeline then deletes it everywhere it derives state:
 * Redis, Postgres, golden records, households), tombstones for its quarantine entries, and a log entry that is
 * done once the stores are seen without it. Topic copies then leave by compaction or retention (erasurePlaces).
 */
export class Eraser {
  private readonly specs: readonly TopicSpec[];
  private readonly now: () => Date;

  constructor(private readonly deps: EraserDeps) {
    this.specs = deps.specs ?? TOPIC_SPECS;
    this.now = deps.now ?? (() => new Date());
  }

  async request(key: ErasureKey): Promise<ErasureRequest> {
    if (!key.source || !key.sourceRecordId || key.source.includes(':')) {
      throw new ErasureError('ERASURE_INVALID', "erasure needs a source (without ':') and a source record ID");
    }
    const quarantineKeys = await this.deps.topics.quarantineKeysOf(key);
    const version = this.now().getTime();
    try {
      await this.deps.topics.tombstoneInput(key, version);
      await this.deps.topics.tombstoneQuarantine(quarantineKeys);
    } catch (err) {
      throw new ErasureError('ERASURE_PRODUCE_FAILED', `the erasure's tombstones were not acknowledged (${(err as Error).name}); nothing was logged, run it again`, true);
    }
    // Logged after the tombstones: a crash in between leaves a delete, which a second request repeats harmlessly.
    return this.deps.log.create({ ...key, recordId: recordIdOf(key.source, key.sourceRecordId), tombstoneVersion: version, quarantineEntries: quarantineKeys.length });
  }

  /** The request, completed first if the stores no longer hold the record. */
  async check(id: string): Promise<ErasureRequest> {
    const req = await this.deps.log.get(id);
    if (!req) throw new ErasureError('ERASURE_UNKNOWN', `no erasure ${id}`);
    if (req.state === 'done') return req;
    if (!pipelineHasErased(await this.deps.stores.holdings(req.recordId), req.tombstoneVersion)) return req;
    const doneAt = this.now();
    return this.deps.log.complete(id, { completedAt: doneAt, ...erasurePlaces(this.specs, doneAt) });
  }

  async waitUntilDone(id: string, opts: { timeoutMs: number; pollMs?: number }): Promise<ErasureRequest> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const req = await this.check(id);
      if (req.state === 'done') return req;
      if (Date.now() > deadline) {
        throw new ErasureError('ERASURE_TIMEOUT', `erasure ${id} is still pending after ${Math.round(opts.timeoutMs / 1000)} s: the pipeline has not processed the delete yet (are the services running?); check it later with idres erase status ${id}`, true);
      }
      await sleep(opts.pollMs ?? 500);
    }
  }
}
