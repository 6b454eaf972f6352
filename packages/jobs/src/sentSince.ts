import type { Admin, Kafka } from 'kafkajs';
import { TOPICS, type AvroSerde } from '@idres/runtime';

export type TopicOffsets = Array<{ partition: number; offset: string }>;

/** identity.raw's end offsets now: what a batch about to be sent is recorded against. */
export async function rawEndOffsets(admin: Admin): Promise<TopicOffsets> {
  const ends = await admin.fetchTopicOffsets(TOPICS.raw);
  return ends.map((e) => ({ partition: e.partition, offset: e.high }));
}

/**
 * Which of `recordIds` (`source:id`) reached identity.raw at or after `from`: reads each partition from there
 * to its current end (a few thousand messages: one batch plus whatever others sent meanwhile), keys only.
 */
export async function sentSince(kafka: Kafka, serde: AvroSerde, from: TopicOffsets, recordIds: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  if (recordIds.size === 0) return found;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(TOPICS.raw)).map((e) => [e.partition, BigInt(e.high)]));
  } finally {
    await admin.disconnect();
  }
  const start = new Map(from.map((o) => [o.partition, BigInt(o.offset)]));
  const todo = new Set([...ends].filter(([p, end]) => end > (start.get(p) ?? 0n)).map(([p]) => p));
  if (todo.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `idres-jobs-recover-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.raw, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => { finish = resolve; });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= end) break;
          if (m.key) {
            const k = await serde.decode<{ source: string; sourceRecordId: string }>(m.key, 'RecordKey');
            const id = `${k.source}:${k.sourceRecordId}`;
            if (recordIds.has(id)) found.add(id);
          }
          if (BigInt(m.offset) + 1n >= end) todo.delete(batch.partition);
        }
        if (todo.size === 0) finish();
      },
    });
    for (const [p, off] of start) if (todo.has(p)) consumer.seek({ topic: TOPICS.raw, partition: p, offset: off.toString() });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return found;
}
