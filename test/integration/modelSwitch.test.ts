import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { loadModel, standardizeRecord, trainModel, type ModelJson } from '@idres/core';
import { ActiveModel, PgModelStore } from '@idres/models';
import { PipelineHarness } from './pipelineHarness';

// match follows the active model version in Postgres without a restart, and every link says which version
// scored it (idres_edges.model_version, the lookup API's links[].modelVersion).
const rows = parse(readFileSync('test/fixtures/synthetic/sample_2000.csv', 'utf8'), { columns: true }) as Array<Record<string, string>>;
const train = (part: Array<Record<string, string>>): ModelJson => trainModel(part.map((r) => standardizeRecord({
  given_name: r['given_name'], family_name: r['family_name'], dob: r['dob'], ssn: r['ssn'], postcode: r['postcode'], city: r['city'],
}).values));
const defaultModel = JSON.parse(readFileSync('packages/core/models/default.json', 'utf8')) as ModelJson;

let h: PipelineHarness;
let store: PgModelStore;
let active: ActiveModel;
let vA: number;

before(async () => {
  await PipelineHarness.reset();
  h = new PipelineHarness();
  store = new PgModelStore(h.pool);
  await store.list();
  await h.pool.query('TRUNCATE idres_models RESTART IDENTITY');
  vA = await store.add(train(rows.slice(0, 1000)), { kind: 'trained', description: 'first half' }, { activate: true });
  active = new ActiveModel(store, { fallback: { json: defaultModel, provenance: { kind: 'default', description: 'default.json' } }, pollMs: 200 });
  await active.start();
  await h.start(loadModel(defaultModel), 0.5, {}, { models: active });
});

after(async () => {
  await active?.stop();
  await h?.stop();
});

const person = (id: string, given: string) => ({ source: 'crm', sourceRecordId: id, fields: { given_name: given, family_name: 'Okafor', dob: '1979-04-12', ssn: '219-09-9999', postcode: '10027' }, attributes: {} });
const edgeVersion = async (a: string, b: string): Promise<number | null | undefined> => {
  const r = await h.pool.query<{ model_version: string | null }>('SELECT model_version FROM idres_edges WHERE a = $1 AND b = $2', [a, b]);
  const v = r.rows[0]?.model_version;
  return v === undefined ? undefined : v === null ? null : Number(v);
};

test('a new active version is used for the next batch, without a restart; old links keep the version that made them', { timeout: 240_000 }, async () => {
  assert.equal(active.current().version, vA);
  await h.raw.send([person('m1', 'William'), person('m2', 'Bill')]);
  await h.waitForIdentities(['crm:m1', 'crm:m2']);
  assert.equal(await edgeVersion('crm:m1', 'crm:m2'), vA);

  const vB = await store.add(train(rows.slice(1000)), { kind: 'trained', description: 'second half' }, { activate: true });
  for (let i = 0; i < 50 && active.current().version !== vB; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(active.current().version, vB, 'the watcher picked up the new version by polling');

  await h.raw.send([person('m3', 'William'), person('m4', 'Will')]);
  await h.waitForIdentities(['crm:m3', 'crm:m4']);
  assert.equal(await edgeVersion('crm:m3', 'crm:m4'), vB);
  assert.equal(await edgeVersion('crm:m1', 'crm:m2'), vA, 'a link keeps the version that scored it');
  const m = h.watcher.masterOf;
  assert.equal(m.get('crm:m1')?.masterId, m.get('crm:m4')?.masterId, 'the four Okafor records with one SSN and DOB are one identity');
});
