import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPIC_SPECS } from '@idres/runtime';
import { Eraser, InMemoryErasureLog, erasurePlaces, pipelineHasErased, quarantineBelongsTo, type ErasureTopics, type RecordHoldings } from '../src/index';

const T = 1_700_000_000_000;
const cases: Array<[string, RecordHoldings, boolean]> = [
  ['not at resolve yet', { resolve: undefined, edges: 0, redis: false }, false],
  ['older version at resolve', { resolve: { version: T - 1, deleted: false, hasValues: true }, edges: 1, redis: true }, false],
  ['delete processed, clean', { resolve: { version: T, deleted: true, hasValues: false }, edges: 0, redis: false }, true],
  ['delete processed, links left', { resolve: { version: T, deleted: true, hasValues: false }, edges: 1, redis: false }, false],
  ['delete processed, values left', { resolve: { version: T, deleted: true, hasValues: true }, edges: 0, redis: false }, false],
  ['delete processed, Redis still holds it', { resolve: { version: T, deleted: true, hasValues: false }, edges: 0, redis: true }, false],
  ['delete processed, Redis not checked', { resolve: { version: T, deleted: true, hasValues: false }, edges: 0, redis: undefined }, true],
  ['re-sent after the erasure', { resolve: { version: T + 5, deleted: false, hasValues: true }, edges: 2, redis: true }, true],
];
for (const [name, h, want] of cases) test(`pipelineHasErased: ${name}`, () => assert.equal(pipelineHasErased(h, T), want));

const decoder = { recordKey: async (b: Buffer) => (b.toString() === 'good-key' ? { source: 'crm', sourceRecordId: '42' } : undefined) };
const qcases: Array<[string, Parameters<typeof quarantineBelongsTo>[0], boolean]> = [
  ['raw message of the record, by key', { stage: 'standardize', topic: 'identity.raw', key: Buffer.from('good-key'), value: Buffer.from('x') }, true],
  ['pack item naming the record ID', { stage: 'match', topic: 'identity.blocks', key: Buffer.from('p1'), value: Buffer.from('..crm:42..') }, true],
  ['file row with the ID as a JSON string', { stage: 'ingest', topic: null, key: null, value: Buffer.from('{"id":"42","name":"x"}') }, true],
  ['file row of another record', { stage: 'ingest', topic: null, key: null, value: Buffer.from('{"id":"421"}') }, false],
  ['pack of other records', { stage: 'match', topic: 'identity.blocks', key: Buffer.from('p1'), value: Buffer.from('crm:43') }, false],
];
for (const [name, e, want] of qcases) test(`quarantineBelongsTo: ${name}`, async () => assert.equal(await quarantineBelongsTo(e, { source: 'crm', sourceRecordId: '42' }, decoder), want));

test('erasurePlaces: every topic is listed; the bound is the longest compaction lag or retention', () => {
  const at = new Date(T);
  const { places, valuesGoneBy } = erasurePlaces(TOPIC_SPECS, at);
  for (const s of TOPIC_SPECS) assert.ok(places.some((p) => p.place === `topic ${s.name}`), s.name);
  const topicBounds = places.filter((p) => p.goneBy).map((p) => p.goneBy!.getTime());
  assert.equal(valuesGoneBy.getTime(), Math.max(...topicBounds));
  assert.ok(valuesGoneBy.getTime() - T <= 31 * 24 * 3600 * 1000, 'within a month (GDPR art. 12(3))');
});

test('Eraser: tombstones first, then the log; done only once the stores are clean', async () => {
  const calls: string[] = [];
  const topics: ErasureTopics = {
    tombstoneInput: async (k, ts) => { calls.push(`raw ${k.source}:${k.sourceRecordId}@${ts}`); },
    quarantineKeysOf: async () => [Buffer.from('q1')],
    tombstoneQuarantine: async (keys) => { calls.push(`quarantine ${keys.length}`); },
  };
  let holdings: RecordHoldings = { resolve: { version: 1, deleted: false, hasValues: true }, edges: 1, redis: true };
  const log = new InMemoryErasureLog();
  const eraser = new Eraser({ log, topics, stores: { holdings: async () => holdings }, now: () => new Date(T) });
  const req = await eraser.request({ source: 'crm', sourceRecordId: '42' });
  assert.deepEqual(calls, [`raw crm:42@${T}`, 'quarantine 1']);
  assert.equal(req.state, 'pending');
  assert.equal((await eraser.check(req.id)).state, 'pending');
  holdings = { resolve: { version: T, deleted: true, hasValues: false }, edges: 0, redis: false };
  const done = await eraser.check(req.id);
  assert.equal(done.state, 'done');
  assert.ok(done.places.length > TOPIC_SPECS.length);
  await assert.rejects(eraser.request({ source: 'a:b', sourceRecordId: '1' }), { code: 'ERASURE_INVALID' });
  await assert.rejects(eraser.check('ERA_0000000099'), { code: 'ERASURE_UNKNOWN' });
});
