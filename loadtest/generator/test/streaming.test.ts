import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyntheticGenerator } from '../generator.js';
import { generateBatches, recordsAsync, streamRecords } from '../writers.js';

test('generator is a lazy iterator with a bounded window', () => {
  const window = 2_000;
  const gen = new SyntheticGenerator({ records: 300_000, seed: 1, shuffleWindow: window, maxCluster: 6 });
  // Nothing is generated before the first pull.
  assert.equal(gen.bufferedRecords, 0);
  let n = 0;
  let maxBuffered = 0;
  for (let r = gen.nextRecord(); r !== null; r = gen.nextRecord()) {
    n++;
    if (gen.bufferedRecords > maxBuffered) maxBuffered = gen.bufferedRecords;
  }
  assert.equal(n, 300_000);
  // A household (at most ~8 entities x maxCluster records) can overshoot the window once.
  assert.ok(maxBuffered <= window + 8 * 6, `buffered ${maxBuffered}`);
  assert.equal(gen.bufferedRecords, 0);
});

test('shuffling spreads duplicates apart; shuffleWindow 1 keeps clusters adjacent', () => {
  const gap = (window: number): number => {
    const last = new Map<string, number>();
    let sum = 0;
    let k = 0;
    let i = 0;
    for (const r of new SyntheticGenerator({ records: 20_000, seed: 2, shuffleWindow: window })) {
      const p = last.get(r.entity_id);
      if (p !== undefined) {
        sum += i - p;
        k++;
      }
      last.set(r.entity_id, i++);
    }
    return sum / k;
  };
  assert.ok(gap(1) < 3);
  assert.ok(gap(5_000) > 500);
});

test('streamRecords awaits the sink before generating more (backpressure) and delivers everything', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  let total = 0;
  const stats = await streamRecords({ records: 25_000, seed: 3 }, async (batch) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    total += batch.length;
    assert.ok(batch.length <= 1000);
    await new Promise((r) => setImmediate(r));
    inFlight--;
  }, 1000);
  assert.equal(maxInFlight, 1);
  assert.equal(total, 25_000);
  assert.equal(stats.records, 25_000);
});

test('batch and async iteration views yield the same records as the iterator', async () => {
  const direct = [...new SyntheticGenerator({ records: 3_000, seed: 4 })].map((r) => JSON.stringify(r));
  const batches = [...generateBatches(new SyntheticGenerator({ records: 3_000, seed: 4 }), 700)];
  assert.equal(batches.length, 5);
  assert.deepEqual(batches.flat().map((r) => JSON.stringify(r)), direct);
  const viaAsync: string[] = [];
  for await (const r of recordsAsync({ records: 3_000, seed: 4 })) viaAsync.push(JSON.stringify(r));
  assert.deepEqual(viaAsync, direct);
});
