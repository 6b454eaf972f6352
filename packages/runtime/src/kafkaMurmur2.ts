/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2, which kafkajs's DefaultPartitioner reproduces) in
 * 32-bit integer arithmetic. kafkajs computes it with 64-bit Long objects: in the block service's CPU profile
 * (200,000 records, 2026-12-02) partitioning its ~10 references per record took 21% of the process, most of it
 * in Long multiply/xor and the allocations behind them. The low 32 bits of every step are the same, so the
 * result is bit for bit kafkajs's (packages/runtime/test/messagePacks.test.ts compares them on random keys).
 */
const M = 0x5bd1e995;
const SEED = 0x9747b28c;

export function kafkaMurmur2(data: Uint8Array, length = data.length): number {
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1-3 bytes (Java's switch with fall-through).
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

let scratch = Buffer.allocUnsafe(1024);

/** The partition Kafka's default partitioner gives `key` (its UTF-8 bytes) on a topic of `partitions` partitions. */
export function kafkaPartitionOf(key: string, partitions: number): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; one reused buffer, no allocation per key.
  if (key.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(key.length * 3);
  const n = scratch.write(key, 0, 'utf8');
  return (kafkaMurmur2(scratch, n) & 0x7fffffff) % partitions;
}
