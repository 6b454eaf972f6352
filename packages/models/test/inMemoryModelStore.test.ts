import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelJson } from '@idres/core';
import { ActiveModel, InMemoryModelStore, type CurrentModel } from '../src/index';
import { modelStoreSuite } from './modelStoreSuite';

const model = JSON.parse(readFileSync(new URL('../../core/models/default.json', import.meta.url), 'utf8')) as ModelJson;
modelStoreSuite('InMemoryModelStore', async () => new InMemoryModelStore(), model);

test('ActiveModel: the fallback until a version is active, then that version, without a restart', async () => {
  const store = new InMemoryModelStore();
  const changes: Array<[number | undefined, number | undefined]> = [];
  const active = new ActiveModel(store, {
    fallback: { json: model, provenance: { kind: 'default', description: 'default.json' } },
    onChange: (c: CurrentModel, p: CurrentModel) => changes.push([p.version, c.version]),
  });
  await active.start();
  assert.equal(active.current().version, undefined);
  assert.equal(active.current().provenance.kind, 'default');
  const v = await store.add({ ...model, threshold: 0.8 }, { kind: 'trained', description: 'people.csv' }, { activate: true });
  await active.refresh();
  assert.equal(active.current().version, v);
  assert.equal(active.current().threshold, 0.8);
  assert.deepEqual(changes, [[undefined, v]]);
  await active.stop();
});

test('ActiveModel: pinned ignores the store; a fixed threshold overrides the model', async () => {
  const store = new InMemoryModelStore();
  await store.add({ ...model, threshold: 0.8 }, { kind: 'trained', description: 'x' }, { activate: true });
  const active = new ActiveModel(store, { fallback: { json: model, provenance: { kind: 'file', description: 'mine.json' } }, pinned: true, threshold: 0.7 });
  await active.start();
  assert.equal(active.current().version, undefined);
  assert.equal(active.current().threshold, 0.7);
  await active.stop();
});
