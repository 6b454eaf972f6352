import type { Kafka, KafkaMessage } from 'kafkajs';

export interface TopicScanOptions {
  /** Give up after this long (the scan then ends with what it read). */
  timeoutMs?: number;
  /**
   * A compacted topic can lose its last messages (a superseded version, an expired tombstone), so the offset before
   * the high watermark may never arrive: a partition also counts as read once nothing came for this long.
   */
  idleMs?: number;
}

/**
 * Reads a topic once from the beginning to the end it had when the scan started, without a consumer group's
 * commits (the temporary group is deleted afterwards). Returns whether every partition was read to its end.
 */
export async function scanTopic(kafka: Kafka, topic: string, onMessage: (m: KafkaMessage, partition: number) => Promise<void>, opts: TopicScanOptions = {}): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `idres-scan-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends = new Map(offsets.map((p) => [p.partition, Number(p.high)]));
    const lows = new Map(offsets.map((p) => [p.partition, Number(p.low)]));
    if ([...ends].every(([p, h]) => h === (lows.get(p) ?? 0))) return true;
    const seen = new Map<number, number>();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await consumer.connect();
    let complete = false;
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let done!: () => void;
      const finished = new Promise<void>((r) => { done = r; });
      const caughtUp = (): boolean => [...ends].every(([p, high]) => high === (lows.get(p) ?? 0) || (seen.get(p) ?? -1) >= high - 1);
      // The idle clock starts once the group has joined and the partitions are assigned (joining takes seconds).
      let lastArrival = Number.POSITIVE_INFINITY;
      consumer.on(consumer.events.GROUP_JOIN, () => { lastArrival = Date.now(); });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          lastArrival = Date.now();
          if (Number(message.offset) >= (ends.get(partition) ?? 0)) return; // written after the scan began
          seen.set(partition, Number(message.offset));
          await onMessage(message, partition);
          if (caughtUp()) {
            complete = true;
            done();
          }
        },
      });
      const idleMs = opts.idleMs ?? 5000;
      const started = Date.now();
      const ticker = setInterval(() => {
        if (Date.now() - lastArrival > idleMs) {
          complete = true;
          done();
        }
        if (Date.now() - started > (opts.timeoutMs ?? 120_000)) done();
      }, 200);
      await finished;
      clearInterval(ticker);
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return complete;
  } finally {
    await admin.disconnect();
  }
}
