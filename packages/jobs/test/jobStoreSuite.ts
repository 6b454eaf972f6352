import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSpec } from '../src/job';
import type { JobStore } from '../src/jobStore';

const spec: JobSpec = {
  type: 'resolve',
  input: { path: '/data/people.csv', format: 'csv', idColumn: 'id', mapping: { given_name: 'first' }, source: 'crm' },
  outputs: ['master', 'crosswalk'],
};
const dir = (id: string): string => `/out/${id}`;

/** One suite for every JobStore implementation (in-memory in unit tests, Postgres in integration tests). */
export function jobStoreSuite(name: string, make: () => Promise<JobStore>): void {
  test(`${name}: create answers a queued job with an ID; get and list find it, newest first`, async () => {
    const s = await make();
    const a = await s.create(spec, { outputDir: dir });
    const b = await s.create({ ...spec, outputs: ['pairs'] }, { outputDir: dir });
    assert.match(a.id, /^JOB_\d{10}$/);
    assert.notEqual(a.id, b.id);
    assert.equal(a.phase, 'queued');
    assert.equal(a.outputDir, `/out/${a.id}`);
    assert.deepEqual(a.counts, { total: null, read: 0, rejected: 0, sent: 0, resolved: 0 });
    assert.equal(a.checkpoint, 0);
    assert.equal(a.startedAt, null);
    assert.deepEqual((await s.get(a.id))?.spec, spec);
    assert.deepEqual((await s.list()).map((j) => j.id), [b.id, a.id]);
    assert.deepEqual((await s.list({ limit: 1 })).map((j) => j.id), [b.id]);
    assert.equal(await s.get('JOB_9999999999'), undefined);
    assert.equal(await s.get('not-a-job'), undefined);
  });

  test(`${name}: checkpoints keep counts, clear the pending batch, and keep each refused row once`, async () => {
    const s = await make();
    const j = await s.create(spec, { outputDir: dir });
    await s.setPhase(j.id, 'reading', { counts: { total: 10 } });
    await s.markPending(j.id, { fromRow: 0, toRow: 5, offsets: [{ partition: 0, offset: '42' }] });
    assert.deepEqual((await s.get(j.id))?.pending, { fromRow: 0, toRow: 5, offsets: [{ partition: 0, offset: '42' }] });
    const counts = { total: 10, read: 5, rejected: 1, sent: 4, resolved: 0 };
    await s.checkpoint(j.id, { checkpoint: 5, counts, rejections: [{ row: 3, recordId: 'x', reason: 'no ID' }] });
    // The same batch recorded again (a resumed job) changes nothing.
    await s.checkpoint(j.id, { checkpoint: 5, counts, rejections: [{ row: 3, recordId: 'x', reason: 'no ID' }] });
    await s.checkpoint(j.id, { checkpoint: 8, counts: { ...counts, read: 8, rejected: 2, sent: 6 }, rejections: [{ row: 7, recordId: 'y', reason: 'bad' }] });
    const got = await s.get(j.id);
    assert.equal(got?.checkpoint, 8);
    assert.equal(got?.pending, null);
    assert.deepEqual(got?.counts, { total: 10, read: 8, rejected: 2, sent: 6, resolved: 0 });
    assert.ok(got!.startedAt !== null);
    assert.deepEqual(await s.rejections(j.id, { afterRow: 0, limit: 10 }), [{ row: 3, recordId: 'x', reason: 'no ID' }, { row: 7, recordId: 'y', reason: 'bad' }]);
    assert.deepEqual(await s.rejections(j.id, { afterRow: 3, limit: 10 }), [{ row: 7, recordId: 'y', reason: 'bad' }]);
    assert.deepEqual(await s.rejections(j.id, { afterRow: 0, limit: 1 }), [{ row: 3, recordId: 'x', reason: 'no ID' }]);
    await s.setCounts(j.id, { resolved: 6 });
    assert.equal((await s.get(j.id))?.counts.resolved, 6);
    assert.equal((await s.get(j.id))?.counts.sent, 6);
  });

  test(`${name}: unfinished lists live jobs oldest first; a finished job cannot change`, async () => {
    const s = await make();
    const a = await s.create(spec, { outputDir: dir });
    const b = await s.create(spec, { outputDir: dir });
    const c = await s.create(spec, { outputDir: dir });
    const done = await s.setPhase(b.id, 'done', { outputs: [{ kind: 'master', path: 'master.parquet', bytes: 10, rows: 2 }] });
    assert.ok(done.finishedAt !== null);
    assert.deepEqual(done.outputs, [{ kind: 'master', path: 'master.parquet', bytes: 10, rows: 2 }]);
    await s.setPhase(c.id, 'failed', { error: { code: 'INPUT_INVALID', message: 'line 3 is not valid CSV' } });
    assert.deepEqual((await s.get(c.id))?.error, { code: 'INPUT_INVALID', message: 'line 3 is not valid CSV' });
    const live = (await s.unfinished()).map((j) => j.id);
    assert.ok(live.includes(a.id) && !live.includes(b.id) && !live.includes(c.id));
    await assert.rejects(s.setPhase(b.id, 'reading'), (e: Error & { code?: string }) => e.code === 'JOB_FINISHED');
    await assert.rejects(s.checkpoint(b.id, { checkpoint: 1, counts: done.counts, rejections: [] }), (e: Error & { code?: string }) => e.code === 'JOB_FINISHED');
    await assert.rejects(s.setCounts('JOB_9999999999', { resolved: 1 }), (e: Error & { code?: string }) => e.code === 'JOB_UNKNOWN');
    assert.equal((await s.get(b.id))?.phase, 'done');
  });

  test(`${name}: cancel sets the flag on a live job, leaves a finished one alone, and is undefined for no job`, async () => {
    const s = await make();
    const a = await s.create(spec, { outputDir: dir });
    assert.equal((await s.requestCancel(a.id))?.cancelRequested, true);
    const b = await s.create(spec, { outputDir: dir });
    await s.setPhase(b.id, 'done');
    assert.equal((await s.requestCancel(b.id))?.cancelRequested, false);
    assert.equal(await s.requestCancel('JOB_9999999999'), undefined);
  });

  test(`${name}: one holder of a job's lock at a time`, async () => {
    const s = await make();
    const a = await s.create(spec, { outputDir: dir });
    const release = await s.tryLock(a.id);
    assert.ok(release);
    assert.equal(await s.tryLock(a.id), undefined);
    await release();
    const again = await s.tryLock(a.id);
    assert.ok(again);
    await again();
  });

  test(`${name}: createLocked: the new job is locked for its creator until released, and listed as unfinished`, async () => {
    const s = await make();
    const { job, release } = await s.createLocked(spec, { outputDir: dir });
    assert.equal(job.phase, 'queued');
    assert.ok((await s.unfinished()).some((j) => j.id === job.id));
    assert.equal(await s.tryLock(job.id), undefined, 'a runner cannot take it');
    await release();
    const runner = await s.tryLock(job.id);
    assert.ok(runner, 'a runner can resume it once its creator let go');
    await runner();
  });
}
