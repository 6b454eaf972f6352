import type { Kafka } from 'kafkajs';
import { TOPICS, scanTopic, type AvroSerde, type QuarantineRecordAvro } from '@idres/runtime';

/**
 * Quarantined messages by stage and code: identity.quarantine read once from the beginning to its current end
 * (what the report shows as rejected). Nothing is committed. Erased entries (tombstones) are not counted.
 */
export async function quarantineCounts(kafka: Kafka, serde: AvroSerde, timeoutMs = 120_000): Promise<Array<{ stage: string; code: string; count: number }>> {
  // By message key, so an entry erased later (a tombstone under its key) is not counted before compaction drops it.
  const entries = new Map<string, { stage: string; code: string }>();
  await scanTopic(kafka, TOPICS.quarantine, async (message) => {
    const key = message.key?.toString('base64') ?? '';
    if (!message.value) {
      entries.delete(key);
      return;
    }
    const q = await serde.decode<QuarantineRecordAvro>(message.value, 'QuarantineRecord');
    entries.set(key, { stage: q.stage, code: q.code });
  }, { timeoutMs });
  const counts = new Map<string, { stage: string; code: string; count: number }>();
  for (const q of entries.values()) {
    const k = `${q.stage}\u0000${q.code}`;
    const c = counts.get(k) ?? { stage: q.stage, code: q.code, count: 0 };
    c.count++;
    counts.set(k, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}
