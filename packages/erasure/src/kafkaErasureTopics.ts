import type { Kafka, Producer } from 'kafkajs';
import { TOPICS, scanTopic, type AvroSerde, type QuarantineRecordAvro, type RecordKey } from '@idres/runtime';
import type { ErasureTopics } from './eraser';
import type { ErasureKey } from './erasureRequest';
import { quarantineBelongsTo } from './quarantineMatch';

/** Erasure's tombstones through the services' producer (acks from all in-sync replicas, like every produce). */
export class KafkaErasureTopics implements ErasureTopics {
  constructor(private readonly deps: { kafka: Kafka; producer: Producer; serde: AvroSerde; scanTimeoutMs?: number }) {}

  async tombstoneInput(key: ErasureKey, timestamp: number): Promise<void> {
    const k = this.deps.serde.encodeKey(TOPICS.raw, { source: key.source, sourceRecordId: key.sourceRecordId });
    await this.deps.producer.send({ topic: TOPICS.raw, acks: -1, messages: [{ key: k, value: null, timestamp: String(timestamp) }] });
  }

  async quarantineKeysOf(key: ErasureKey): Promise<Buffer[]> {
    const { serde } = this.deps;
    const found = new Map<string, Buffer>();
    const decoder = {
      recordKey: async (buf: Buffer): Promise<ErasureKey | undefined> => {
        try {
          return await serde.decode<RecordKey>(buf, 'RecordKey');
        } catch {
          return undefined;
        }
      },
    };
    const complete = await scanTopic(this.deps.kafka, TOPICS.quarantine, async (m) => {
      if (!m.key) return;
      const id = m.key.toString('base64');
      if (!m.value) {
        found.delete(id); // erased before
        return;
      }
      let q: QuarantineRecordAvro;
      try {
        q = await serde.decode<QuarantineRecordAvro>(m.value, 'QuarantineRecord');
      } catch {
        return; // not an entry idres wrote
      }
      if (await quarantineBelongsTo({ stage: q.stage, topic: q.topic, key: q.key, value: q.value }, key, decoder)) found.set(id, m.key);
    }, { timeoutMs: this.deps.scanTimeoutMs ?? 120_000 });
    if (!complete) throw new Error('identity.quarantine could not be read to its end');
    return [...found.values()];
  }

  async tombstoneQuarantine(keys: readonly Buffer[]): Promise<void> {
    if (keys.length === 0) return;
    await this.deps.producer.send({ topic: TOPICS.quarantine, acks: -1, messages: keys.map((key) => ({ key, value: null })) });
  }
}
