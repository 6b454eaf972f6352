import type { Kafka } from 'kafkajs';
import { TOPICS, type AvroSerde, type QuarantineRecordAvro } from '@idres/runtime';

const IDLE_MS = 5000;

export interface QuarantineReplayOptions {
  /** Only entries quarantined by this stage (e.g. 'match'). */
  stage?: string;
  /** Only entries with this error code. */
  code?: string;
  /** Consumer group that remembers what was replayed, so each entry is sent back once. */
  groupId: string;
  log?: (msg: string) => void;
}

export interface QuarantineReplaySummary {
  replayed: number;
  /** Entries that did not match the filter, or carry no original message (e.g. a rejected input row). */
  skipped: number;
  byTopic: Record<string, number>;
}

/**
 * Sends quarantined messages back to the topic and partition they came from, with their original key and value
 * bytes, for after the cause is fixed (an outage that was misclassified, a bug fixed in a stage, a schema
 * extended). Reads identity.quarantine up to its end at the time of the call, in the replay group, committing
 * after each batch is produced: a second call replays only entries quarantined since.
 */
export async function replayQuarantine(kafka: Kafka, serde: AvroSerde, opts: QuarantineReplayOptions): Promise<QuarantineReplaySummary> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(TOPICS.quarantine)) ends.set(p.partition, BigInt(p.high));
    const committed = await admin.fetchOffsets({ groupId: opts.groupId, topics: [TOPICS.quarantine] });
    for (const p of committed[0]?.partitions ?? []) {
      const end = ends.get(p.partition);
      // Equal: all replayed. Beyond the end: the topic was recreated (pipeline reset), so start over from the beginning.
      if (end !== undefined && BigInt(p.offset) === end) ends.delete(p.partition);
    }
  } finally {
    await admin.disconnect();
  }
  for (const [p, end] of ends) if (end === 0n) ends.delete(p);
  const summary: QuarantineReplaySummary = { replayed: 0, skipped: 0, byTopic: {} };
  if (ends.size === 0) return summary;

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: opts.groupId, maxWaitTimeInMs: 200 });
  await producer.connect();
  await consumer.connect();
  let done!: () => void;
  let failed!: (e: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
  let idle: ReturnType<typeof setInterval> | undefined;
  try {
    await consumer.subscribe({ topics: [TOPICS.quarantine], fromBeginning: true });
    // identity.quarantine is compacted (erasure tombstones entries): its last offsets may be gone, so a partition
    // whose end never arrives counts as read once nothing has come for IDLE_MS after the group joined.
    let lastArrival = Number.POSITIVE_INFINITY;
    let busy = false;
    consumer.on(consumer.events.GROUP_JOIN, () => { lastArrival = Date.now(); });
    idle = setInterval(() => { if (!busy && Date.now() - lastArrival > IDLE_MS) done(); }, 200);
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        busy = true;
        try {
          const end = ends.get(batch.partition);
          const out: Array<{ topic: string; partition: number; key: Buffer | null; value: Buffer }> = [];
          let last: string | undefined;
          for (const m of batch.messages) {
            if (end === undefined || BigInt(m.offset) >= end) break;
            last = m.offset;
            if (!m.value) { summary.skipped++; continue; }
            const q = await serde.decode<QuarantineRecordAvro>(m.value, 'QuarantineRecord');
            const wanted = (opts.stage === undefined || q.stage === opts.stage) && (opts.code === undefined || q.code === opts.code);
            if (!wanted || q.topic === null || q.value === null) { summary.skipped++; continue; }
            out.push({ topic: q.topic, partition: q.partition ?? 0, key: q.key, value: q.value });
          }
          if (out.length > 0) {
            const byTopic = new Map<string, typeof out>();
            for (const o of out) {
              const list = byTopic.get(o.topic);
              if (list) list.push(o);
              else byTopic.set(o.topic, [o]);
            }
            await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, ms]) => ({ topic, messages: ms.map((o) => ({ partition: o.partition, key: o.key, value: o.value })) })) });
            for (const o of out) summary.byTopic[o.topic] = (summary.byTopic[o.topic] ?? 0) + 1;
            summary.replayed += out.length;
          }
          if (last !== undefined) {
            await consumer.commitOffsets([{ topic: TOPICS.quarantine, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
            if (end !== undefined && BigInt(last) + 1n >= end) ends.delete(batch.partition);
          }
          opts.log?.(`replayed ${summary.replayed}, skipped ${summary.skipped}`);
          if (ends.size === 0) done();
        } catch (e) {
          failed(e);
        } finally {
          busy = false;
          lastArrival = Date.now();
        }
      },
    });
    await finished;
  } finally {
    clearInterval(idle);
    await consumer.disconnect();
    await producer.disconnect();
  }
  return summary;
}
