import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from './freePort';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadModel, type ModelJson } from '@idres/core';
import { TOPICS } from '@idres/runtime';
import type { Job, JobProgress } from '@idres/jobs';
import { PipelineHarness } from './pipelineHarness';

// Jobs end to end: the real ingest process (it runs the jobs) beside the five consuming services, on the real
// stack. Submit -> progress -> outputs read back by two readers; kill -9 mid-file and resume; cancel.
type JobView = Job & { progress: JobProgress };

const defaultModel = JSON.parse(readFileSync('packages/core/models/default.json', 'utf8')) as ModelJson;
const sample = parse(readFileSync('test/fixtures/synthetic/sample_2000.csv', 'utf8'), { columns: true }) as Array<Record<string, string>>;
const dir = mkdtempSync(path.join(tmpdir(), 'idres-jobs-'));
let h: PipelineHarness;
let ingest: ChildProcess | undefined;
let base = '';

function writeCsv(file: string, rows: ReadonlyArray<Record<string, string>>): string {
  const cols = Object.keys(sample[0]!);
  const q = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  writeFileSync(file, [cols.join(','), ...rows.map((r) => cols.map((c) => q(r[c] ?? '')).join(','))].join('\n') + '\n');
  return file;
}


let port = 0;
async function startIngest(): Promise<void> {
  ingest = spawn(process.execPath, ['--import', 'tsx', 'services/ingest/src/main.ts'], {
    env: { ...process.env, HTTP_PORT: String(port), IDRES_GROUP_PREFIX: h.groupPrefix, IDRES_JOBS_DIR: path.join(dir, 'jobs'), IDRES_JOB_BATCH: '20', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (const t0 = Date.now(); Date.now() - t0 < 120_000;) {
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('ingest did not become ready');
}

async function getJob(id: string): Promise<JobView> {
  return (await (await fetch(`${base}/jobs/${id}`)).json()) as JobView;
}

async function submit(body: unknown): Promise<JobView> {
  const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()) as JobView;
}

async function waitFor(id: string, done: (j: JobView) => boolean, timeoutMs = 240_000, pollMs = 100): Promise<JobView> {
  for (const t0 = Date.now(); Date.now() - t0 < timeoutMs;) {
    const j = await getJob(id);
    if (done(j)) return j;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`job ${id} did not get there in time: ${JSON.stringify(await getJob(id))}`);
}

/** How many messages identity.raw holds for a source (the topic is empty at the start of this file). */
async function rawMessagesOf(source: string): Promise<number> {
  const admin = h.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TOPICS.raw);
  await admin.disconnect();
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
  // Distinct offsets: a consumer may be handed a batch again after a rebalance, a message is counted once.
  const seen = new Set<string>();
  if (remaining.size === 0) return 0;
  const consumer = h.kafka.consumer({ groupId: `jobs-test-count-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.raw, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const k = await h.serde.decode<{ source: string }>(message.key!, 'RecordKey');
        if (k.source === source) seen.add(`${partition}:${message.offset}`);
        if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
        if (remaining.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen.size;
}

before(async () => {
  await PipelineHarness.reset();
  h = new PipelineHarness();
  // Jobs left unfinished by an earlier run would be resumed by the ingest started here: start from none.
  await h.pool.query('CREATE TABLE IF NOT EXISTS idres_jobs (id text)');
  await h.pool.query('DROP TABLE IF EXISTS idres_jobs, idres_job_rejections');
  await h.start(loadModel(defaultModel), defaultModel.threshold);
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startIngest();
});

after(async () => {
  ingest?.kill('SIGTERM');
  await h?.stop();
});

test('a job from submit to outputs: progress events, counts, and every output read back (hyparquet and DuckDB)', { timeout: 300_000 }, async () => {
  const rows = sample.slice(0, 300).map((r) => ({ ...r }));
  rows[10]!['record_id'] = ''; // refused: no ID
  const file = writeCsv(path.join(dir, 'small.csv'), rows);
  const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  for (const p of ['/jobs', '/jobs/{id}', '/jobs/{id}/cancel', '/jobs/{id}/outputs', '/jobs/{id}/events']) assert.ok(openapi.paths[p], `OpenAPI documents ${p}`);
  const bad = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { path: file, source: 'x' } }) });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: string }).error, 'SPEC_INVALID');

  const job = await submit({ input: { path: file, idColumn: 'record_id', source: 'small' }, outputs: ['master', 'crosswalk', 'pairs', 'households', 'report'] });
  assert.match(job.id, /^JOB_\d{10}$/);
  // Follow the event stream to the end.
  const res = await fetch(`${base}/jobs/${job.id}/events`);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const text = await res.text();
  const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1]!, data: JSON.parse(m[2]!) as JobView }));
  assert.equal(events.at(-1)?.event, 'end');
  const phases = [...new Set(events.filter((e) => e.event === 'progress').map((e) => e.data.phase))];
  assert.ok(phases.includes('done') && phases.indexOf('done') === phases.length - 1, `phases seen: ${phases.join(', ')}`);
  const done = await getJob(job.id);
  assert.equal(done.phase, 'done', JSON.stringify(done.error));
  assert.deepEqual(done.counts, { total: 300, read: 300, rejected: 1, sent: 299, resolved: 299 });
  assert.equal(done.progress.percent, 100);

  const outs = (await (await fetch(`${base}/jobs/${job.id}/outputs`)).json()) as { outputs: Array<{ kind: string; path?: string; file?: string; rows?: number; note?: string; url?: string }> };
  const byPath = new Map(outs.outputs.filter((o) => o.path).map((o) => [o.path!, o]));
  const fileOf = (p: string): string => byPath.get(p)?.file ?? assert.fail(`no output ${p}: ${JSON.stringify(outs.outputs)}`);
  // Households come from the households service's tables; each identity's household in the master file is the
  // household that lists it in households.json.
  const hhOut = outs.outputs.find((o) => o.kind === 'households');
  assert.equal(hhOut?.path, 'households.json', JSON.stringify(hhOut));
  const households = JSON.parse(readFileSync(fileOf('households.json'), 'utf8')) as Array<{ household_id: string; member_master_ids: string[] }>;
  assert.equal(households.length, hhOut.rows);
  const householdOf = new Map<string, string>();
  for (const hh of households) {
    assert.match(hh.household_id, /^HH_\d{10}$/);
    assert.ok(hh.member_master_ids.length >= 2, `${hh.household_id} has ${hh.member_master_ids.length} members`);
    for (const m of hh.member_master_ids) householdOf.set(m, hh.household_id);
  }

  // The pipeline's own answer (identity.resolved, highest seq per record) is what the files must say.
  const ids = rows.filter((r) => r['record_id']).map((r) => `small:${r['record_id']}`);
  await h.waitForIdentities(ids);
  const truth = new Map(ids.map((id) => [id, h.watcher.masterOf.get(id)!.masterId]));

  const crosswalkCsv = parse(readFileSync(fileOf('crosswalk.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.equal(crosswalkCsv.length, 299);
  for (const r of crosswalkCsv) assert.equal(r['master_id'], truth.get(`${r['source']}:${r['source_record_id']}`));
  const crosswalkPq = await parquetReadObjects({ file: await asyncBufferFromFile(fileOf('crosswalk.parquet')) });
  assert.deepEqual(crosswalkPq.map((r) => `${r['source']}:${r['source_record_id']}=${r['master_id']}`).sort(), crosswalkCsv.map((r) => `${r['source']}:${r['source_record_id']}=${r['master_id']}`).sort());

  const master = await parquetReadObjects({ file: await asyncBufferFromFile(fileOf('master.parquet')) });
  const identities = new Set(truth.values());
  assert.equal(master.length, identities.size);
  assert.equal(byPath.get('master.parquet')?.rows, identities.size);
  for (const m of master) {
    const members = m['member_record_ids'] as string[];
    assert.equal(m['member_count'], members.length);
    for (const id of members) assert.equal(truth.get(id), m['master_id']);
    assert.ok(typeof m['golden_completeness'] === 'number' && m['golden_completeness'] > 0 && m['golden_completeness'] <= 1);
    assert.equal(m['weakest_link_probability'] === null, members.length === 1, 'a weakest link exactly for identities of more than one record');
    assert.equal(m['household_id'] ?? null, householdOf.get(String(m['master_id'])) ?? null);
  }
  // A second, independent reader: DuckDB, with the compression it sees.
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const agg = (await duck.runAndReadAll(`SELECT count(*)::INT AS n, sum(member_count)::INT AS records, count(DISTINCT master_id)::INT AS ids, sum(len(member_record_ids))::INT AS listed FROM read_parquet('${fileOf('master.parquet')}')`)).getRowObjectsJS()[0]!;
  assert.deepEqual(agg, { n: identities.size, records: 299, ids: identities.size, listed: 299 });
  const codecs = (await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${fileOf('master.parquet')}')`)).getRowObjectsJS().map((r) => String(r['compression']));
  assert.deepEqual(codecs, ['SNAPPY']);
  const golden = (await duck.runAndReadAll(`SELECT family_name, dob FROM read_parquet('${fileOf('master.parquet')}') WHERE master_id = '${truth.get(ids[0]!)}'`)).getRowObjectsJS()[0]!;
  assert.ok(golden['family_name'] && golden['dob'], 'golden fields are filled');

  const pairs = parse(readFileSync(fileOf('pairs.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.ok(pairs.length >= ids.length - identities.size, 'at least a spanning set of links per identity');
  for (const p of pairs) {
    assert.equal(truth.get(p['id1']!), truth.get(p['id2']!), 'every pair is a link applied inside one identity');
    assert.ok(Number(p['probability']) > 0 && Number(p['probability']) <= 1);
    assert.ok(p['match_type'] === 'probabilistic' ? p['blocking_rule'] !== '' : p['match_type'] === 'ssn_and_dob');
    assert.match(p['top_evidence']!, /=.*\([+-]\d/);
  }
  const rejected = parse(readFileSync(fileOf('rejected.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(rejected.map((r) => r['row']), ['11']);
  // The job's data-quality report: the HTML (its charts are checked in a browser by report.test.ts) and its PDF.
  const html = readFileSync(fileOf('report.html'), 'utf8');
  assert.ok(html.includes(`idres job ${job.id}`) && html.includes('Identities by number of records'), 'report.html is the job\'s report');
  assert.match(html, /rejected: job [A-Z_]+/, 'the job\'s refused row is in the report');
  assert.equal(readFileSync(fileOf('report.pdf')).subarray(0, 5).toString(), '%PDF-');
  // Downloads serve the same bytes.
  const dl = await fetch(`${base}${byPath.get('pairs.csv')!.url!}`);
  assert.equal(await dl.text(), readFileSync(fileOf('pairs.csv'), 'utf8'));
});

test('kill -9 of the service running a job mid-file: it resumes from its checkpoint, counts right, nothing sent twice', { timeout: 400_000 }, async () => {
  const file = writeCsv(path.join(dir, 'restart.csv'), sample.slice(300, 1300));
  const job = await submit({ input: { path: file, idColumn: 'record_id', source: 'restart' }, outputs: ['master', 'crosswalk'], partitionByState: true });
  const before = await waitFor(job.id, (j) => j.checkpoint >= 200 || j.phase !== 'queued' && j.phase !== 'reading', 120_000, 20);
  ingest!.kill('SIGKILL');
  await new Promise((r) => ingest!.once('exit', r));
  assert.equal(before.phase, 'reading', 'the kill came while the file was being read');
  assert.ok(before.checkpoint < 1000, `killed at row ${before.checkpoint} of 1000`);
  await startIngest();
  const done = await waitFor(job.id, (j) => j.phase === 'done' || j.phase === 'failed', 300_000, 500);
  assert.equal(done.phase, 'done', JSON.stringify(done.error));
  assert.deepEqual(done.counts, { total: 1000, read: 1000, rejected: 0, sent: 1000, resolved: 1000 });
  assert.equal(await rawMessagesOf('restart'), 1000, 'identity.raw holds each record of the file once');
  const crosswalk = parse(readFileSync(path.join(done.outputDir, 'crosswalk.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  // Identities span sources (the first test sent other records of the same people): each record of this job once.
  const mine = crosswalk.filter((r) => r['source'] === 'restart').map((r) => r['source_record_id']);
  assert.equal(mine.length, 1000);
  assert.equal(new Set(mine).size, 1000);
  // The master file partitioned by state, read as one Hive-partitioned dataset by DuckDB.
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const got = (await duck.runAndReadAll(`SELECT count(*)::INT AS n, sum(member_count)::INT AS records, count(DISTINCT state)::INT AS states FROM read_parquet('${done.outputDir}/master/*/*.parquet', hive_partitioning = true)`)).getRowObjectsJS()[0]!;
  assert.equal(got['n'], new Set(crosswalk.map((r) => r['master_id'])).size);
  assert.equal(got['records'], crosswalk.length);
  assert.ok(Number(got['states']) > 10, `states: ${got['states']}`);
});

test('a generate job writes a seeded file with the same progress counts; a bad spec is refused with its field', { timeout: 120_000 }, async () => {
  const job = await submit({ type: 'generate', generate: { records: 3000, profile: 'us-crm', seed: 7, target: 'file', format: 'csv' }, outputs: [] });
  const done = await waitFor(job.id, (j) => j.phase === 'done' || j.phase === 'failed', 100_000, 200);
  assert.equal(done.phase, 'done', JSON.stringify(done.error));
  assert.equal(done.counts.total, 3000);
  assert.equal(done.counts.read, 3000);
  const out = done.outputs.find((o) => o.kind === 'generated')!;
  const rows = parse(readFileSync(path.join(done.outputDir, out.path!), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.equal(rows.length, 3000);
  assert.equal(out.rows, 3000);
  assert.ok(rows.every((r) => r['record_id'] && r['entity_id']));
  const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'generate', generate: { records: 0 } }) });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { message: string }).message, /generate\.records/);
});

test('cancel stops reading and says what was sent', { timeout: 300_000 }, async () => {
  const file = writeCsv(path.join(dir, 'cancel.csv'), sample.slice(1300, 2000));
  const job = await submit({ input: { path: file, idColumn: 'record_id', source: 'cancel' }, outputs: ['master'] });
  await waitFor(job.id, (j) => j.checkpoint > 0 || j.phase !== 'queued' && j.phase !== 'reading', 120_000, 10);
  const res = await fetch(`${base}/jobs/${job.id}/cancel`, { method: 'POST' });
  assert.equal(res.status, 202);
  const end = await waitFor(job.id, (j) => j.phase === 'cancelled' || j.phase === 'done' || j.phase === 'failed');
  assert.equal(end.phase, 'cancelled');
  assert.equal(end.error?.code, 'CANCELLED');
  assert.ok(end.counts.read < 700, `cancelled while reading (read ${end.counts.read} of 700)`);
  assert.match(end.error!.message, new RegExp(`${end.counts.sent} records sent`));
  assert.equal(end.outputs.length, 0);
  assert.equal(await rawMessagesOf('cancel'), end.counts.sent, 'what the job says it sent is what identity.raw holds');
  assert.equal((await fetch(`${base}/jobs/${job.id}/cancel`, { method: 'POST' })).status, 409);
});
