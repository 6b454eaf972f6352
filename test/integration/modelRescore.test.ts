import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { chooseSettings, loadModel, standardizeRecord, trainModel, type ModelJson, type RawFields } from '@idres/core';
import { ActiveModel, PgModelStore } from '@idres/models';
import { readBaseConfig, type RawInput } from '@idres/runtime';
import { resetPipeline } from '../../packages/cli/src/pipelineReset';
import { PipelineHarness } from './pipelineHarness';

// `idres model rescore`: the identities after re-blocking and re-scoring with a new model version equal those of
// a fresh run with that version, and identities whose records stay together keep their master IDs.
const rows = (parse(readFileSync('test/fixtures/synthetic/sample_2000.csv', 'utf8'), { columns: true }) as Array<Record<string, string>>).slice(0, 800);
const FIELDS = ['given_name', 'family_name', 'dob', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'postcode', 'city', 'state'] as const;
const raw: RawInput[] = rows.map((r) => {
  const fields: Record<string, string> = {};
  for (const f of FIELDS) if (r[f]) fields[f] = r[f];
  return { source: 'crm', sourceRecordId: r['record_id']!, fields, attributes: {} };
});
const ids = raw.map((r) => `crm:${r.sourceRecordId}`);
const defaultModel = JSON.parse(readFileSync('packages/core/models/default.json', 'utf8')) as ModelJson;
const values = raw.map((r) => standardizeRecord(r.fields as RawFields).values);
const trained = trainModel(values, { settings: chooseSettings(values) });
const cfg = readBaseConfig(process.env, 'test');
const harnesses: PipelineHarness[] = [];
after(async () => { for (const h of harnesses) await h.stop().catch(() => undefined); });

async function masterIds(h: PipelineHarness): Promise<Map<string, string[]>> {
  const res = await h.pool.query<{ cluster_id: string; members: string[] }>(
    `SELECT cluster_id, array_agg(record_id ORDER BY record_id) AS members FROM idres_records WHERE NOT deleted AND cluster_id IS NOT NULL GROUP BY cluster_id`);
  return new Map(res.rows.map((r) => [r.members.join(' '), [r.cluster_id]]));
}

test('rescore with a new model version ends in the partition of a fresh run with it, keeping master IDs', { timeout: 600_000 }, async () => {
  // Fresh run with the trained model: the reference.
  await PipelineHarness.reset();
  const ref = new PipelineHarness();
  harnesses.push(ref);
  await ref.start(loadModel(trained), trained.threshold);
  await ref.raw.send(raw);
  await ref.waitForIdentities(ids);
  const expected = [...(await masterIds(ref)).keys()].sort();
  await ref.stop();
  harnesses.pop();

  // A run with the default model, then rescore with the trained one.
  await PipelineHarness.reset();
  const prefix = `rescore-${process.pid}-${Date.now()}`;
  const first = new PipelineHarness(prefix);
  harnesses.push(first);
  const store = new PgModelStore(first.pool);
  await store.list();
  await first.pool.query('TRUNCATE idres_models RESTART IDENTITY');
  const vDefault = await store.add(defaultModel, { kind: 'default', description: 'default.json' }, { activate: true });
  const models = new ActiveModel(store, { fallback: { json: defaultModel, provenance: { kind: 'default', description: 'default.json' } }, pollMs: 200 });
  await models.start();
  await first.start(loadModel(defaultModel), 0.5, {}, { models });
  await first.raw.send(raw);
  await first.waitForIdentities(ids);
  const before = await masterIds(first);
  assert.notDeepEqual([...before.keys()].sort(), expected, 'the two models disagree somewhere (else the test proves nothing)');
  await first.stop();
  harnesses.pop();
  await models.stop();

  const pool = new (await import('pg')).default.Pool({ connectionString: cfg.databaseUrl, max: 1 });
  const vTrained = await new PgModelStore(pool).add(trained, { kind: 'trained', description: 'sample' }, { activate: true });
  await pool.end();
  assert.ok(vTrained > vDefault);
  await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: prefix }, 'standardized', { keepIdentities: true });
  const second = new PipelineHarness(prefix);
  harnesses.push(second);
  const models2 = new ActiveModel(new PgModelStore(second.pool), { fallback: { json: defaultModel, provenance: { kind: 'default', description: 'default.json' } }, pollMs: 200 });
  await models2.start();
  assert.equal(models2.current().version, vTrained);
  await second.start(loadModel(trained), trained.threshold, {}, { models: models2 });
  await second.waitForIdentities([]); // drained: block re-read identity.standardized, match and resolve caught up
  const after = await masterIds(second);
  await models2.stop();
  assert.deepEqual([...after.keys()].sort(), expected, 'the partition equals a fresh run with the new model');
  let kept = 0;
  for (const [members, [id]] of after) if (before.get(members)?.[0] === id) kept++;
  const unchanged = [...after.keys()].filter((m) => before.has(m)).length;
  assert.equal(kept, unchanged, 'every identity whose records stayed together kept its master ID');
  assert.ok(unchanged > 0);
});
