import type { Admin, Consumer, Kafka } from 'kafkajs';
import { TOPICS, type AvroSerde, type QuarantineRecordAvro, type ResolvedEventAvro } from '@idres/runtime';

/** Each pipeline stage and the topic its consumer group (`<prefix>.<stage>`) reads; k8s/autoscaling.yaml scales on these. */
export const STAGE_GROUPS: ReadonlyArray<[string, string]> = [
  ['standardize', TOPICS.raw],
  ['block', TOPICS.standardized],
  ['match', TOPICS.blocked],
  ['resolve', TOPICS.pairs],
  ['resolve-overrides', TOPICS.overrides], // reviewers' decisions: resolve recomputes their identities
  ['publish', TOPICS.resolved],
  ['households', TOPICS.resolved],
  ['publish-households', TOPICS.households],
];

export interface SettleProgress {
  /** Records with a master ID or a quarantine reason. */
  resolved: number;
  total: number;
  /** Messages not yet processed, summed over every stage's consumer group. */
  lag: number;
}

/**
 * Follows identity.resolved (and identity.quarantine) from the moment it starts, keeping for every record the
 * master ID of its highest-sequence event, and tells when the whole pipeline has drained (every stage's consumer
 * group has caught up with its input). This is how a downstream consumer reads identities too.
 */
export class PipelineWatcher {
  readonly masterOf = new Map<string, { masterId: string; seq: number }>();
  readonly quarantined = new Map<string, string>();
  /** Every resolved event seen, when constructed with keepEvents (tests and debugging). */
  readonly events: ResolvedEventAvro[] = [];
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;

  constructor(private readonly kafka: Kafka, private readonly serde: AvroSerde, private readonly groupPrefix = 'idres', private readonly keepEvents = false) {}

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const consumer = this.kafka.consumer({ groupId: `idres-cli-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.resolved, TOPICS.quarantine], fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        if (topic === TOPICS.resolved) {
          const e = await this.serde.decode<ResolvedEventAvro>(message.value, 'ResolvedEvent');
          if (this.keepEvents) this.events.push(e);
          for (const r of e.members) {
            const prev = this.masterOf.get(r);
            if (!prev || prev.seq < e.seq) this.masterOf.set(r, { masterId: e.masterId, seq: e.seq });
          }
        } else {
          const q = await this.serde.decode<QuarantineRecordAvro>(message.value, 'QuarantineRecord');
          const recordId = await this.recordIdOf(q);
          if (recordId) this.quarantined.set(recordId, `${q.stage}: ${q.code}: ${q.reason}`);
        }
      },
    });
    await joined;
  }

  private async recordIdOf(q: QuarantineRecordAvro): Promise<string | undefined> {
    if (!q.key) return undefined;
    try {
      if (q.topic === TOPICS.raw || q.topic === TOPICS.standardized) {
        const k = await this.serde.decode<{ source: string; sourceRecordId: string }>(q.key, 'RecordKey');
        return `${k.source}:${k.sourceRecordId}`;
      }
    } catch {
      /* an undecodable key cannot be tied to a record */
    }
    return undefined;
  }

  /** Total lag of all stage consumer groups (messages not yet processed). */
  async pipelineLag(): Promise<number> {
    const admin = this.admin!;
    let lag = 0;
    for (const [stage, topic] of STAGE_GROUPS) {
      const ends = await admin.fetchTopicOffsets(topic);
      const committed = await admin.fetchOffsets({ groupId: `${this.groupPrefix}.${stage}`, topics: [topic] });
      const byPart = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const e of ends) {
        const c = byPart.get(e.partition) ?? -1;
        const start = c < 0 ? Number(e.low) : c;
        lag += Math.max(0, Number(e.high) - start);
      }
    }
    return lag;
  }

  /**
   * Waits until every given record has a master ID (or was quarantined) and every stage group has caught up,
   * twice in a row, since an event can still be in flight after the first quiet look. Resolves with the last
   * progress and whether it settled before the timeout; callers raise their own error. `onProgress` is called
   * at most every 5 s.
   */
  async waitUntilSettled(
    recordIds: readonly string[],
    opts: { timeoutMs: number; pollMs?: number; onProgress?: (p: SettleProgress) => void },
  ): Promise<{ settled: boolean; progress: SettleProgress }> {
    const deadline = Date.now() + opts.timeoutMs;
    let quiet = 0;
    let lastProgress = 0;
    for (;;) {
      let pending = 0;
      for (const id of recordIds) if (!this.masterOf.has(id) && !this.quarantined.has(id)) pending++;
      const progress: SettleProgress = { resolved: recordIds.length - pending, total: recordIds.length, lag: await this.pipelineLag() };
      quiet = pending === 0 && progress.lag === 0 ? quiet + 1 : 0;
      if (quiet >= 2) return { settled: true, progress };
      if (opts.onProgress && Date.now() - lastProgress > 5000) {
        opts.onProgress(progress);
        lastProgress = Date.now();
      }
      if (Date.now() > deadline) return { settled: false, progress };
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }
}
