import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, pairwiseQuality, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { clusterIdOf, masterIdOf } from '@idres/core/masterId';
import { TOPICS } from '@idres/runtime';
import { PipelineHarness } from './pipelineHarness';

// Floors a little under what the pipeline measured on this dataset (standardized as Australian data, as FEBRL is);
// the in-process quality run (npm run quality) reports the engine's exact numbers.
const RECALL_FLOOR = Number(process.env['IDRES_TEST_RECALL_FLOOR'] ?? 0.96);
const PRECISION_FLOOR = Number(process.env['IDRES_TEST_PRECISION_FLOOR'] ?? 0.98);

const dataset = loadLabelledDataset('febrl_dataset1');
const SOURCE = 'febrl1';
let h: PipelineHarness;

before(async () => {
  await PipelineHarness.reset();
  // Trained on this data without its labels, as a user would (npx idres train).
  const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
  h = new PipelineHarness();
  await h.start(loadModel(modelJson), modelJson.threshold, dataset.standardize);
});

after(async () => {
  await h?.stop();
});

test('FEBRL dataset1 end to end: every record gets exactly one master ID and labelled duplicates share one', { timeout: 300_000 }, async () => {
  const ids = await h.sendLabelled(dataset.records, SOURCE);
  await h.waitForIdentities(ids);

  // Every record resolved, none quarantined, and what identity.resolved says equals resolve's state in Postgres.
  assert.equal(ids.filter((id) => h.watcher.quarantined.has(id)).length, 0, 'no FEBRL record should be quarantined');
  const db = await h.pool.query<{ record_id: string; cluster_id: string | null }>(`SELECT record_id, cluster_id FROM idres_records WHERE record_id = ANY($1)`, [ids]);
  assert.equal(db.rows.length, ids.length);
  const dbMaster = new Map(db.rows.map((r) => [r.record_id, r.cluster_id === null ? '' : masterIdOf(r.cluster_id)]));
  for (const id of ids) {
    const m = h.watcher.masterOf.get(id);
    assert.ok(m, `record ${id} has no master ID on ${TOPICS.resolved}`);
    assert.equal(m.masterId, dbMaster.get(id), `identity.resolved and Postgres disagree on ${id}`);
  }

  const truth = new Map(dataset.records.map((r) => [`${SOURCE}:${r.id}`, r.entity]));
  const predicted = new Map(ids.map((id) => [id, h.watcher.masterOf.get(id)!.masterId]));
  const q = pairwiseQuality(truth, predicted);
  console.log(JSON.stringify({ test: 'febrl_dataset1_e2e', records: ids.length, identities: new Set(predicted.values()).size, precision: q.precision, recall: q.recall, f1: q.f1 }));
  assert.ok(q.recall >= RECALL_FLOOR, `pairwise recall ${q.recall} < ${RECALL_FLOOR}`);
  assert.ok(q.precision >= PRECISION_FLOOR, `pairwise precision ${q.precision} < ${PRECISION_FLOOR}`);

  // identity.golden: the lookup's golden record for the largest identity lists exactly its members.
  const sizes = new Map<string, number>();
  for (const m of predicted.values()) sizes.set(m, (sizes.get(m) ?? 0) + 1);
  const [biggest] = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  const members = ids.filter((id) => predicted.get(id) === biggest).sort();
  const cluster = await h.pool.query<{ members: string[] }>(`SELECT array_agg(record_id ORDER BY record_id) AS members FROM idres_records WHERE cluster_id = $1`, [clusterIdOf(biggest)]);
  assert.deepEqual(cluster.rows[0]?.members, members);
});

test('a poison message is quarantined with its reason and does not stall the partition', { timeout: 120_000 }, async () => {
  const key = h.serde.encodeKey(TOPICS.raw, { source: 'poison', sourceRecordId: 'p1' });
  await h.producer.send({ topic: TOPICS.raw, messages: [{ key, value: Buffer.from('this is not avro') }] });
  await h.raw.send([{ source: 'poison', sourceRecordId: 'ok1', fields: { given_name: 'Zbigniew', family_name: 'Quarantinski', dob: '1971-03-04' }, attributes: {} }]);
  await h.waitForIdentities(['poison:p1', 'poison:ok1']);
  assert.match(h.watcher.quarantined.get('poison:p1') ?? '', /DECODE_FAILED/);
  assert.ok(h.watcher.masterOf.get('poison:ok1'), 'the valid record behind the poison one was resolved');
});
