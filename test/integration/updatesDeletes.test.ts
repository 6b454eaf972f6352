import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { clusterIdOf } from '@idres/core/masterId';
import { registerLookupRoutes } from '../../services/publish/src/app';
import { IdentityQueries } from '../../services/publish/src/identityQueries';
import { PipelineHarness } from './pipelineHarness';

const dataset = loadLabelledDataset('febrl_dataset1');
const ids = dataset.records.map((r) => `u:${r.id}`);
const toInput = (r: (typeof dataset.records)[number]) => ({
  source: 'u', sourceRecordId: r.id, attributes: {},
  fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
});
let h: PipelineHarness;
let pairA = '';
let pairB = '';
let master = '';

before(async () => {
  await PipelineHarness.reset();
  const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
  h = new PipelineHarness();
  await h.start(loadModel(modelJson), modelJson.threshold, dataset.standardize);
  await h.raw.send(dataset.records.map(toInput));
  await h.waitForIdentities(ids);
  // An identity of exactly two records linked by one edge.
  const byMaster = new Map<string, string[]>();
  for (const id of ids) {
    const m = h.watcher.masterOf.get(id)!.masterId;
    byMaster.set(m, [...(byMaster.get(m) ?? []), id]);
  }
  const two = [...byMaster].find(([, members]) => members.length === 2);
  assert.ok(two, 'FEBRL dataset1 should resolve some identities of exactly two records');
  [master, [pairA, pairB]] = [two[0], two[1].sort() as [string, string]];
});

after(async () => {
  await h?.stop();
});

test('lookup API answers identities, records and searches from Postgres', async () => {
  const http = Fastify();
  registerLookupRoutes(http, new IdentityQueries(h.pool));
  const ident = await http.inject({ method: 'GET', url: `/identities/${master}` });
  assert.equal(ident.statusCode, 200);
  const body = ident.json() as { members: Array<{ recordId: string }>; links: Array<{ a: string; b: string; explanation: unknown[] }>; golden: { fields: Record<string, string> } };
  assert.deepEqual(body.members.map((m) => m.recordId), [pairA, pairB]);
  assert.equal(body.links.length, 1);
  assert.ok(body.links[0]!.explanation.length > 0, 'a link carries its explanation (the waterfall)');
  assert.ok(body.golden.fields['family_name'], 'the golden record has a family name');
  const rec = await http.inject({ method: 'GET', url: `/records/u/${pairA.slice(2)}/identity` });
  assert.deepEqual(rec.json(), { recordId: pairA, masterId: master });
  const search = await http.inject({ method: 'GET', url: `/identities?family_name=${encodeURIComponent(body.golden.fields['family_name']!)}` });
  assert.ok((search.json() as { results: Array<{ masterId: string }> }).results.some((r) => r.masterId === master));
  assert.equal((await http.inject({ method: 'GET', url: '/identities/MDM_9999999999' })).statusCode, 404);
  assert.equal((await http.inject({ method: 'GET', url: '/identities' })).statusCode, 400);
  await http.close();
});

test('an update that removes the only link splits the identity; the split-off part gets a new ID', { timeout: 120_000 }, async () => {
  await h.raw.send([{ source: 'u', sourceRecordId: pairB.slice(2), attributes: {}, fields: { given_name: 'Zebediah', family_name: 'Quimbyworth', dob: '1950-01-01' } }]);
  await h.waitForIdentities(ids);
  const a = h.watcher.masterOf.get(pairA)!.masterId;
  const b = h.watcher.masterOf.get(pairB)!.masterId;
  assert.notEqual(a, b, 'the updated record no longer shares the identity');
  assert.ok([a, b].includes(master), 'one part keeps the old master ID');
  const splitOff = a === master ? b : a;
  assert.ok(h.watcher.events.some((e) => e.type === 'SPLIT' && e.masterId === splitOff && e.splitFrom === master), 'a SPLIT event names the new identity and where it came from');
  const edges = await h.pool.query(`SELECT 1 FROM idres_edges WHERE a = $1 AND b = $2`, [pairA, pairB]);
  assert.equal(edges.rows.length, 0, 'the stale link is gone');
});

test('a tombstone deletes a record; its now empty identity is retired', { timeout: 120_000 }, async () => {
  const target = h.watcher.masterOf.get(pairA)!.masterId === master ? pairB : pairA; // the one holding the split-off ID, alone
  const itsMaster = h.watcher.masterOf.get(target)!.masterId;
  await h.raw.delete([{ source: 'u', sourceRecordId: target.slice(2) }]);
  await h.waitForIdentities(ids);
  const row = await h.pool.query<{ deleted: boolean; cluster_id: string | null }>(`SELECT deleted, cluster_id FROM idres_records WHERE record_id = $1`, [target]);
  assert.deepEqual(row.rows[0], { deleted: true, cluster_id: null });
  assert.ok(h.watcher.events.some((e) => e.type === 'RETIRED' && e.masterId === itsMaster), 'a RETIRED event for the emptied identity');
  const cluster = await h.pool.query(`SELECT 1 FROM idres_clusters WHERE cluster_id = $1`, [clusterIdOf(itsMaster)]);
  assert.equal(cluster.rows.length, 0);
});
