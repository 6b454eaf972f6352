import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, standardizeRecord, trainModel, type MatchModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { PgOverrideStore } from '@idres/overrides';
import { PipelineHarness } from './pipelineHarness';
import { assertObeys, decide, decisionsAgainst, type Decisions } from './overrideCases';

// Resolve must give the same partition of records into identities whatever the arrival order, and whether the
// data comes as one batch or as increments with pauses (the continuous-feed path).
const dataset = loadLabelledDataset('febrl_dataset1');
const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
const model: MatchModel = loadModel(modelJson);
const threshold = modelJson.threshold;

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Runs the dataset through a clean pipeline in the given order and chunking; returns the partition as sorted member lists. */
async function partitionFor(order: typeof dataset.records, chunks: number, pauseMs: number, decisions?: { d: Decisions; when: 'before' | 'during' }): Promise<string[]> {
  await PipelineHarness.reset();
  const h = new PipelineHarness();
  await h.start(model, threshold, dataset.standardize);
  try {
    if (decisions?.when === 'before') {
      // Stored before any record arrives (no event needed: every batch reads the decisions about its records).
      const store = new PgOverrideStore(h.pool);
      await store.decide({ a: decisions.d.different[0], b: decisions.d.different[1], decision: 'DIFFERENT' });
      await store.decide({ a: decisions.d.same[0], b: decisions.d.same[1], decision: 'SAME' });
    }
    const size = Math.ceil(order.length / chunks);
    for (let i = 0; i < order.length; i += size) {
      if (decisions?.when === 'during' && i >= order.length / 2 && i < order.length / 2 + size) await decide(h, decisions.d);
      await h.raw.send(order.slice(i, i + size).map((r) => ({
        source: 'o', sourceRecordId: r.id, attributes: {},
        fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
      })));
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
    const ids = order.map((r) => `o:${r.id}`);
    await h.waitForIdentities(ids);
    const groups = new Map<string, string[]>();
    for (const id of ids) {
      const m = h.watcher.masterOf.get(id)!.masterId;
      const g = groups.get(m) ?? [];
      g.push(id);
      groups.set(m, g);
    }
    return [...groups.values()].map((g) => g.sort().join(' ')).sort();
  } finally {
    await h.stop();
  }
}

let baseline: string[] | undefined;

test('three shuffled orders and ten paced increments give identical partitions', { timeout: 900_000 }, async () => {
  baseline = await partitionFor(shuffled(dataset.records, 1), 1, 0);
  assert.ok(baseline.length < dataset.records.length, 'some records must have been linked for this test to mean anything');
  for (const seed of [2, 3]) {
    assert.deepEqual(await partitionFor(shuffled(dataset.records, seed), 1, 0), baseline, `order with seed ${seed} changed the partition`);
  }
  assert.deepEqual(await partitionFor(shuffled(dataset.records, 4), 10, 1500), baseline, 'ten increments with pauses changed the partition');
});

test('reviewers\' decisions: the same partition whatever the order, and whether made before the records or half-way through the feed', { timeout: 900_000 }, async () => {
  assert.ok(baseline, 'the test above ran');
  const d = decisionsAgainst(baseline);
  const before = await partitionFor(shuffled(dataset.records, 5), 1, 0, { d, when: 'before' });
  assertObeys(before, d, 'decisions made before the records');
  assert.deepEqual(await partitionFor(shuffled(dataset.records, 6), 4, 500, { d, when: 'during' }), before, 'decisions made during a paced feed changed the partition');
});
