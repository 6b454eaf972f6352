import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import pg from 'pg';
import { pairwiseQuality } from '@idres/core';
import { parseSurvivorship } from '@idres/core/survivorship';
import type { Kafka } from 'kafkajs';
import { withSealKeys } from './sealKeys';
import { AvroSerde, TOPIC_SPECS, createKafka, createLogger, createProducer, ensureTopics, readBaseConfig, readSealer, type Logger } from '@idres/runtime';
import { JobRunner, PgJobStore, allRejections, formatOf, progressOf, type Job, type JobSpec, type JobStore, type OutputKind } from '@idres/jobs';
import { CliError } from './cliError';
import { fileRows } from './fileRows';
import { resolveMapping } from './resolveMapping';
import { JobProgressBar } from './jobProgressBar';
import { STACK_DIR } from './repoPaths';

export interface ResolveFileOptions {
  input: string;
  idColumn: string;
  /** canonical field (or attribute name) -> input column */
  map: Record<string, string> | undefined;
  source: string;
  output: string;
  timeoutMs: number;
  /** Column holding a true entity label, for scoring the result (optional). */
  truthColumn?: string;
  /** Or a function deriving the true entity from a row (e.g. FEBRL's rec-12-dup-0 -> 12). */
  truthOf?: (row: Readonly<Record<string, string>>) => string | undefined;
  /** What the job writes into its own directory besides what --output needs (crosswalk, rejected). */
  outputs?: readonly OutputKind[];
}

export interface ResolveSummary {
  input: string;
  /** The job that resolved the file (idres job status|outputs ID). */
  job: string;
  jobOutputDir: string;
  records: number;
  rejected: number;
  identities: number;
  seconds: number;
  recordsPerSecond: number;
  largestClusters: Array<{ masterId: string; size: number; members: string[] }>;
  quality?: { precision: number; recall: number; f1: number };
  output: string;
  rejectedOutput?: string;
}

/** Where the CLI's jobs keep their files: the same place as ingest's jobs (IDRES_JOBS_DIR, else the stack's jobs/). */
const jobsDir = (env: Readonly<Record<string, string | undefined>>): string => env['IDRES_JOBS_DIR'] || path.join(STACK_DIR, 'jobs');

async function writeCsv(file: string, header: string[], rows: Iterable<string[]>): Promise<void> {
  const out = createWriteStream(file);
  const esc = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  out.write(header.map(esc).join(',') + '\n');
  for (const row of rows) if (!out.write(row.map(esc).join(',') + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** The input's own IDs in file order, with their true entity when the caller scores the result. */
async function inputIds(opts: ResolveFileOptions): Promise<{ ids: string[]; truth: Map<string, string> }> {
  const ids: string[] = [];
  const truth = new Map<string, string>();
  for await (const row of fileRows(opts.input)) {
    const id = row[opts.idColumn] ?? '';
    ids.push(id);
    const entity = opts.truthOf ? opts.truthOf(row) : opts.truthColumn ? row[opts.truthColumn] : undefined;
    if (entity !== undefined && id !== '') truth.set(id, entity);
  }
  return { ids, truth };
}

/** Runs the job in this process (it holds the job's lock), drawing its progress; Ctrl-C cancels it. */
async function runOwnJob(runner: JobRunner, store: JobStore, job: Job, log: (msg: string) => void): Promise<Job> {
  const bar = new JobProgressBar();
  const draw = (): void => {
    store.get(job.id).then((j) => { if (j) bar.show({ ...j, progress: progressOf(j) }); }).catch(() => undefined);
  };
  const timer = setInterval(draw, 1000);
  const cancel = (): void => {
    log(`cancelling ${job.id}: it stops after the batch in hand (Ctrl-C again to quit at once; ingest would then resume it)`);
    store.requestCancel(job.id).catch(() => undefined);
  };
  process.once('SIGINT', cancel);
  try {
    return await runner.runHeld(job);
  } finally {
    clearInterval(timer);
    process.removeListener('SIGINT', cancel);
    bar.stop();
  }
}

/**
 * Kafka and the registry answer, the topics exist and the schemas are registered: checked before anything else
 * happens (main calls it before a model is trained or activated, so an unreachable stack changes nothing).
 */
export interface PreparedStack {
  kafka: Kafka;
  serde: AvroSerde;
  logger: Logger;
}

export async function prepareStack(env: Record<string, string>): Promise<PreparedStack> {
  const cfg = readBaseConfig(env, 'cli');
  // Failures surface as one clear CliError line, so client logs stay quiet unless LOG_LEVEL asks for them.
  const logger = createLogger('idres-cli', env['IDRES_CLI_LOG_LEVEL'] ?? 'fatal');
  const kafka = createKafka({ clientId: 'idres-cli', brokers: cfg.kafkaBrokers, logger, retries: 3, security: cfg.kafkaSecurity });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await ensureTopics(admin, Number(env['IDRES_PARTITIONS'] ?? 6));
  } catch (err) {
    throw new CliError('STACK_UNAVAILABLE', `cannot reach Kafka at ${cfg.kafkaBrokers.join(',')}: ${(err as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
  try {
    await serde.registerTopics(TOPIC_SPECS);
  } catch (err) {
    throw new CliError('STACK_UNAVAILABLE', `cannot reach the schema registry at ${cfg.schemaRegistryUrl}: ${(err as Error).message}`);
  }
  return { kafka, serde, logger };
}

/**
 * `idres resolve`: a job like any other (the same runner, store, checks, producer and exports as `idres job
 * submit`), run in this process under the job's lock, so it is listed by `idres job list` and, if this process
 * dies, resumed by ingest's runner. Writes `record_id,master_id` for the input's own IDs from the job's crosswalk.
 */
export async function resolveFile(opts: ResolveFileOptions, env: Record<string, string>, log: (msg: string) => void, prepared?: PreparedStack): Promise<ResolveSummary> {
  const map = await resolveMapping(opts.input, opts.idColumn, opts.map);
  const cfg = readBaseConfig(env, 'cli');
  // A caller that already checked the stack (idres resolve, before training) passes what it prepared.
  const { kafka, serde, logger } = prepared ?? (await prepareStack(env));
  const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: 4 });
  const producer = createProducer(kafka);
  await producer.connect();
  const store = new PgJobStore(pool);
  // Records/s end to end is over reading and resolving, as before the job machinery: exports come after.
  let resolvedAt: number | undefined;
  const runner = new JobRunner({
    store, pool, kafka, producer, serde, logger, groupPrefix: cfg.groupPrefix, env, pollMs: 1000,
    survivorship: parseSurvivorship(env['IDRES_SURVIVORSHIP']), sealer: readSealer(withSealKeys(env)),
    onPhase: (_id, phase) => { if (phase === 'exporting') resolvedAt = Date.now(); },
  });
  const spec: JobSpec = {
    type: 'resolve',
    input: { path: path.resolve(opts.input), format: formatOf(opts.input) ?? 'csv', idColumn: opts.idColumn, source: opts.source, mapping: map },
    outputs: [...new Set<OutputKind>(['crosswalk', 'rejected', ...(opts.outputs ?? [])])],
    model: 'active', // the CLI chose and activated the model for this file before (modelForFile)
    timeoutSeconds: Math.max(1, Math.ceil(opts.timeoutMs / 1000)),
  };
  const t0 = Date.now();
  try {
    const end = await runToEnd(store, runner, spec, env, cfg.databaseUrl, log).finally(() => producer.disconnect().catch(() => undefined));
    return await summarise(opts, end, store, ((resolvedAt ?? Date.now()) - t0) / 1000, log);
  } finally {
    await pool.end();
  }
}

/** Creates the job locked, runs it here, and fails with the job's own error unless it ended done. */
async function runToEnd(store: JobStore, runner: JobRunner, spec: JobSpec, env: Record<string, string>, databaseUrl: string, log: (msg: string) => void): Promise<Job> {
  const { job, release } = await store.createLocked(spec, { outputDir: (id) => path.join(jobsDir(env), id) }).catch((err: Error) => {
    const db = new URL(databaseUrl);
    throw new CliError('STACK_UNAVAILABLE', `cannot create the job in Postgres at ${db.hostname}:${db.port || 5432}: ${err.message}`);
  });
  log(`job ${job.id}: outputs in ${job.outputDir} (idres job status ${job.id})`);
  let end: Job;
  try {
    end = await runOwnJob(runner, store, job, log);
  } finally {
    await release();
  }
  if (end.phase !== 'done') {
    const c = end.counts;
    throw new CliError(end.error?.code ?? 'JOB_FAILED', `job ${end.id} ended ${end.phase}: ${end.error?.message ?? ''} (${c.read} rows read, ${c.sent} records sent to identity.raw, ${c.rejected} refused)`, end.error?.code === 'TIMEOUT' ? 3 : 1);
  }
  return end;
}

/** record_id,master_id (and the .rejected.csv) from the finished job, and the summary printed after it. */
async function summarise(opts: ResolveFileOptions, job: Job, store: JobStore, seconds: number, log: (msg: string) => void): Promise<ResolveSummary> {
  const { ids, truth } = await inputIds(opts);
  const own = new Set(ids);
  const masterOf = new Map<string, string>();
  for await (const row of fileRows(path.join(job.outputDir, 'crosswalk.csv'))) {
    const id = row['source_record_id'] ?? '';
    if (row['source'] === opts.source && own.has(id)) masterOf.set(id, row['master_id'] ?? '');
  }
  const rejected = new Map<string, string>();
  for await (const r of allRejections(store, job.id)) rejected.set(r.recordId || `row ${r.row}`, r.reason);
  // Scored as before the job machinery: over the rows that were sent (a refused row has no identity to judge).
  for (const id of rejected.keys()) truth.delete(id);
  for (const id of ids) {
    if (id !== '' && !masterOf.has(id) && !rejected.has(id)) rejected.set(id, 'QUARANTINED: sent, but the pipeline put it in identity.quarantine (npx idres report shows the reasons; npx idres quarantine replay sends it again)');
  }
  const rows: string[][] = [];
  const clusters = new Map<string, string[]>();
  for (const id of ids) {
    const m = masterOf.get(id);
    if (m === undefined) continue;
    rows.push([id, m]);
    const list = clusters.get(m) ?? [];
    list.push(id);
    clusters.set(m, list);
  }
  await writeCsv(opts.output, ['record_id', 'master_id'], rows);
  let rejectedOutput: string | undefined;
  if (rejected.size > 0) {
    rejectedOutput = opts.output.replace(/(\.csv)?$/i, '.rejected.csv');
    await writeCsv(rejectedOutput, ['record_id', 'reason'], [...rejected].map(([id, reason]) => [id, reason]));
  }
  log(`wrote ${rows.length} rows to ${opts.output}`);
  const largest = [...clusters].sort((a, b) => b[1].length - a[1].length).slice(0, 5).map(([masterId, members]) => ({ masterId, size: members.length, members: members.slice(0, 8) }));
  const summary: ResolveSummary = {
    input: opts.input, job: job.id, jobOutputDir: job.outputDir, records: ids.length, rejected: rejected.size,
    identities: clusters.size, seconds, recordsPerSecond: Math.round(rows.length / seconds), largestClusters: largest, output: opts.output,
    ...(rejectedOutput ? { rejectedOutput } : {}),
  };
  if (truth.size > 0) {
    const predicted = new Map<string, string>();
    for (const id of truth.keys()) {
      const m = masterOf.get(id);
      if (m !== undefined) predicted.set(id, m);
    }
    const q = pairwiseQuality(truth, predicted);
    summary.quality = { precision: q.precision, recall: q.recall, f1: q.f1 };
  }
  return summary;
}
