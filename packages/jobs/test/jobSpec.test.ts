import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobSpec } from '../src/jobSpec';
import { topEvidence } from '../src/jobExport';
import { progressOf } from '../src/jobProgress';
import { emptyCounts, type Job } from '../src/job';

const noUpload = (): undefined => undefined;
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
};

test('parseJobSpec: defaults, the format from the file name, uploads by ID', () => {
  const s = parseJobSpec({ input: { path: '/d/people.jsonl', idColumn: 'id', source: 'crm' } }, noUpload);
  assert.deepEqual(s, { type: 'resolve', outputs: ['master', 'crosswalk', 'pairs', 'households', 'report'], input: { path: '/d/people.jsonl', format: 'jsonl', idColumn: 'id', source: 'crm' } });
  const u = parseJobSpec({ input: { upload: 'u1', idColumn: 'id', source: 'crm', format: 'csv' }, outputs: ['pairs', 'pairs'], partitionByState: true, model: 'train' }, (id) => (id === 'u1' ? '/up/u1.csv' : undefined));
  assert.equal(u.input?.path, '/up/u1.csv');
  assert.deepEqual(u.outputs, ['pairs']);
  assert.equal(u.partitionByState, true);
  assert.equal(u.model, 'train');
  const g = parseJobSpec({ type: 'generate', generate: { records: 10, seed: 3 } }, noUpload);
  assert.deepEqual(g.generate, { records: 10, profile: 'us-crm', seed: 3, target: 'raw', format: 'csv' });
});

test('parseJobSpec: each bad field is named (SPEC_INVALID), never its value', () => {
  assert.match(code(() => parseJobSpec([], noUpload)), /^SPEC_INVALID: the body must be a JSON object/);
  assert.match(code(() => parseJobSpec({ type: 'x' }, noUpload)), /type must be resolve or generate/);
  assert.match(code(() => parseJobSpec({ input: { path: '/a.txt', idColumn: 'id', source: 's' } }, noUpload)), /input\.format/);
  assert.match(code(() => parseJobSpec({ input: { path: '/a.csv', source: 's' } }, noUpload)), /input\.idColumn/);
  assert.match(code(() => parseJobSpec({ input: { path: '/a.csv', idColumn: 'id', source: 'a:b' } }, noUpload)), /input\.source/);
  assert.match(code(() => parseJobSpec({ input: { upload: 'nope', idColumn: 'id', source: 's' } }, noUpload)), /input\.upload names no upload/);
  assert.match(code(() => parseJobSpec({ input: { path: '/a.csv', idColumn: 'id', source: 's' }, outputs: ['master', 'secret-123'] }, noUpload)), /outputs must be/);
  assert.doesNotMatch(code(() => parseJobSpec({ input: { path: '/a.csv', idColumn: 'id', source: 's' }, outputs: ['secret-123'] }, noUpload)), /secret-123/);
  assert.match(code(() => parseJobSpec({ type: 'generate', generate: { records: 1.5 } }, noUpload)), /generate\.records/);
  assert.match(code(() => parseJobSpec({ type: 'generate', generate: { records: 5, target: 'kafka' } }, noUpload)), /generate\.target/);
});

test('topEvidence: the strongest comparisons of a link, without the prior', () => {
  const e = JSON.stringify([
    { comparison: 'prior', level: 'lambda', weight: -9.1 },
    { comparison: 'dob', level: 'exact', weight: 10.04 },
    { comparison: 'ssn', level: 'else', weight: -4 },
    { comparison: 'given_name', level: 'jw_0.92', weight: 7.8 },
    { comparison: 'email', level: 'exact', weight: 12.5 },
  ]);
  assert.equal(topEvidence(e), 'email=exact(+12.5); dob=exact(+10.0); given_name=jw_0.92(+7.8)');
  assert.equal(topEvidence('not json'), '');
});

test('progressOf: percentage, rate and ETA of the phase in hand', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const job: Job = {
    id: 'JOB_0000000001', spec: { type: 'resolve', outputs: [] }, phase: 'reading', counts: { ...emptyCounts(1000), read: 250 }, checkpoint: 250, pending: null,
    cancelRequested: false, outputs: [], error: null, outputDir: '/o', createdAt: new Date(t0), updatedAt: new Date(t0), startedAt: new Date(t0),
    phaseStartedAt: new Date(t0), finishedAt: null,
  };
  assert.deepEqual(progressOf(job, t0 + 10_000), { phase: 'reading', percent: 25, recordsPerSecond: 25, etaSeconds: 30, elapsedSeconds: 10 });
  const resolving = { ...job, phase: 'resolving' as const, counts: { ...job.counts, read: 1000, sent: 1000, resolved: 400 } };
  assert.deepEqual(progressOf(resolving, t0 + 20_000), { phase: 'resolving', percent: 40, recordsPerSecond: 20, etaSeconds: 30, elapsedSeconds: 20 });
  assert.equal(progressOf({ ...job, phase: 'queued', startedAt: null }, t0).percent, null);
  // Done: the rate of what the job produced (records resolved, or for a generated file, records written).
  const finished = { ...resolving, phase: 'done' as const, counts: { ...resolving.counts, resolved: 1000 }, finishedAt: new Date(t0 + 50_000) };
  assert.equal(progressOf(finished, t0 + 60_000).recordsPerSecond, 20);
  const toFile: Job = { ...finished, spec: { type: 'generate', outputs: [], generate: { records: 1000, profile: 'us-crm', seed: 1, target: 'file' } }, counts: { ...emptyCounts(1000), read: 1000, sent: 1000 } };
  assert.equal(progressOf(toFile, t0 + 60_000).recordsPerSecond, 20);
});
