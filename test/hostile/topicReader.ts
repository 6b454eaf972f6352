import type { Kafka, KafkaMessage } from 'kafkajs';

/** Every message of a topic from the beginning up to its current end (the high-water marks when called). */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  const starts = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.low)]));
  await admin.disconnect();
  const pending = new Set([...ends].filter(([p, high]) => high > (starts.get(p) ?? 0n)).map(([p]) => p));
  const out: Array<{ partition: number; message: KafkaMessage }> = [];
  if (pending.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `idres-test.reader-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        out.push({ partition: batch.partition, message: m });
        if (BigInt(m.offset) + 1n >= (ends.get(batch.partition) ?? 0n)) pending.delete(batch.partition);
      }
      if (pending.size === 0) finish();
    },
  });
  const timer = setTimeout(finish, timeoutMs);
  await done;
  clearTimeout(timer);
  await consumer.disconnect();
  if (pending.size > 0) throw new Error(`readTopic ${topic}: partitions ${[...pending].join(',')} not read to their end within ${timeoutMs} ms`);
  return out;
}
