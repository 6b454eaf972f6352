import type { Message } from 'kafkajs';
import type { AvroSerde } from './avroSerde';
import { IdresRuntimeError } from './errors';
import { kafkaPartitionOf } from './kafkaMurmur2';

/**
 * Packed topics carry many Avro items in one Kafka message. Each item names a partition key; all items of a
 * message hash to that message's partition with Kafka's default partitioner (murmur2 of the key), so everything
 * sharing a key still lands on one partition, in order, as it would with one keyed message per item. Measured
 * on identity.blocked (ten references per record, each its own message): Kafka message overhead, not the items'
 * content, was most of block's produce CPU, the broker's CPU and match's consume CPU (see docs/scaling.md).
 */
export interface PackedTopic {
  /** Avro schema of one item (the message value is `{ items: [...] }` of these). */
  itemSchema: string;
}

/** The partition Kafka's default partitioner gives `key` on a topic of `partitions` partitions. */
export function partitionForKey(key: string, partitions: number): number {
  return kafkaPartitionOf(key, partitions);
}

export interface PackItem {
  partitionKey: string;
  value: unknown;
}

export interface EncodedPack {
  partition: number;
  message: Message;
  bytes: number;
  items: number;
}

/** Avro's zig-zag varint of a long, as it starts an array block. */
function zigZagVarint(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const bytes: number[] = [];
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

/**
 * Groups items by partition and encodes each group into messages of at most `maxBytes`, in item order. The value
 * is written as Avro writes `{ items: array }` (one array block: count, the items, a zero), from items encoded once
 * each, so a pack's size is known while it is filled.
 */
export function encodePacks(options: { serde: AvroSerde; topic: string; spec: PackedTopic; partitions: number; items: readonly PackItem[]; maxBytes: number }): EncodedPack[] {
  const { serde, topic, spec, partitions, items, maxBytes } = options;
  const byPartition = new Map<number, Buffer[]>();
  for (const item of items) {
    const p = partitionForKey(item.partitionKey, partitions);
    const body = serde.encodeBody(spec.itemSchema, item.value, topic);
    if (body.length + 64 > maxBytes) throw new IdresRuntimeError('VALIDATION_FAILED', `an item for ${topic} is ${body.length} bytes, over the ${maxBytes}-byte message limit`);
    let list = byPartition.get(p);
    if (!list) byPartition.set(p, (list = []));
    list.push(body);
  }
  const out: EncodedPack[] = [];
  for (const [partition, bodies] of byPartition) {
    let start = 0;
    while (start < bodies.length) {
      let end = start;
      let size = 64;
      while (end < bodies.length && (end === start || size + bodies[end]!.length <= maxBytes)) size += bodies[end++]!.length;
      out.push(packMessage(serde, topic, partition, bodies.slice(start, end)));
      start = end;
    }
  }
  return out;
}

/** The wire-format value of a pack of already encoded items (one array block: count, the items, a zero). */
export function packValue(serde: AvroSerde, topic: string, bodies: readonly Buffer[]): Buffer {
  return serde.wrapBody(`${topic}-value`, Buffer.concat([zigZagVarint(bodies.length), ...bodies, Buffer.from([0])]));
}

function packMessage(serde: AvroSerde, topic: string, partition: number, bodies: Buffer[]): EncodedPack {
  const value = packValue(serde, topic, bodies);
  const key = serde.encodeKey(topic, { partition });
  return { partition, message: { key, value, partition }, bytes: key.length + value.length + 64, items: bodies.length };
}

/**
 * How many items a packed message holds, read from the array block count after the wire header, without decoding;
 * 1 when the bytes do not look like a pack (decoding will then say what is wrong).
 */
export function packItemCount(value: Buffer | null): number {
  if (!value || value.length < 6) return 1;
  let shift = 1;
  let z = 0;
  for (let i = 5; i < Math.min(value.length, 15); i++) {
    const b = value[i]!;
    z += (b & 0x7f) * shift;
    if (b < 0x80) {
      const n = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      return Math.max(1, Math.abs(n));
    }
    shift *= 0x80;
  }
  return 1;
}
