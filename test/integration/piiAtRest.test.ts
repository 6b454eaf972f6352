// National IDs at rest (issue 16, item 4): with a sealing key, no SSN of FEBRL dataset1 can be read in any topic
// after identity.raw, in Redis or in Postgres; matching (which depends on SSN typos in FEBRL) keeps its quality
// because match opens the seals in memory; the lookup API opens them for its answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { FieldSealer, loadModel, pairwiseQuality, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { TOPICS, TOPIC_SPECS, scanTopic } from '@idres/runtime';
import { registerLookupRoutes } from '../../services/publish/src/app';
import { IdentityQueries } from '../../services/publish/src/identityQueries';
import { PipelineHarness } from './pipelineHarness';

const dataset = loadLabelledDataset('febrl_dataset1');
const SOURCE = 'sealed';
const sealer = new FieldSealer({ primary: 'k1', keys: new Map([['k1', randomBytes(32)]]) });
// The SSNs as standardized (7 digits in FEBRL): how they would rest if nothing sealed them.
const needles = new Set(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values['ssn']).filter((v): v is string => v !== undefined));
let h: PipelineHarness;

/** Needles found in a text, as whole runs of digits (a clear SSN is never glued to other digits in our encodings). */
function hitsIn(text: string): number {
  let n = 0;
  for (const run of text.match(/\d+/g) ?? []) if (needles.has(run)) n++;
  return n;
}

async function topicHits(): Promise<Map<string, number>> {
  const hits = new Map<string, number>();
  for (const s of TOPIC_SPECS) {
    let n = 0;
    await scanTopic(h.kafka, s.name, async (m) => { n += hitsIn(`${m.key?.toString('latin1') ?? ''} ${m.value?.toString('latin1') ?? ''}`); }, { idleMs: 1500, timeoutMs: 30_000 });
    hits.set(s.name, n);
  }
  return hits;
}

async function tableHits(): Promise<Map<string, number>> {
  const tables = (await h.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).rows.map((r) => r.t);
  const hits = new Map<string, number>();
  for (const t of tables) {
    const rows = await h.pool.query<{ x: string }>(`SELECT x::text AS x FROM "${t}" x`);
    hits.set(t, rows.rows.reduce((n, r) => n + hitsIn(r.x), 0));
  }
  return hits;
}

async function redisHits(): Promise<number> {
  let n = 0;
  for await (const e of h.redisEntries()) n += hitsIn(e.text);
  return n;
}

before(async () => {
  await PipelineHarness.reset();
  const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
  h = new PipelineHarness();
  await h.start(loadModel(modelJson), modelJson.threshold, dataset.standardize, { sealer });
});

after(async () => {
  await h?.stop();
});

test('sealed national IDs: none readable after identity.raw, FEBRL quality kept, the lookup API opens them', { timeout: 600_000 }, async () => {
  assert.ok(needles.size > 500, `FEBRL dataset1 has SSNs to look for (${needles.size})`);
  const ids = await h.sendLabelled(dataset.records, SOURCE);
  await h.waitForIdentities(ids);

  // Quality: the same floors as the unsealed end-to-end test (pipeline.test.ts).
  const truth = new Map(dataset.records.map((r) => [`${SOURCE}:${r.id}`, r.entity]));
  const predicted = new Map(ids.map((id) => [id, h.watcher.masterOf.get(id)!.masterId]));
  const q = pairwiseQuality(truth, predicted);
  console.log(JSON.stringify({ test: 'febrl_dataset1_sealed_e2e', records: ids.length, identities: new Set(predicted.values()).size, precision: q.precision, recall: q.recall, f1: q.f1 }));
  assert.ok(q.recall >= 0.96, `pairwise recall ${q.recall} < 0.96`);
  assert.ok(q.precision >= 0.98, `pairwise precision ${q.precision} < 0.98`);

  // At rest: every topic but the input (identity.raw, and quarantine's copies of input) holds no clear SSN.
  const topics = await topicHits();
  console.log(JSON.stringify({ test: 'sealed_at_rest_topics', hits: Object.fromEntries(topics) }));
  assert.ok((topics.get(TOPICS.raw) ?? 0) >= needles.size, 'control: the scan finds the SSNs in identity.raw, where they arrive in clear');
  for (const [topic, n] of topics) if (topic !== TOPICS.raw && topic !== TOPICS.quarantine) assert.equal(n, 0, `${topic} holds ${n} clear SSNs`);
  const tables = await tableHits();
  console.log(JSON.stringify({ test: 'sealed_at_rest_tables', hits: Object.fromEntries(tables) }));
  for (const [t, n] of tables) assert.equal(n, 0, `table ${t} holds ${n} clear SSNs`);
  assert.equal(await redisHits(), 0, 'Redis holds clear SSNs');
  const stored = await h.pool.query<{ values: Record<string, string> }>(`SELECT values FROM idres_records WHERE record_id = $1`, [ids[0]]);
  assert.ok(FieldSealer.isSealed(stored.rows[0]!.values['ssn']!), 'control: the record is stored, with its SSN sealed');

  // The lookup API opens the seal in memory: without national_id:read the mask shows the clear value's last digits.
  const http = Fastify();
  registerLookupRoutes(http, new IdentityQueries(h.pool), sealer);
  const clearSsn = standardizeRecord(dataset.records[0]!.fields, dataset.standardize).values['ssn']!;
  const view = (await http.inject({ method: 'GET', url: `/identities/${predicted.get(ids[0]!)!}` })).json() as { members: Array<{ recordId: string; values: Record<string, string> }> };
  assert.equal(view.members.find((m) => m.recordId === ids[0])!.values['ssn'], `***-**-${clearSsn.slice(-4)}`);
  await http.close();
});
