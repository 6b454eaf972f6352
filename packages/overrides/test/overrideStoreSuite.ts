import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OverrideStore } from '../src/overrideStore';

/** One suite for every OverrideStore implementation (in-memory in unit tests, Postgres in integration tests). */
export function overrideStoreSuite(name: string, make: () => Promise<OverrideStore>): void {
  test(`${name}: a decision is stored with its pair ordered and holds until undone`, async () => {
    const s = await make();
    const { override: o, changed, replaced } = await s.decide({ a: 's:2', b: 's:1', decision: 'DIFFERENT', reviewer: 'ann' });
    assert.equal(changed, true);
    assert.equal(replaced, null);
    assert.deepEqual([o.a, o.b, o.decision, o.reviewer, o.undoneAt], ['s:1', 's:2', 'DIFFERENT', 'ann', null]);
    assert.deepEqual((await s.active()).map((x) => x.id), [o.id]);
    assert.deepEqual((await s.active(['s:2'])).map((x) => x.id), [o.id]);
    assert.deepEqual(await s.active(['s:3']), []);
    const undone = await s.undo(o.id);
    assert.ok(undone.undoneAt !== null && undone.undoneAt >= o.createdAt);
    assert.deepEqual(await s.active(), []);
    assert.equal((await s.get(o.id))?.undoneAt, undone.undoneAt);
  });

  test(`${name}: the same decision again changes nothing; another one replaces it`, async () => {
    const s = await make();
    const first = await s.decide({ a: 'x:1', b: 'x:2', decision: 'SAME' });
    const again = await s.decide({ a: 'x:2', b: 'x:1', decision: 'SAME' });
    assert.equal(again.changed, false);
    assert.equal(again.override.id, first.override.id);
    const other = await s.decide({ a: 'x:1', b: 'x:2', decision: 'DIFFERENT' });
    assert.equal(other.changed, true);
    assert.equal(other.replaced?.id, first.override.id);
    assert.notEqual(other.replaced?.undoneAt, null);
    assert.deepEqual((await s.active()).map((x) => [x.id, x.decision]), [[other.override.id, 'DIFFERENT']]);
    assert.deepEqual((await s.history(['x:1'])).map((x) => x.id), [other.override.id, first.override.id], 'history keeps both, newest first');
  });

  test(`${name}: bad decisions and bad undos fail with stable codes and change nothing`, async () => {
    const s = await make();
    const code = (c: string) => (e: Error & { code?: string }) => e.code === c;
    await assert.rejects(s.decide({ a: 'y:1', b: 'y:1', decision: 'SAME' }), code('OVERRIDE_INVALID'));
    await assert.rejects(s.decide({ a: '', b: 'y:1', decision: 'SAME' }), code('OVERRIDE_INVALID'));
    await assert.rejects(s.decide({ a: 'y:1', b: 'y:2', decision: 'MAYBE' as 'SAME' }), code('OVERRIDE_INVALID'));
    await assert.rejects(s.undo(987654), code('OVERRIDE_NOT_FOUND'));
    const { override } = await s.decide({ a: 'y:1', b: 'y:2', decision: 'SAME' });
    await s.undo(override.id);
    await assert.rejects(s.undo(override.id), code('OVERRIDE_NOT_ACTIVE'));
    assert.deepEqual(await s.active(), []);
  });
}
