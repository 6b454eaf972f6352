import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { kafkaMurmur2 } from '../src/kafkaMurmur2';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { AvroSerde, loadSchemaFiles } from '../src/avroSerde';
import { encodePacks, packItemCount, packValue, partitionForKey } from '../src/messagePacks';
import type { BlockedRecordAvro } from '../src/records';
import { TOPICS, TOPIC_SPECS, packingOf } from '../src/topics';

// The registry is only asked for schema IDs this process did not register; registering is stubbed with fixed IDs.
const noRegistry = {} as SchemaRegistry;
async function serde(): Promise<AvroSerde> {
  let next = 1;
  const s = new AvroSerde(noRegistry, loadSchemaFiles(), async () => next++);
  await s.registerSubject(`${TOPICS.blocked}-key`, 'PackKey');
  await s.registerSubject(`${TOPICS.blocked}-value`, 'BlockedRecordPack');
  return s;
}

const ref = (i: number, blockKey: string): BlockedRecordAvro => ({
  blockKey, rule: 'r', ruleIndex: 0, recordId: `rec-${i}`, version: i, deleted: false, primary: i % 2 === 0, ingestedAt: 1_700_000_000_000 + i,
});

test('each packed topic\'s item schema is the item\'s own .avsc file, so the two cannot drift', () => {
  const files = loadSchemaFiles();
  const packed = TOPIC_SPECS.filter((t) => t.packed);
  assert.deepEqual(packed.map((t) => t.name).sort(), [TOPICS.blocked, TOPICS.pairs].sort());
  for (const t of packed) {
    const pack = JSON.parse(files.get(t.valueSchema)!) as { fields: Array<{ name: string; type: { items: unknown } }> };
    assert.equal(pack.fields.length, 1);
    assert.equal(pack.fields[0]!.name, 'items');
    assert.deepEqual(pack.fields[0]!.type.items, JSON.parse(files.get(t.packed!.itemSchema)!), t.name);
    assert.equal(t.keySchema, 'PackKey');
  }
});

test('partitionForKey is what Kafka default partitioner gives the same key bytes', () => {
  const kafkaDefault = Partitioners.DefaultPartitioner();
  for (const partitions of [1, 6, 7, 64]) {
    const meta = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    for (const key of ['fn:SMITH', 'dob:1980-01-02', 'ünïcode', '', 'x'.repeat(300), '😀 emoji', 'x'.repeat(2000)]) {
      assert.equal(partitionForKey(key, partitions), kafkaDefault({ topic: 't', partitionMetadata: meta, message: { key: Buffer.from(key), value: null } }));
    }
  }
});

test('kafkaMurmur2 equals kafkajs murmur2, hash and partition, on 20,000 random keys of every length mod 4, ASCII and not', () => {
  const kafkaDefault = Partitioners.DefaultPartitioner();
  const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
  const meta = Array.from({ length: 97 }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  let seed = 12345;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const alphabet = ['a', 'Z', '0', ':', ' ', 'é', 'ß', '中', '😀', '\u0000', '\u00ff'];
  for (let i = 0; i < 20_000; i++) {
    const key = Array.from({ length: rnd(40) }, () => alphabet[rnd(alphabet.length)]!).join('');
    const bytes = Buffer.from(key, 'utf8');
    // With 97 partitions the partition is the hash's low bits mod 97: a wrong hash shows.
    assert.equal(partitionForKey(key, 97), kafkaDefault({ topic: 't', partitionMetadata: meta, message: { key: bytes, value: null } }), `key of ${bytes.length} bytes`);
    assert.equal(kafkaMurmur2(bytes), kafkajsMurmur2(bytes), `key of ${bytes.length} bytes`);
  }
});

test('packs group items by the partition of their key, keep their order, and decode back to the items', async () => {
  const s = await serde();
  const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const items = Array.from({ length: 400 }, (_, i) => ref(i, keys[i % keys.length]!));
  const packs = encodePacks({ serde: s, topic: TOPICS.blocked, spec: packingOf(TOPICS.blocked)!, partitions: 6, items: items.map((value) => ({ partitionKey: value.blockKey, value })), maxBytes: 256 * 1024 });
  const seen: BlockedRecordAvro[] = [];
  for (const p of packs) {
    assert.equal(p.message.partition, p.partition);
    const decoded = await s.decode<{ items: BlockedRecordAvro[] }>(p.message.value as Buffer, 'BlockedRecordPack');
    assert.equal(decoded.items.length, p.items);
    assert.equal(packItemCount(p.message.value as Buffer), p.items);
    for (const it of decoded.items) assert.equal(partitionForKey(it.blockKey, 6), p.partition);
    const key = await s.decode<{ partition: number }>(p.message.key as Buffer, 'PackKey');
    assert.equal(key.partition, p.partition);
    seen.push(...decoded.items);
  }
  // Every item exactly once; within a partition in the order given.
  assert.deepEqual([...seen].sort((x, y) => x.version - y.version).map((x) => ({ ...x })), items);
  for (const p of new Set(packs.map((x) => x.partition))) {
    const mine = seen.filter((it) => partitionForKey(it.blockKey, 6) === p).map((it) => it.version);
    assert.deepEqual(mine, [...mine].sort((x, y) => x - y));
  }
});

test('a partition with more than maxBytes of items gets several packs, each under the limit', async () => {
  const s = await serde();
  const items = Array.from({ length: 3000 }, (_, i) => ({ partitionKey: 'same-block', value: ref(i, 'same-block') }));
  const packs = encodePacks({ serde: s, topic: TOPICS.blocked, spec: packingOf(TOPICS.blocked)!, partitions: 6, items, maxBytes: 16 * 1024 });
  assert.ok(packs.length > 1);
  assert.equal(new Set(packs.map((p) => p.partition)).size, 1);
  for (const p of packs) assert.ok(p.bytes <= 16 * 1024 + 64, `pack of ${p.bytes} bytes`);
  assert.equal(packs.reduce((n, p) => n + p.items, 0), 3000);
});

test('an item that does not fit the schema is a VALIDATION_FAILED error naming the field, not the value', async () => {
  const s = await serde();
  const bad = { ...ref(1, 'k'), version: 'SECRET-VALUE' } as unknown as BlockedRecordAvro;
  assert.throws(
    () => encodePacks({ serde: s, topic: TOPICS.blocked, spec: packingOf(TOPICS.blocked)!, partitions: 6, items: [{ partitionKey: 'k', value: bad }], maxBytes: 1024 }),
    (err: Error & { code?: string }) => err.code === 'VALIDATION_FAILED' && err.message.includes('version') && !err.message.includes('SECRET'),
  );
});

test('a pack of one item (how a quarantined item is kept) decodes to that item', async () => {
  const s = await serde();
  const item = ref(7, 'k');
  const value = packValue(s, TOPICS.blocked, [s.encodeBody('BlockedRecord', item, TOPICS.blocked)]);
  assert.equal(packItemCount(value), 1);
  const decoded = await s.decode<{ items: BlockedRecordAvro[] }>(value, 'BlockedRecordPack');
  assert.deepEqual(decoded.items.map((x) => ({ ...x })), [item]);
});
