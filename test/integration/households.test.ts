import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AvroSerde, RawRecordProducer, TOPIC_SPECS, TOPICS, createKafka, createLogger, createProducer, readBaseConfig, servicePorts,
  type GoldenRecordAvro, type HouseholdAvro,
} from '@idres/runtime';
import pg from 'pg';
import { buildReport, collectReportData } from '@idres/report';
import { PipelineWatcher } from '../../packages/cli/src/pipelineWatcher';
import { resetPipeline } from '../../packages/cli/src/pipelineReset';
import { servicesDown, servicesUp } from '../../packages/cli/src/serviceSupervisor';

// Households through the real stack as `npm start` runs it: the seven service processes (bundles started by
// the supervisor), records produced to identity.raw, households read back from identity.households, from the
// lookup API and from the golden records.
const cfg = readBaseConfig(process.env, 'test');
const logger = createLogger('test', 'warn');
const kafka = createKafka({ clientId: 'idres-test-households', brokers: cfg.kafkaBrokers, logger });
const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
const producer = createProducer(kafka);
const api = `http://127.0.0.1:${servicePorts(process.env)['publish']}`;

const smith = { house_number: '12', address_line1: '12 North Main Street', city: 'Springfield', state: 'IL', postcode: '62704', family_name: 'Smith' };
const people: Array<{ id: string; fields: Record<string, string> }> = [
  // The Smiths: two adults and a child at one address (the father twice, from two sources: one identity).
  { id: 's1', fields: { ...smith, given_name: 'Robert', dob: '1970-03-04', ssn: '219-44-1234', phone: '217-555-0134' } },
  { id: 's1b', fields: { ...smith, given_name: 'Rob', dob: '1970-03-04', ssn: '219441234' } },
  { id: 's2', fields: { ...smith, given_name: 'Alice', dob: '1972-08-19', ssn: '219-44-5678' } },
  { id: 's3', fields: { ...smith, given_name: 'Tom', dob: '2005-01-30', ssn: '219-44-9012' } },
  // A couple with different family names who share a phone, at another address.
  { id: 'p1', fields: { house_number: '7', address_line1: '7 Oak Avenue', address_line2: 'Apt 2', postcode: '10001', given_name: 'Maria', family_name: 'Garcia', dob: '1985-05-05', ssn: '310-22-1111', phone: '212-555-0188' } },
  { id: 'p2', fields: { house_number: '7', address_line1: '7 Oak Avenue', address_line2: 'Apt 2', postcode: '10001', given_name: 'Jun', family_name: 'Park', dob: '1984-02-02', ssn: '310-22-2222', phone: '(212) 555-0188' } },
  // Same building, another apartment, same family name as nobody: no household.
  { id: 'n1', fields: { house_number: '7', address_line1: '7 Oak Avenue', address_line2: 'Apt 9', postcode: '10001', given_name: 'Lena', family_name: 'Garcia', dob: '1990-09-09', ssn: '310-22-3333' } },
];

before(async () => {
  await servicesDown();
  await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix }, 'all');
  await servicesUp({ KAFKA_BROKERS: cfg.kafkaBrokers.join(','), SCHEMA_REGISTRY_URL: cfg.schemaRegistryUrl, DATABASE_URL: cfg.databaseUrl, REDIS_URL: cfg.redisUrl, LOG_LEVEL: 'warn' }, 180_000);
  await producer.connect();
});

after(async () => {
  await producer.disconnect();
  await servicesDown();
});

/** The latest value per key of a compacted topic: everything on it when called, read from the beginning. */
async function latest<V>(topic: string, keySchema: string, valueSchema: string, keyOf: (k: Record<string, string>) => string): Promise<Map<string, V | null>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const out = new Map<string, V | null>();
  const seen = new Map<number, number>();
  const caughtUp = (): boolean => [...ends].every(([p, high]) => high === 0 || (seen.get(p) ?? -1) >= high - 1);
  const consumer = kafka.consumer({ groupId: `test-households-${process.pid}-${Date.now()}-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  if (caughtUp()) done();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const key = keyOf(await serde.decode<Record<string, string>>(message.key!, keySchema));
      out.set(key, message.value ? await serde.decode<V>(message.value, valueSchema) : null);
      seen.set(partition, Number(message.offset));
      if (caughtUp()) done();
    },
  });
  const timer = setTimeout(done, 60_000);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

test('households appear on identity.households, in the lookup API and in golden records', { timeout: 400_000 }, async () => {
  await serde.registerTopics(TOPIC_SPECS);
  const raw = new RawRecordProducer(producer, serde);
  const encoded = people.map((p) => raw.encode({ source: 'crm', sourceRecordId: p.id, fields: p.fields, attributes: {} }));
  const ok = encoded.filter((e): e is Extract<typeof e, { message: unknown }> => 'message' in e);
  assert.equal(ok.length, people.length);
  const watcher = new PipelineWatcher(kafka, serde, cfg.groupPrefix);
  await watcher.start();
  assert.equal((await raw.sendEncoded(ok)).sent, people.length);
  const ids = people.map((p) => `crm:${p.id}`);
  const { settled, progress } = await watcher.waitUntilSettled(ids, { timeoutMs: 300_000, pollMs: 500 });
  await watcher.stop();
  assert.ok(settled, `pipeline did not settle: ${JSON.stringify(progress)}`);
  const master = (id: string): string => watcher.masterOf.get(`crm:${id}`)!.masterId;
  assert.equal(master('s1'), master('s1b'), 'the father is one identity');

  const live = (m: ReadonlyMap<string, HouseholdAvro | null>): HouseholdAvro[] => [...m.values()].filter((v): v is HouseholdAvro => v !== null && v.members.length > 0);
  const households = live(await latest<HouseholdAvro>(TOPICS.households, 'HouseholdKey', 'Household', (k) => k['householdId']!));
  const byMembers = new Map(households.map((h) => [h.members.join(' '), h]));
  const smiths = byMembers.get([master('s1'), master('s2'), master('s3')].sort().join(' '));
  const couple = byMembers.get([master('p1'), master('p2')].sort().join(' '));
  assert.ok(smiths, `no Smith household in ${JSON.stringify(households.map((h) => h.members))}`);
  assert.ok(couple, 'the couple sharing a phone is a household');
  assert.equal(households.length, 2, 'the neighbour in another apartment is in no household');
  assert.match(smiths.householdId, /^HH_\d{10}$/);
  assert.deepEqual(smiths.address, { house_number: '12', address_line1: 'N MAIN ST', postcode: '62704', city: 'SPRINGFIELD', state: 'IL' });
  assert.ok(smiths.evidence.every((e) => e.shared.includes('family_name')));
  assert.deepEqual(couple.evidence.map((e) => e.shared), [['phone']]);

  const viaApi = (await (await fetch(`${api}/households/${smiths.householdId}`)).json()) as { members: string[] };
  assert.deepEqual(viaApi.members, smiths.members);
  assert.equal((await fetch(`${api}/households/HH_0000999999`)).status, 404);
  const identity = (await (await fetch(`${api}/identities/${master('p1')}`)).json()) as { household: { householdId: string } | null };
  assert.equal(identity.household?.householdId, couple.householdId);
  const loner = (await (await fetch(`${api}/identities/${master('n1')}`)).json()) as { household: unknown };
  assert.equal(loner.household, null);

  // Golden records carry the household ID (publish rebuilds them when identity.households reports a change).
  const want = new Map([[master('s1'), smiths.householdId], [master('p2'), couple.householdId]]);
  const goldens = await latest<GoldenRecordAvro>(TOPICS.golden, 'MasterKey', 'GoldenRecord', (k) => k['masterId']!);
  for (const [id, hh] of want) assert.equal(goldens.get(id)?.householdId, hh, `golden record of ${id}`);
  assert.equal(goldens.get(master('n1'))?.householdId ?? null, null);

  // The data-quality report reads the same state: households by size, identities, the model.
  const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: 2 });
  try {
    const data = await collectReportData(pool);
    assert.deepEqual(data.householdSizes, [{ size: 2, count: 1 }, { size: 3, count: 1 }]);
    assert.equal(data.records.total, people.length);
    assert.equal(data.records.identities, people.length - 1);
    assert.ok(data.weights.bins.some((b) => b.links > 0), 'the father\'s two records are a scored link');
    const html = await buildReport({ pool });
    assert.match(html, /Households by number of identities/);
  } finally {
    await pool.end();
  }
});
