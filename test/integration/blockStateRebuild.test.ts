import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { PipelineHarness } from './pipelineHarness';

// Redis loses the block state (restarted empty, flushed) while block has nothing left to read. No block batch will
// ever notice, so block must find out by itself and rebuild from identity.standardized: a record arriving later
// still finds the candidates that were blocked before the loss.
const dataset = loadLabelledDataset('febrl_dataset1');
const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
const model = loadModel(modelJson);
const toInput = (r: (typeof dataset.records)[number]) => ({
  source: 'c', sourceRecordId: r.id, attributes: {},
  fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
});

test('block state lost while block is idle: block notices, rebuilds, and a later duplicate still links', { timeout: 300_000 }, async () => {
  // A person with exactly one duplicate: the duplicate is held back until after the loss.
  const byEntity = new Map<string, typeof dataset.records>();
  for (const r of dataset.records) byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), r]);
  const pair = [...byEntity.values()].find((rs) => rs.length === 2);
  const [first, late] = pair ?? [];
  assert.ok(first && late, 'febrl dataset1 has persons with one duplicate');
  const early = dataset.records.filter((r) => r !== late);

  await PipelineHarness.reset();
  const h = new PipelineHarness();
  await h.start(model, modelJson.threshold, dataset.standardize);
  try {
    await h.raw.send(early.map(toInput));
    await h.waitForIdentities(early.map((r) => `c:${r.id}`));
    const keysBefore = await h.redis.dbsize();

    await h.redis.flushdb(); // what an empty restart leaves: no epoch, no records, no membership
    let epoch: string | null = null;
    for (let i = 0; i < 120 && epoch === null; i++) {
      await new Promise((r) => setTimeout(r, 500));
      epoch = await h.redis.get('idres:state');
    }
    assert.ok(epoch !== null, 'block never rebuilt the block state while it had no input (match would wait forever)');
    assert.ok((await h.redis.dbsize()) >= keysBefore * 0.9, `rebuilt state holds ${await h.redis.dbsize()} keys, had ${keysBefore}`);

    await h.raw.send([toInput(late)]);
    await h.waitForIdentities([`c:${late.id}`]);
    const masterOf = (id: string): string | undefined => h.watcher.masterOf.get(`c:${id}`)?.masterId;
    assert.ok(masterOf(first.id) !== undefined);
    assert.equal(masterOf(late.id), masterOf(first.id), 'the late duplicate links to its partner blocked before the loss');
  } finally {
    await h.stop();
  }
});
