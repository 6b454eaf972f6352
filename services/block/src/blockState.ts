import { randomUUID } from 'node:crypto';
import { TOPICS, errorMessage, type RedisBlockStore, type RunnerDeps, type StandardizedRecordAvro, type StoredRecord } from '@idres/runtime';

export interface RebuildResult {
  records: number;
  deletes: number;
  skipped: number;
  seconds: number;
}

const LOCK_TTL_MS = 60_000;

/**
 * Rebuilds match's block state (records and block membership) from identity.standardized when Redis has lost it
 * (its `state` epoch is gone: restarted with an empty data folder, or flushed). Until the new epoch is written,
 * block and match refuse their batches with the retriable BLOCK_STATE_LOST, so nothing is committed that was
 * blocked or matched against missing candidates. The whole topic is read (up to its end when the rebuild began,
 * and whatever follows in the same fetches): every record block ever stored is on it.
 */
export class BlockStateRebuilder {
  private running: Promise<RebuildResult | undefined> | undefined;
  /** Rebuilds done by this instance (tests and metrics). */
  completed = 0;
  private watchTimer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly store: RedisBlockStore,
    /** The record's stored form (values and blocking keys) under the current rules; undefined for a delete. */
    private readonly toStored: (rec: StandardizedRecordAvro) => StoredRecord | undefined,
    private readonly blockCap: number,
  ) {}

  /** Starts a rebuild unless one runs in this process; failures are logged and the next batch starts another. */
  trigger(): void {
    this.running ??= this.rebuild()
      .catch((err: unknown) => {
        this.deps.logger.error({ err: errorMessage(err) }, 'block state rebuild failed; retrying with the next batch');
        return undefined;
      })
      .finally(() => { this.running = undefined; });
  }

  /**
   * Checks the epoch every `intervalMs` whether or not block has input. Batches check it too, but when block has
   * caught up and match still has a backlog, match waits on a state that no block batch would ever notice is gone.
   */
  startWatching(intervalMs: number): void {
    this.stopWatching();
    this.watchTimer = setInterval(() => { void this.checkOnce(); }, intervalMs);
    this.watchTimer.unref();
  }

  stopWatching(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  private async checkOnce(): Promise<void> {
    if (this.checking || this.running) return;
    this.checking = true;
    try {
      if ((await this.store.epoch()) === null) this.trigger();
    } catch {
      // Redis unreachable: the next tick looks again (batches report the outage themselves).
    } finally {
      this.checking = false;
    }
  }

  /** Waits for the rebuild in progress, if any (tests). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Rebuilds unless another instance holds the lock or the state is already there; returns what it did. */
  async rebuild(): Promise<RebuildResult | undefined> {
    const { kafka, serde, logger } = this.deps;
    const token = randomUUID();
    if (!(await this.store.tryLock(token, LOCK_TTL_MS))) return undefined; // another instance rebuilds
    const refresh = setInterval(() => { this.store.refreshLock(token, LOCK_TTL_MS).catch(() => undefined); }, LOCK_TTL_MS / 6);
    const t0 = Date.now();
    try {
      if ((await this.store.epoch()) !== null) return undefined; // rebuilt (or reset) meanwhile
      logger.error({ topic: TOPICS.standardized }, 'block state in Redis is gone (Redis came back empty); rebuilding it from identity.standardized, block and match wait until done');
      const admin = kafka.admin();
      await admin.connect();
      const result: RebuildResult = { records: 0, deletes: 0, skipped: 0, seconds: 0 };
      const groupId = `${this.deps.groupPrefix}.block-rebuild.${token}`;
      try {
        const ends = await admin.fetchTopicOffsets(TOPICS.standardized);
        const target = new Map<number, bigint>();
        for (const e of ends) if (BigInt(e.high) > BigInt(e.low)) target.set(e.partition, BigInt(e.high));
        if (target.size > 0) {
          const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 100 });
          await consumer.connect();
          try {
            let finish: (() => void) | undefined;
            let fail: ((err: unknown) => void) | undefined;
            const done = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
            await consumer.subscribe({ topic: TOPICS.standardized, fromBeginning: true });
            await consumer.run({
              eachBatch: async ({ batch, heartbeat }) => {
                try {
                  const put: Array<[string, StoredRecord]> = [];
                  const del: Array<[string, number]> = [];
                  for (const m of batch.messages) {
                    if (!m.value) { result.skipped++; continue; }
                    let rec: StandardizedRecordAvro;
                    try {
                      rec = await serde.decode<StandardizedRecordAvro>(m.value, 'StandardizedRecord');
                    } catch {
                      result.skipped++; // block quarantined it; it never reached Redis
                      continue;
                    }
                    const stored = this.toStored(rec);
                    if (stored) put.push([rec.recordId, stored]);
                    else del.push([rec.recordId, rec.version]);
                  }
                  await this.store.rebuildApply({ put, del }, this.blockCap);
                  result.records += put.length;
                  result.deletes += del.length;
                  await heartbeat();
                  const last = batch.messages[batch.messages.length - 1];
                  const end = target.get(batch.partition);
                  if (last && end !== undefined && BigInt(last.offset) + 1n >= end) target.delete(batch.partition);
                  if (target.size === 0) finish?.();
                } catch (err) {
                  fail?.(err);
                  throw err;
                }
              },
            });
            await done;
          } finally {
            await consumer.disconnect();
          }
          await admin.deleteGroups([groupId]).catch(() => undefined);
        }
      } finally {
        await admin.disconnect();
      }
      await this.store.setEpoch(randomUUID());
      this.completed++;
      result.seconds = (Date.now() - t0) / 1000;
      logger.warn({ ...result }, 'block state rebuilt from identity.standardized; block and match resume');
      return result;
    } finally {
      clearInterval(refresh);
      await this.store.unlock(token).catch(() => undefined);
    }
  }
}
