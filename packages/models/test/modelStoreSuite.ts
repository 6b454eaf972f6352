import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelJson } from '@idres/core';
import type { ModelStore } from '../src/modelStore';

/** One suite for every ModelStore implementation (in-memory in unit tests, Postgres in integration tests). */
export function modelStoreSuite(name: string, make: () => Promise<ModelStore>, model: ModelJson): void {
  test(`${name}: an empty store has no active model`, async () => {
    const s = await make();
    assert.equal(await s.active(), undefined);
    assert.equal(await s.activeVersion(), undefined);
    assert.deepEqual(await s.list(), []);
  });

  test(`${name}: add without activate keeps the active one; activate switches; one active at a time`, async () => {
    const s = await make();
    const v1 = await s.add(model, { kind: 'trained', description: 'first' }, { activate: true });
    const v2 = await s.add({ ...model, threshold: 0.9 }, { kind: 'file', description: 'second' });
    assert.ok(v2 > v1);
    assert.equal(await s.activeVersion(), v1);
    await s.activate(v2);
    const active = await s.active();
    assert.equal(active?.version, v2);
    assert.equal(active?.model.threshold, 0.9);
    assert.deepEqual(active?.provenance, { kind: 'file', description: 'second' });
    const list = await s.list();
    assert.deepEqual(list.map((m) => [m.version, m.active]), [[v2, true], [v1, false]]);
    assert.equal((await s.get(v1))?.model.threshold, model.threshold, 'versions are never rewritten');
  });

  test(`${name}: activating an unknown version fails with MODEL_VERSION_UNKNOWN and changes nothing`, async () => {
    const s = await make();
    const v1 = await s.add(model, { kind: 'trained', description: 'x' }, { activate: true });
    await assert.rejects(s.activate(v1 + 1000), (e: Error & { code?: string }) => e.code === 'MODEL_VERSION_UNKNOWN');
    assert.equal(await s.activeVersion(), v1);
  });
}
