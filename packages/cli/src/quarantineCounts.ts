import type { Kafka } from 'kafkajs';
import { TOPICS, type AvroSerde, type QuarantineRecordAvro } from '@idres/runtime';

/**
 * Quarantined messages by stage and code: identity.quarantine read once from the beginning to its current end
 * (what the report shows as rejected). Reads offsets without a consumer group, so nothing is committed.
 */
export async function quarantineCounts(kafka: Kafka, serde: AvroSerde, timeoutMs = 120_000): Promise<Array<{ stage: string; code: string; count: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(TOPICS.quarantine)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const counts = new Map<string, { stage: string; code: string; count: number }>();
  if ([...ends.values()].every((h) => h === 0)) return [];
  const seen = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `idres-report-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.quarantine, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => { done = r; });
    const caughtUp = (): boolean => [...ends].every(([p, high]) => high === 0 || (seen.get(p) ?? -1) >= high - 1);
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.set(partition, Number(message.offset));
        if (message.value) {
          const q = await serde.decode<QuarantineRecordAvro>(message.value, 'QuarantineRecord');
          const k = `${q.stage}\u0000${q.code}`;
          const c = counts.get(k) ?? { stage: q.stage, code: q.code, count: 0 };
          c.count++;
          counts.set(k, c);
        }
        if (caughtUp()) done();
      },
    });
    const timer = setTimeout(done, timeoutMs);
    await finished;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}
