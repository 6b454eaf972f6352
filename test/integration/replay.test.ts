import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { readBaseConfig } from '@idres/runtime';
import { resetPipeline, type ReplayFrom } from '../../packages/cli/src/pipelineReset';
import pg from 'pg';
import { PipelineHarness } from './pipelineHarness';
import { assertObeys, decide, decisionsAgainst } from './overrideCases';

// `idres replay --from T` rebuilds everything downstream of identity.T from the retained topic and must end
// with the same identities as the original run.
const dataset = loadLabelledDataset('febrl_dataset1');
const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
const model = loadModel(modelJson);
const ids = dataset.records.map((r) => `r:${r.id}`);

test('replay from identity.raw and from identity.pairs ends with the same identities, reviewers\' decisions included', { timeout: 900_000 }, async () => {
  await PipelineHarness.reset();
  const groupPrefix = `replay-${process.pid}-${Date.now()}`;
  const first = new PipelineHarness(groupPrefix);
  await first.start(model, modelJson.threshold, dataset.standardize);
  let original: string[];
  try {
    await first.raw.send(dataset.records.map((r) => ({
      source: 'r', sourceRecordId: r.id, attributes: {},
      fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
    })));
    await first.waitForIdentities(ids);
    const undecided = first.partition(ids);
    assert.ok(undecided.length < ids.length, 'some records were linked');
    // A reviewer corrects two identities; the replays must keep the corrections (idres_overrides is not wiped).
    const d = decisionsAgainst(undecided);
    await decide(first, d);
    await first.waitForIdentities(ids);
    original = first.partition(ids);
    assertObeys(original, d, 'after the decisions');
  } finally {
    await first.stop();
  }
  const c = readBaseConfig(process.env, 'test');
  // The harness ends its pool when it stops: the checks between runs use their own.
  const pool = new pg.Pool({ connectionString: c.databaseUrl, max: 2 });
  const count = async (table: string): Promise<number> => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  try {
    for (const from of ['raw', 'pairs'] as ReplayFrom[]) {
      assert.ok((await count('idres_records')) > 0, 'resolve holds the records before the replay');
      assert.ok((await count('idres_identity_history')) > 0, 'resolve wrote the identities\' history with its batches');
      await resetPipeline({ kafkaBrokers: c.kafkaBrokers, databaseUrl: c.databaseUrl, redisUrl: c.redisUrl, partitions: c.partitions, groupPrefix }, from);
      assert.equal(await count('idres_records'), 0, `replay from ${from} starts from empty resolve state`);
      assert.equal(await count('idres_identity_history'), 0, `replay from ${from} empties the console's history of the old identities`);
      const again = new PipelineHarness(groupPrefix); // same consumer groups, rewound by the reset
      await again.start(model, modelJson.threshold, dataset.standardize);
      try {
        await again.waitForIdentities(ids);
        assert.deepEqual(again.partition(ids), original, `replay from identity.${from} changed the identities`);
      } finally {
        await again.stop();
      }
    }
  } finally {
    await pool.end();
  }
});
