import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { parse } from 'csv-parse/sync';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { createMetrics } from '@idres/runtime';
import { buildIngestApp } from '../../services/ingest/src/app';
import { PgJobStore } from '@idres/jobs';
import { PipelineHarness } from './pipelineHarness';

const people = [
  { id: 'a1', first: 'William', last: 'Okafor', dob: '1979-04-12', ssn: '219-09-9999', zip: '10027' },
  { id: 'a2', first: 'Bill', last: 'Okafor', dob: '04/12/1979', ssn: '219099999', zip: '10027' },
  { id: 'a3', first: 'Margaret', last: 'Lindqvist', dob: '1990-11-30', ssn: '', zip: '60614' },
  { id: 'a4', first: 'Zoltan', last: 'Abernathy-Quist', dob: '1955-01-02', ssn: '', zip: '94110' },
];
let h: PipelineHarness;

before(async () => {
  await PipelineHarness.reset();
  // A model trained without labels on a generated US sample, as for any new source.
  const rows = parse(readFileSync('test/fixtures/synthetic/sample_2000.csv', 'utf8'), { columns: true }) as Array<Record<string, string>>;
  const modelJson = trainModel(rows.map((r) => standardizeRecord({ given_name: r['given_name'], family_name: r['family_name'], dob: r['dob'], ssn: r['ssn'], postcode: r['postcode'], city: r['city'] }).values));
  h = new PipelineHarness();
  await h.start(loadModel(modelJson), modelJson.threshold);
});

after(async () => {
  await h?.stop();
});

test('POST /records answers per record, produces the valid ones, and they get master IDs', { timeout: 120_000 }, async () => {
  const http = Fastify();
  const app = buildIngestApp({ producer: h.producer, serde: h.serde, metrics: createMetrics('ingest-test'), maxRecordsPerRequest: 100 });
  app.routes?.(http);
  await app.start();
  const res = await http.inject({
    method: 'POST', url: '/records',
    payload: [
      { source: 'web', sourceRecordId: 'w1', given_name: 'Priya', family_name: 'Raman', dob: '1988-07-09' },
      { source: 'web', given_name: 'No Id' },
      { source: 'web', sourceRecordId: 'w2', given_name: 'Priya', family_name: 'Ramann', dob: '1988-07-09', email: 'priya.raman@example.com' },
    ],
  });
  assert.equal(res.statusCode, 207);
  const body = res.json() as { accepted: number; rejected: number; results: Array<{ index: number; status: string; reason?: string }> };
  assert.equal(body.accepted, 2);
  assert.equal(body.rejected, 1);
  assert.match(body.results[1]!.reason ?? '', /sourceRecordId is required/);
  assert.equal((await http.inject({ method: 'POST', url: '/records', payload: { not: 'an array' } })).statusCode, 400);
  await h.waitForIdentities(['web:w1', 'web:w2']);
  assert.ok(h.watcher.masterOf.get('web:w1'));
  assert.ok(h.watcher.masterOf.get('web:w2'));
  await http.close();
});

test('idres resolve streams a CSV through the pipeline and writes record_id,master_id for every row', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idres-resolve-'));
  const input = path.join(dir, 'people.csv');
  const output = path.join(dir, 'people.master.csv');
  writeFileSync(input, ['id,first,last,dob,ssn,zip,tier', ...people.map((p) => `${p.id},${p.first},${p.last},${p.dob},${p.ssn},${p.zip},gold`), 'bad,,,,,,silver'].join('\n') + '\n');
  const child = spawn(process.execPath, ['packages/cli/bin/idres.mjs', 'resolve', '--input', input, '--id-column', 'id', '--source', 'crm',
    '--map', 'given_name=first,family_name=last,dob=dob,ssn=ssn,postcode=zip,tier=tier', '--output', output, '--timeout', '240'], {
    env: { ...process.env, IDRES_GROUP_PREFIX: h.groupPrefix }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0, stderr);
  // It ran as a job like any other: stored, done, with the counts the file gives (5 rows, 1 refused, 4 sent).
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { job: string };
  const job = await new PgJobStore(h.pool).get(summary.job);
  assert.equal(job?.phase, 'done', JSON.stringify(job));
  assert.equal(job.spec.input?.source, 'crm');
  assert.deepEqual({ ...job.counts, resolved: undefined }, { total: 5, read: 5, rejected: 1, sent: 4, resolved: undefined });
  assert.match(stderr, /(reading|resolving|exporting) +\|.*\| \d+%/, 'a progress bar was drawn');
  const lines = readFileSync(output, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'record_id,master_id');
  const master = new Map(lines.slice(1).map((l) => l.split(',') as [string, string]));
  assert.deepEqual([...master.keys()].sort(), ['a1', 'a2', 'a3', 'a4']);
  for (const m of master.values()) assert.match(m, /^MDM_\d{10}$/);
  assert.equal(master.get('a1'), master.get('a2'), 'William/Bill Okafor with the same SSN and DOB are one person');
  assert.notEqual(master.get('a3'), master.get('a1'));
  assert.notEqual(master.get('a4'), master.get('a3'));
  const rejected = readFileSync(output.replace(/\.csv$/, '.rejected.csv'), 'utf8');
  assert.match(rejected, /^record_id,reason\nbad,/);
});

test('Ctrl-C on idres resolve cancels its job: it stops after the batch in hand and says what was sent', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idres-resolve-cancel-'));
  const input = path.join(dir, 'many.csv');
  const rows = Array.from({ length: 40_000 }, (_, i) => `c${i},Name${i % 997},Family${i % 1013},19${String(50 + (i % 50)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`);
  writeFileSync(input, ['id,first,last,dob', ...rows].join('\n') + '\n');
  const child = spawn(process.execPath, ['packages/cli/bin/idres.mjs', 'resolve', '--input', input, '--id-column', 'id', '--source', 'cancelme',
    '--map', 'given_name=first,family_name=last,dob=dob', '--model', 'default', '--output', path.join(dir, 'out.csv'), '--timeout', '240'], {
    env: { ...process.env, IDRES_GROUP_PREFIX: h.groupPrefix }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const started = new Promise<string>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /job (JOB_\d{10}):/.exec(stderr);
      if (m) resolve(m[1]!);
    });
  });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  const id = await started;
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  const code = await exited;
  assert.notEqual(code, 0, stderr);
  assert.match(stderr, /cancelling JOB_/);
  assert.match(stderr, /ended cancelled: cancelled in (reading|resolving): \d+ rows read of 40000, \d+ records sent/);
  const job = await new PgJobStore(h.pool).get(id);
  assert.equal(job?.phase, 'cancelled');
  assert.equal(job.counts.sent + job.counts.rejected, job.counts.read, 'every row read was sent or refused, and counted once');
  assert.equal(job.checkpoint, job.counts.read);
});
