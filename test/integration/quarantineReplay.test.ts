// `idres quarantine replay`: quarantined messages go back to their topic and partition with their original
// bytes, filtered by stage, each once (a second replay sends nothing). Real Kafka and registry; a private
// target topic, so the pipeline is not involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvroSerde, TOPIC_SPECS, TOPICS, createKafka, createLogger, createProducer, ensureTopics, readBaseConfig, type QuarantineRecordAvro } from '@idres/runtime';
import { replayQuarantine } from '../../packages/cli/src/quarantineReplay';

test('quarantine replay: the wanted entries return to their topic and partition, byte for byte, once', async () => {
  const config = readBaseConfig(process.env, 'test');
  const kafka = createKafka({ clientId: 'idres-test', brokers: config.kafkaBrokers, logger: createLogger('test', 'error') });
  const serde = AvroSerde.connect(config.schemaRegistryUrl);
  await serde.registerTopics(TOPIC_SPECS);
  const run = `${process.pid}-${Date.now()}`;
  const target = `idres-test.replay-target-${run}`;
  const stage = `replay-test-${run}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config.partitions);
  await admin.createTopics({ topics: [{ topic: target, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const entry = (over: Partial<QuarantineRecordAvro>): QuarantineRecordAvro => ({ stage, code: 'HANDLER_FAILED', reason: 'OOM command not allowed', topic: target, partition: 2, offset: '7', key: Buffer.from('k'), value: Buffer.from('v'), at: Date.now(), ...over });
  const entries = [
    entry({ key: Buffer.from('key-1'), value: Buffer.from([0, 1, 2, 255]), partition: 2 }),
    entry({ key: null, value: Buffer.from('no key'), partition: 1 }),
    entry({ stage: `${stage}-other`, value: Buffer.from('another stage') }), // filtered out
    entry({ topic: null, value: null }), // a rejected input row: nothing to send back
  ];
  const producer = createProducer(kafka);
  await producer.connect();
  await producer.send({ topic: TOPICS.quarantine, acks: -1, messages: entries.map((q, i) => ({ key: serde.encodeKey(TOPICS.quarantine, { stage: q.stage, ref: `ref-${i}` }), value: serde.encodeValue(TOPICS.quarantine, q) })) });
  await producer.disconnect();

  const groupId = `idres-test.quarantine-replay-${run}`;
  const first = await replayQuarantine(kafka, serde, { groupId, stage });
  assert.equal(first.replayed, 2);
  assert.equal(first.byTopic[target], 2);
  const second = await replayQuarantine(kafka, serde, { groupId, stage });
  assert.equal(second.replayed, 0, 'each entry is replayed once');

  // What arrived on the target topic: exactly the two wanted messages, on their partitions, bytes unchanged.
  const consumer = kafka.consumer({ groupId: `idres-test.replay-read-${run}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [target], fromBeginning: true });
  const got: Array<{ partition: number; key: string | null; value: string }> = [];
  await consumer.run({ eachMessage: async ({ partition, message }) => { got.push({ partition, key: message.key?.toString('hex') ?? null, value: message.value?.toString('hex') ?? '' }); } });
  const deadline = Date.now() + 20_000;
  while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000)); // nothing more may arrive
  await consumer.disconnect();
  got.sort((a, b) => a.partition - b.partition);
  assert.deepEqual(got, [
    { partition: 1, key: null, value: Buffer.from('no key').toString('hex') },
    { partition: 2, key: Buffer.from('key-1').toString('hex'), value: '000102ff' },
  ]);
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteTopics({ topics: [target] }).catch(() => undefined);
  await cleanup.disconnect();
});
