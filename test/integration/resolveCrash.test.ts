import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { PipelineHarness } from './pipelineHarness';

// kill -9 of a real resolve process in the middle of its work, then a restart, must end in exactly the state of
// an undisturbed run: nothing lost (every record resolved), nothing double-counted (same partition, sizes right).
const dataset = loadLabelledDataset('febrl_dataset1');
const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
const model = loadModel(modelJson);
const ids = dataset.records.map((r) => `c:${r.id}`);
const toInput = (r: (typeof dataset.records)[number]) => ({
  source: 'c', sourceRecordId: r.id, attributes: {},
  fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
});

function startResolve(groupPrefix: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'services/resolve/src/main.ts'], {
    env: { ...process.env, IDRES_GROUP_PREFIX: groupPrefix, IDRES_BATCH_SIZE: '50', HTTP_PORT: '7195', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function sizesConsistent(h: PipelineHarness): Promise<void> {
  const bad = await h.pool.query(`SELECT c.cluster_id FROM idres_clusters c LEFT JOIN idres_records r ON r.cluster_id = c.cluster_id AND NOT r.deleted
    GROUP BY c.cluster_id, c.size HAVING count(r.record_id) <> c.size`);
  assert.equal(bad.rows.length, 0, `clusters whose stored size differs from their members: ${JSON.stringify(bad.rows.slice(0, 5))}`);
  const outbox = await h.pool.query<{ n: string }>(`SELECT count(*) AS n FROM idres_event_outbox`);
  assert.equal(Number(outbox.rows[0]?.n), 0, 'events left unsent in the outbox');
}

test('kill -9 resolve mid-stream, restart: final state equals an undisturbed run', { timeout: 900_000 }, async () => {
  // Undisturbed run.
  await PipelineHarness.reset();
  const base = new PipelineHarness();
  await base.start(model, modelJson.threshold, dataset.standardize);
  let baseline: string[];
  try {
    await base.raw.send(dataset.records.map(toInput));
    await base.waitForIdentities(ids);
    baseline = base.partition(ids);
    await sizesConsistent(base);
  } finally {
    await base.stop();
  }

  // Same data, resolve in its own process, killed with SIGKILL twice while it works.
  await PipelineHarness.reset();
  const h = new PipelineHarness();
  await h.start(model, modelJson.threshold, dataset.standardize, { withoutResolve: true });
  let child = startResolve(h.groupPrefix);
  try {
    await h.raw.send(dataset.records.map(toInput));
    const killedAt: number[] = [];
    for (const afterRecords of [150, 500]) {
      let seen = 0;
      for (let i = 0; i < 600 && seen < afterRecords; i++) {
        const n = await h.pool.query<{ n: string }>(`SELECT count(*) AS n FROM idres_records WHERE cluster_id IS NOT NULL`).catch(() => ({ rows: [{ n: '0' }] }));
        seen = Number(n.rows[0]?.n);
        if (seen < afterRecords) await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      killedAt.push(seen);
      await new Promise((r) => child.once('exit', r));
      child = startResolve(h.groupPrefix);
    }
    assert.ok(killedAt[0]! < ids.length, `the first kill came after resolve had finished (${killedAt.join(', ')} of ${ids.length} records resolved): the test proved nothing`);
    await h.waitForIdentities(ids, 300_000);
    assert.deepEqual(h.partition(ids), baseline, 'the partition after crashes differs from the undisturbed run');
    await sizesConsistent(h);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await h.stop();
  }
});
