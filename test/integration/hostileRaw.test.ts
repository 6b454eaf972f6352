// Part 3 of "nothing is lost under faults": what other clients may put on identity.raw. Each hostile message goes to
// identity.quarantine with its code and a reason that quotes no value, its original bytes copied, and the
// consumer moves on: the good records produced after them are standardized. Real Kafka and registry, the real
// standardize app in-process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import {
  topicSpec,
  AvroSerde, TOPIC_SPECS, TOPICS, createKafka, createLogger, createMetrics, createProducer, readBaseConfig,
  type QuarantineRecordAvro, type RecordKey, type ServiceApp, type StandardizedRecordAvro,
} from '@idres/runtime';
import { buildStandardizeApp } from '../../services/standardize/src/app';
import { PipelineHarness } from './pipelineHarness';
import { RAW_PII, hostileRawCorpus } from '../hostile/rawCorpus';
import { readTopic } from '../hostile/topicReader';

const config = readBaseConfig(process.env, 'test');
const kafka = createKafka({ clientId: 'idres-test-raw', brokers: config.kafkaBrokers, logger: createLogger('test', 'error') });
const serde = AvroSerde.connect(config.schemaRegistryUrl);
const producer = createProducer(kafka);
const logLines: string[] = [];
let app: ServiceApp;

before(async () => {
  await PipelineHarness.reset();
  await serde.registerTopics(TOPIC_SPECS);
  await producer.connect();
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { logLines.push(chunk.toString()); cb(); } });
  app = buildStandardizeApp({
    kafka, producer, serde, logger: pino({ level: 'debug' }, sink), metrics: createMetrics('standardize-test'),
    groupPrefix: `test-raw-${process.pid}-${Date.now()}`, batchSize: 500, partitionsConsumedConcurrently: 3,
  });
  await app.start();
});
after(async () => {
  await app?.stop();
  await producer.disconnect();
});

test('the broker refuses a message without a key on identity.raw (compacted, so a record is its key)', { timeout: 60_000 }, async () => {
  const value = serde.encodeValue(TOPICS.raw, { source: 'rawhostile', sourceRecordId: 'no-key', given_name: 'Ann', family_name: 'Lee', dob: '1980-02-01', attributes: {} });
  await assert.rejects(producer.send({ topic: TOPICS.raw, acks: -1, messages: [{ key: null, value }] }), /compacted topic|key|INVALID_RECORD|validation/i);
});

test('hostile messages on identity.raw are quarantined with their reason and the consumer moves on', { timeout: 120_000 }, async () => {
  const runId = `${process.pid}x${Date.now().toString(36)}`;
  const ids = { pairEventValue: await serde.registerSubject(`${TOPICS.pairs}-value`, topicSpec(TOPICS.pairs).valueSchema), recordKeyKey: await serde.registerSubject(`${TOPICS.raw}-key`, 'RecordKey') };
  const corpus = hostileRawCorpus(7, runId, serde, ids);
  const refOf = new Map<string, (typeof corpus)[number]>();
  for (const item of corpus) {
    const [meta] = await producer.send({ topic: TOPICS.raw, acks: -1, messages: [item.message] });
    refOf.set(`${TOPICS.raw}/${meta!.partition}/${meta!.baseOffset}`, item);
  }
  // Good records after the hostile ones: they must come through.
  const src = `rawhostile${runId}`;
  const goodIds = Array.from({ length: 50 }, (_, i) => `good-${i}`);
  await producer.send({ topic: TOPICS.raw, acks: -1, messages: goodIds.map((id) => ({ key: serde.encodeKey(TOPICS.raw, { source: src, sourceRecordId: id }), value: serde.encodeValue(TOPICS.raw, { source: src, sourceRecordId: id, given_name: 'Bo', family_name: 'Ek', dob: '1970-01-01', attributes: {} }) })) });

  const wantStandardized = new Set([...goodIds, ...corpus.flatMap((c) => ('standardized' in c.expect ? [c.expect.standardized] : []))].map((id) => `${src}:${id}`));
  const quarantined = new Map<string, QuarantineRecordAvro>();
  const standardized = new Map<string, StandardizedRecordAvro>();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    for (const { message } of await readTopic(kafka, TOPICS.quarantine)) {
      const k = await serde.decode<{ stage: string; ref: string }>(message.key!, 'QuarantineKey');
      if (refOf.has(k.ref)) quarantined.set(k.ref, await serde.decode<QuarantineRecordAvro>(message.value!, 'QuarantineRecord'));
    }
    for (const { message } of await readTopic(kafka, TOPICS.standardized)) {
      const k = await serde.decode<RecordKey>(message.key!, 'RecordKey');
      const id = `${k.source}:${k.sourceRecordId}`;
      if (k.source === src && message.value) standardized.set(id, await serde.decode<StandardizedRecordAvro>(message.value, 'StandardizedRecord'));
    }
    const wantQ = corpus.filter((c) => 'quarantine' in c.expect).length;
    if (quarantined.size >= wantQ && [...wantStandardized].every((id) => standardized.has(id))) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const [ref, item] of refOf) {
    if ('quarantine' in item.expect) {
      const q = quarantined.get(ref);
      assert.ok(q, `${item.name}: not quarantined`);
      assert.equal(q.code, item.expect.quarantine, `${item.name}: code (${q.reason})`);
      assert.match(q.reason, item.expect.reason, `${item.name}: reason`);
      assert.ok(!q.reason.includes(RAW_PII), `${item.name}: the reason quotes a value`);
      assert.equal(q.stage, 'standardize');
      assert.deepEqual(q.value, item.message.value ?? null, `${item.name}: the original bytes are kept`);
      assert.equal(standardized.has(`${src}:${item.name}`), false);
    } else {
      assert.equal(quarantined.has(ref), false, `${item.name}: quarantined (${quarantined.get(ref)?.reason})`);
      const s = standardized.get(`${src}:${item.expect.standardized}`);
      assert.ok(s, `${item.name}: not standardized`);
      for (const f of item.expect.flags ?? []) assert.ok(s.flags.some((x) => `${x.field}:${x.code}` === f), `${item.name}: flag ${f} in ${JSON.stringify(s.flags)}`);
    }
  }
  const missingGood = goodIds.filter((id) => !standardized.has(`${src}:${id}`));
  assert.deepEqual(missingGood, [], 'the good records after the hostile ones are standardized');
  assert.ok(logLines.every((l) => !l.includes(RAW_PII)), 'a log line quotes a value');
  process.stdout.write(`# hostile raw: ${corpus.length} hostile messages, ${quarantined.size} quarantined, ${standardized.size} standardized (${goodIds.length} good after them)\n`);
});
