// Erasure end to end: a record (with a near-duplicate it links to, and a bad version in quarantine) is erased, and
// then no topic, table or Redis key holds its values once compaction and retention have run (made fast here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel, type ModelJson } from '@idres/core';
import { TOPIC_CONFIG_RESOURCE, TOPIC_SPECS, scanTopic } from '@idres/runtime';
import { Eraser, KafkaErasureTopics, PgErasureLog, PgRedisRecordStores } from '@idres/erasure';
import { PipelineHarness } from './pipelineHarness';

let h: PipelineHarness;
const target = { source: 'era', sourceRecordId: 't1', attributes: {}, fields: { given_name: 'Zebulonia', family_name: 'Quartermayne', dob: '1961-07-23', ssn: '581-44-9327', email: 'zebulonia.q@example.org', phone: '+1 415 555 0172', address_line1: '88 Wistmoor Lane', postcode: '94110' } };
const twin = { source: 'era', sourceRecordId: 't2', attributes: {}, fields: { ...target.fields, given_name: 'Zebulonea', ssn: '581-44-9372', email: 'zq61@example.net', phone: '+1 415 555 0199', address_line1: '12 Ostley Road' } };
// Values only the erased record has (the twin shares its family name and birth date).
const needles = ['zebulonia', '581449327', '581-44-9327', 'example.org', '5550172', 'wistmoor'];
const others = Array.from({ length: 40 }, (_, i) => ({ source: 'era', sourceRecordId: `o${i}`, attributes: {}, fields: { given_name: `Name${i}`, family_name: `Family${i % 7}`, dob: `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}` } }));

async function fastCleanup(): Promise<void> {
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    for (const s of TOPIC_SPECS) {
      const fast: Record<string, string> = { ...s.config, 'segment.ms': '2000', 'file.delete.delay.ms': '1000' };
      if (s.config['cleanup.policy']?.includes('compact')) Object.assign(fast, { 'max.compaction.lag.ms': '2000', 'min.compaction.lag.ms': '0', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '1000' });
      if (s.erasure === 'expires' || s.config['cleanup.policy']?.includes('delete')) fast['retention.ms'] = '20000';
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_CONFIG_RESOURCE, name: s.name, configEntries: Object.entries(fast).map(([name, value]) => ({ name, value })) }] });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Each topic whose stored messages (keys or values, as bytes) still hold one of the needles. */
async function topicHits(): Promise<string[]> {
  const hits: string[] = [];
  for (const s of TOPIC_SPECS) {
    let hit = false;
    await scanTopic(h.kafka, s.name, async (m) => {
      const text = `${m.key?.toString('latin1') ?? ''} ${m.value?.toString('latin1') ?? ''}`.toLowerCase().replace(/[^a-z0-9@.\- ]/g, '');
      if (needles.some((n) => text.includes(n.toLowerCase()))) hit = true;
    }, { idleMs: 1500, timeoutMs: 30_000 });
    if (hit) hits.push(s.name);
  }
  return hits;
}

async function tableHits(): Promise<string[]> {
  const tables = (await h.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).rows.map((r) => r.t);
  const hits: string[] = [];
  for (const t of tables) {
    const q = await h.pool.query(`SELECT 1 FROM "${t}" x WHERE ${needles.map((_, i) => `lower(regexp_replace(x::text, '[^a-zA-Z0-9@.\\- ]', '', 'g')) LIKE $${i + 1}`).join(' OR ')} LIMIT 1`, needles.map((n) => `%${n.toLowerCase()}%`));
    if (q.rows.length > 0) hits.push(t);
  }
  return hits;
}

async function redisHits(): Promise<string[]> {
  const hits: string[] = [];
  for await (const e of h.redisEntries()) {
    const text = e.text.toLowerCase().replace(/[^a-z0-9@.\- ]/g, '');
    if (needles.some((n) => text.includes(n.toLowerCase()))) hits.push(e.key);
  }
  return hits;
}

before(async () => {
  await PipelineHarness.reset();
  h = new PipelineHarness();
  const model = JSON.parse(readFileSync(new URL('../../packages/core/models/default.json', import.meta.url), 'utf8')) as ModelJson;
  await h.start(loadModel(model), model.threshold);
  await fastCleanup();
  await h.raw.send([target, twin, ...others]);
  await h.waitForIdentities(['era:t1', 'era:t2', ...others.map((o) => `era:${o.sourceRecordId}`)]);
});

after(async () => {
  await h?.stop();
});

test('an erased record leaves no value in any topic, table or Redis key; its twin keeps its identity', { timeout: 600_000 }, async () => {
  assert.equal(h.watcher.masterOf.get('era:t1')?.masterId, h.watcher.masterOf.get('era:t2')?.masterId, 'the twin links to the target (so links and explanations hold its values)');
  // A bad version of the target: quarantined with its original bytes.
  await h.raw.send([{ ...target, fields: { ...target.fields, given_name: 'Zebulonia\u0000' } }]);
  const before = { topics: await topicHits(), tables: await tableHits(), redis: await redisHits() };
  assert.ok(before.topics.includes('identity.raw') && before.topics.includes('identity.quarantine'), `control: the values are in the topics (${before.topics.join(', ')})`);
  assert.ok(before.tables.includes('idres_records'), 'control: and in resolve\'s table');
  assert.ok(before.redis.length > 0, 'control: and in Redis');

  const eraser = new Eraser({ log: new PgErasureLog(h.pool), topics: new KafkaErasureTopics({ kafka: h.kafka, producer: h.producer, serde: h.serde }), stores: new PgRedisRecordStores(h.pool, h.redis) });
  const req = await eraser.request({ source: 'era', sourceRecordId: 't1' });
  assert.equal(req.quarantineEntries, 1, 'the bad version in quarantine is found');
  const done = await eraser.waitUntilDone(req.id, { timeoutMs: 120_000 });
  assert.equal(done.state, 'done');
  assert.deepEqual(await tableHits(), [], 'no table holds a value once the pipeline is done');
  assert.deepEqual(await redisHits(), [], 'no Redis key holds a value');

  // Compaction and retention (made fast above) need appends to roll segments: keep a trickle of other updates going.
  let hits = await topicHits();
  const deadline = Date.now() + 300_000;
  for (let round = 0; hits.length > 0 && Date.now() < deadline; round++) {
    await h.raw.send(others.slice(0, 5).map((o) => ({ ...o, fields: { ...o.fields, postcode: String(10000 + round) } })));
    await new Promise((r) => setTimeout(r, 10_000));
    hits = await topicHits();
  }
  assert.deepEqual(hits, [], 'no topic holds a value after compaction and retention');
  const twinMaster = h.watcher.masterOf.get('era:t2')?.masterId;
  assert.ok(twinMaster, 'the twin still has an identity');
});
