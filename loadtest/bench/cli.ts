/**
 * End-to-end benchmark of the real pipeline (ingest → standardize → block → match → resolve → publish on the local
 * Kafka, registry, Postgres and Redis). See docs/benchmarks.md.
 *
 *   npm run bench -- [--records 1000000] [--seed 1]                       batch: reset, produce N, wait until resolved
 *   npm run bench -- --rate 1000 --duration 300 [--no-reset]             continuous: paced feed, latency percentiles
 *
 * Prints one JSON object and writes it to loadtest/results/. Holds .stack/pipeline.lock for the whole run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pairwiseQuality, standardizeRecord, trainModel, type RawFields } from '@idres/core';
import { validateInputRecord } from '@idres/core/inputRecord';
import {
  AvroSerde, DEFAULT_PORTS, RawRecordProducer, TOPIC_SPECS, createKafka, createLogger, createProducer, ensureTopics, readBaseConfig,
  type RawInput,
} from '@idres/runtime';
import { PipelineWatcher } from '../../packages/cli/src/pipelineWatcher';
import { resetPipeline } from '../../packages/cli/src/pipelineReset';
import { servicesDown, servicesUp } from '../../packages/cli/src/serviceSupervisor';
import { runStack, stackEnv } from '../../packages/cli/src/stackControl';
import { REPO_ROOT, SUPERVISED_SERVICES, STACK_DIR } from '../../packages/cli/src/repoPaths';
import { COLUMNS, createGenerator, type SyntheticRecord } from '../generator/index';
import { ensurePipelineLock } from './lock';
import { Monitor } from './monitor';
import { watchedProcesses } from './procfs';
import { postgresUsage, redisUsage } from './storage';
import { MiB, round, summarize } from './stats';

const USAGE = `usage: npx tsx loadtest/bench/cli.ts [options]
  batch mode (default): stack up, services down, pipeline reset, services up, produce N generated records to
  identity.raw, wait until every record has a master ID and the pipeline has drained, report.
    --records N          records to generate (default 1000000)
  continuous mode: produce at a fixed rate for a fixed time, then wait for the tail; reports latency percentiles.
    --rate R             records per second
    --duration S         seconds
    --no-reset           keep what is already resolved (continuous mode; the feed uses a new source name)
  common:
    --seed S             generator seed (default 1)
    --source NAME        source of the produced records (default bench; bench-live-<time> with --no-reset)
    --batch B            records per produce request (default 1000 batch mode, rate/10 continuous)
    --inflight K         produce requests in flight in batch mode (default 4)
    --sample-every K     measure produce->master-ID latency of every K-th record (default 100 batch, 1 continuous)
    --interval S         seconds between lag/metrics/memory samples (default 2)
    --timeout S          give up waiting after S seconds from the first record (default 3600); writes a partial result
    --stall S            give up when no stage made progress for S seconds while there is lag (default 120)
    --service-batch-size N   IDRES_BATCH_SIZE for the services this run starts (default: the services' own, 1000)
    --results DIR        where the JSON goes (default loadtest/results)
    --no-lock            do not take .stack/pipeline.lock (only when nothing else uses this stack)
`;

const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || !Number.isInteger(n)) usageError(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

function usageError(msg: string): never {
  process.stderr.write(`bench: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

const parseCli = () => parseArgs({
  options: {
    records: { type: 'string' }, seed: { type: 'string', default: '1' }, rate: { type: 'string' }, duration: { type: 'string' },
    'no-reset': { type: 'boolean', default: false }, source: { type: 'string' }, batch: { type: 'string' }, inflight: { type: 'string' },
    'sample-every': { type: 'string' }, interval: { type: 'string' }, timeout: { type: 'string' }, results: { type: 'string' },
    'train-records': { type: 'string' }, stall: { type: 'string' }, 'service-batch-size': { type: 'string' }, 'no-lock': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
let parsed: ReturnType<typeof parseCli>;
try {
  parsed = parseCli();
} catch (err) {
  usageError(err instanceof Error ? err.message : String(err));
}
const args = parsed.values;
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const continuous = args.rate !== undefined || args.duration !== undefined;
const rate = intOption('rate', args.rate, 1);
const duration = intOption('duration', args.duration, 1);
if (continuous && (rate === undefined || duration === undefined)) usageError('continuous mode needs both --rate and --duration');
if (continuous && args.records !== undefined) usageError('--records is for batch mode; continuous mode produces rate × duration records');
if (!continuous && args['no-reset']) usageError('--no-reset is for continuous mode (--rate, --duration): a batch run measures from an empty pipeline');
const records = continuous ? rate! * duration! : intOption('records', args.records, 1) ?? 1_000_000;
const seedNum = Number(args.seed);
const seed: number | string = Number.isInteger(seedNum) ? seedNum : (args.seed ?? '1');
const reset = !args['no-reset'];
const startedAt = new Date();
const source = args.source ?? (reset ? 'bench' : `bench-live-${startedAt.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`);
const batchSize = intOption('batch', args.batch, 1) ?? (continuous ? Math.max(1, Math.ceil(rate! / 10)) : 1000);
const inflight = intOption('inflight', args.inflight, 1) ?? 4;
const sampleEvery = intOption('sample-every', args['sample-every'], 1) ?? (continuous ? 1 : 100);
const intervalMs = Number(args.interval ?? '2') * 1000;
const timeoutMs = (intOption('timeout', args.timeout, 1) ?? 3600) * 1000;
const stallMs = (intOption('stall', args.stall, 5) ?? 120) * 1000;
const serviceBatchSize = intOption('service-batch-size', args['service-batch-size'], 1);
const trainRecords = intOption('train-records', args['train-records'], 100) ?? 20_000;
const resultsDir = path.resolve(args.results ?? path.join(REPO_ROOT, 'loadtest', 'results'));
if (!(intervalMs >= 200)) usageError('--interval must be >= 0.2 seconds');

/** Generator columns → an ingest record: canonical columns as fields, the generator's own source system as an attribute. */
const CANONICAL_COLUMNS = COLUMNS.filter((c) => c !== 'record_id' && c !== 'entity_id' && c !== 'source');
function toInput(r: SyntheticRecord): { input: RawInput } | { error: string } {
  const obj: Record<string, unknown> = { source, sourceRecordId: r.record_id, attributes: r.source ? { source_system: r.source } : {} };
  for (const c of CANONICAL_COLUMNS) if (r[c] !== '') obj[c] = r[c];
  const v = validateInputRecord(obj);
  return 'error' in v ? v : { input: v.ok };
}

/** An unsupervised model trained on a generated sample (other seed than the benchmark data); used only when default.json is missing. */
function trainBenchModel(file: string): string {
  const gen = createGenerator({ records: trainRecords, seed: `${String(seed)}-train` });
  const values: Array<Record<string, string>> = [];
  for (const r of gen) {
    const fields: RawFields = {};
    for (const c of CANONICAL_COLUMNS) if (r[c] !== '') fields[c] = r[c];
    values.push(standardizeRecord(fields).values);
  }
  const model = trainModel(values, { seed: 42, trainedOn: { description: `loadtest/bench: generator sample, seed ${String(seed)}-train`, records: values.length } });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(model, null, 1));
  return file;
}

let interrupted: string | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => {
  if (interrupted) process.exit(130);
  interrupted = sig;
});

/** The last warnings/errors (pino level >= 40) of a service's log, shortened: evidence when a stage stalls. */
function lastProblems(service: string, max = 3): string[] {
  try {
    const text = readFileSync(path.join(STACK_DIR, 'services', `${service}.log`), 'utf8');
    const lines = text.slice(-200_000).split('\n').filter((l) => /"level":(4|5|6)0/.test(l));
    return lines.slice(-max).map((l) => l.slice(0, 400));
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const lockPath = path.join(STACK_DIR, 'pipeline.lock');
  if (!args['no-lock']) await ensurePipelineLock(lockPath, log);
  const tSetup = Date.now();

  log('scripts/stack.sh up');
  await runStack('up');
  const stack = stackEnv();
  const cfg = readBaseConfig({ ...process.env, ...stack }, 'bench');
  const serviceEnv: Record<string, string> = { ...stack };
  if (serviceBatchSize !== undefined) serviceEnv['IDRES_BATCH_SIZE'] = String(serviceBatchSize);
  let modelPath = process.env['IDRES_MODEL'];
  const defaultModel = path.join(REPO_ROOT, 'packages', 'core', 'models', 'default.json');
  if (!modelPath && !existsSync(defaultModel)) {
    log(`${defaultModel} is missing: training a model on ${trainRecords} generated records (no labels)`);
    modelPath = trainBenchModel(path.join(STACK_DIR, 'bench', `model-${String(seed)}.json`));
    serviceEnv['IDRES_MODEL'] = modelPath;
  }
  modelPath ??= defaultModel;
  // Pinned, so the run scores with the model it reports, not whatever version earlier runs made active.
  serviceEnv['IDRES_MODEL'] = modelPath;

  if (reset) {
    log('services down, pipeline reset (all topics, resolve tables, Redis idres:*)');
    await servicesDown();
    await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix }, 'all');
  }
  log('services up');
  await servicesUp(serviceEnv);
  const pgBefore = await postgresUsage(cfg.databaseUrl);
  const redisBefore = await redisUsage(cfg.redisUrl);

  const logger = createLogger('idres-bench', 'warn');
  const kafka = createKafka({ clientId: 'idres-bench', brokers: cfg.kafkaBrokers, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, cfg.partitions);
  const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
  await serde.registerTopics(TOPIC_SPECS);
  const producer = createProducer(kafka);
  await producer.connect();
  const watcher = new PipelineWatcher(kafka, serde, cfg.groupPrefix);
  await watcher.start();
  const raw = new RawRecordProducer(producer, serde);
  const setupSeconds = (Date.now() - tSetup) / 1000;
  log(`ready after ${setupSeconds.toFixed(1)}s; ${continuous ? `continuous: ${rate}/s for ${duration}s` : `batch: ${records} records`}, seed ${String(seed)}, source ${source}`);

  const truth = new Map<string, string>(); // recordId -> entity_id
  const rejected: string[] = [];
  let produced = 0;
  const t0 = Date.now();
  const monitor = new Monitor({
    admin, groupPrefix: cfg.groupPrefix, t0, intervalMs,
    watched: watchedProcesses(path.join(STACK_DIR, 'services'), process.env['IDRES_STACK_DIR'] ?? STACK_DIR, SUPERVISED_SERVICES),
    ports: Object.fromEntries(SUPERVISED_SERVICES.map((n) => [n, DEFAULT_PORTS[n] ?? 0])),
    progress: () => ({ produced, resolvedSeen: watcher.masterOf.size }),
  });
  await monitor.sample();
  monitor.start();

  // Latency: produce time of every K-th record, and when the watcher first holds a master ID for it (polled every 20 ms).
  const awaiting = new Map<string, number>();
  const latencies: Array<{ at: number; ms: number }> = [];
  let firstResolvedAt: number | undefined;
  const poll = setInterval(() => {
    const now = performance.now();
    if (firstResolvedAt === undefined && watcher.masterOf.size > 0) firstResolvedAt = Date.now();
    for (const [id, t] of awaiting) {
      if (watcher.masterOf.has(id)) {
        latencies.push({ at: Date.now() - t0, ms: now - t });
        awaiting.delete(id);
      } else if (watcher.quarantined.has(id)) awaiting.delete(id);
    }
  }, 20);

  let lastProgress = Date.now();
  const progress = (): void => {
    if (Date.now() - lastProgress < 10_000) return;
    lastProgress = Date.now();
    const s = monitor.latest();
    log(`t=${((Date.now() - t0) / 1000).toFixed(0)}s produced ${produced}, master IDs seen ${watcher.masterOf.size}, lag ${s ? JSON.stringify(s.lag) : '?'}`);
  };

  const gen = createGenerator({ records, seed });
  const nextBatch = (max: number): RawInput[] => {
    const out: RawInput[] = [];
    while (out.length < max) {
      const r = gen.nextRecord();
      if (r === null) break;
      const v = toInput(r);
      if ('error' in v) {
        rejected.push(`${r.record_id}: ${v.error}`);
        continue;
      }
      truth.set(`${source}:${r.record_id}`, r.entity_id);
      out.push(v.input);
    }
    return out;
  };
  const send = async (batch: RawInput[]): Promise<void> => {
    const t = performance.now();
    for (const r of batch) {
      if (produced % sampleEvery === 0) awaiting.set(`${r.source}:${r.sourceRecordId}`, t);
      produced++;
    }
    await raw.send(batch);
  };

  // ---- produce
  if (!continuous) {
    const pending = new Set<Promise<void>>();
    for (let batch = nextBatch(batchSize); batch.length > 0 && !interrupted; batch = nextBatch(batchSize)) {
      const p: Promise<void> = send(batch).finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= inflight) await Promise.race(pending);
      progress();
    }
    await Promise.all(pending);
  } else {
    const tick = 50;
    for (;;) {
      const elapsed = (Date.now() - t0) / 1000;
      const due = Math.min(records, Math.floor(rate! * Math.min(elapsed, duration!)));
      while (produced + rejected.length < due) {
        const batch = nextBatch(Math.min(batchSize, due - produced - rejected.length));
        if (batch.length === 0) break;
        await send(batch);
      }
      if (produced + rejected.length >= records || interrupted) break;
      progress();
      await sleep(tick);
    }
  }
  const producedAt = Date.now();
  const produceSeconds = (producedAt - t0) / 1000;
  log(`produced ${produced} records in ${produceSeconds.toFixed(1)}s (${Math.round(produced / produceSeconds)}/s); waiting for master IDs and drain`);

  // ---- wait until every record has a master ID (or was quarantined) and every stage's lag is 0, twice in a row
  const countPending = (): number => {
    let n = 0;
    for (const id of truth.keys()) if (!watcher.masterOf.has(id) && !watcher.quarantined.has(id)) n++;
    return n;
  };
  let completed = false;
  let allResolvedAt: number | undefined;
  let pendingAtEnd = produced;
  let quiet = 0;
  let stalled: { stage: string; lag: number; seconds: number; serviceLog: string[] } | undefined;
  let lastChange = { at: Date.now(), key: '' };
  for (;;) {
    if (interrupted) {
      log(`${interrupted}: stopping the wait, writing a partial result`);
      pendingAtEnd = countPending();
      break;
    }
    const latest = monitor.latest();
    if (latest) {
      const key = `${JSON.stringify(latest.lag)}|${watcher.masterOf.size}`;
      if (key !== lastChange.key) lastChange = { at: Date.now(), key };
      const lagging = Object.entries(latest.lag).filter(([, l]) => l > 0).sort((a, b) => b[1] - a[1]);
      const top = lagging[0];
      if (top && Date.now() - lastChange.at > stallMs) {
        stalled = { stage: top[0], lag: top[1], seconds: Math.round((Date.now() - lastChange.at) / 1000), serviceLog: lastProblems(top[0]) };
        log(`STALLED: no progress for ${stalled.seconds}s; lag ${JSON.stringify(latest.lag)}; ${top[0]} log: ${stalled.serviceLog.slice(-1).join('')}`);
        pendingAtEnd = countPending();
        break;
      }
    }
    // masterOf only grows; counting pending over all records is only worth it once enough IDs were seen
    const maybeDone = watcher.masterOf.size + watcher.quarantined.size >= truth.size;
    pendingAtEnd = maybeDone ? countPending() : truth.size - watcher.masterOf.size - watcher.quarantined.size;
    if (pendingAtEnd === 0) {
      allResolvedAt ??= Date.now();
      quiet = (await watcher.pipelineLag()) === 0 ? quiet + 1 : 0;
      if (quiet >= 2) {
        completed = true;
        break;
      }
    }
    if (Date.now() - t0 > timeoutMs) {
      pendingAtEnd = countPending();
      log(`timeout after ${timeoutMs / 1000}s: ${pendingAtEnd} records still without a master ID`);
      break;
    }
    progress();
    await sleep(500);
  }
  const endAt = Date.now();
  clearInterval(poll);
  await monitor.stop();

  // ---- measure state and quality
  const pgAfter = await postgresUsage(cfg.databaseUrl);
  const redisAfter = await redisUsage(cfg.redisUrl);
  const predicted = new Map<string, string>();
  for (const id of truth.keys()) {
    const m = watcher.masterOf.get(id);
    if (m) predicted.set(id, m.masterId);
  }
  const q = pairwiseQuality(truth, predicted);
  let quarantined = 0;
  for (const id of truth.keys()) if (watcher.quarantined.has(id) && !watcher.masterOf.has(id)) quarantined++;
  await watcher.stop();
  await producer.disconnect();
  await admin.disconnect();

  const lat = summarize(latencies.map((l) => l.ms));
  const windows: Array<{ t: number; n: number; p50: number; p99: number }> = [];
  if (continuous) {
    const w = 10_000;
    for (let start = 0; start <= endAt - t0; start += w) {
      const inWin = latencies.filter((l) => l.at >= start && l.at < start + w).map((l) => l.ms);
      if (inWin.length > 0) {
        const s = summarize(inWin);
        windows.push({ t: start / 1000, n: s.samples, p50: s.p50, p99: s.p99 });
      }
    }
  }
  const seconds = ((allResolvedAt ?? endAt) - t0) / 1000;
  const pgRecords = pgAfter.tables['idres_records']?.rows ?? 0;
  const date = startedAt.toISOString().slice(0, 10);
  const result = {
    bench: 'idres end-to-end',
    mode: continuous ? 'continuous' : 'batch',
    completed,
    date,
    startedAt: startedAt.toISOString(),
    command: `npx tsx loadtest/bench/cli.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cores: os.cpus().length, memGiB: round(os.totalmem() / 2 ** 30, 1), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, kernel: os.release() },
    dataset: {
      generator: 'loadtest/generator createGenerator', seed, records, source, entities: gen.stats.entities,
      entitiesWithDuplicates: gen.stats.entitiesWithDuplicates, households: gen.stats.households, twinPairs: gen.stats.twinPairs,
      dupRateObserved: gen.stats.records > 0 ? round((gen.stats.records - gen.stats.entities) / gen.stats.records, 4) : 0,
    },
    config: { reset, partitions: cfg.partitions, serviceBatchSize: Number(serviceEnv['IDRES_BATCH_SIZE'] ?? process.env['IDRES_BATCH_SIZE'] ?? 1000), model: path.relative(REPO_ROOT, modelPath), produceBatch: batchSize, inflight: continuous ? 1 : inflight, sampleEvery, sampleIntervalSeconds: intervalMs / 1000 },
    records: produced,
    rejectedByValidation: rejected.length,
    quarantined,
    withoutMasterId: pendingAtEnd,
    ...(stalled ? { stalled } : {}),
    ...(interrupted ? { interrupted } : {}),
    identities: new Set(predicted.values()).size,
    seconds: round(seconds, 1),
    recordsPerSecond: seconds > 0 ? Math.round((produced - pendingAtEnd) / seconds) : 0,
    phases: {
      setupSeconds: round(setupSeconds, 1),
      produceSeconds: round(produceSeconds, 1),
      produceRecordsPerSecond: produceSeconds > 0 ? Math.round(produced / produceSeconds) : 0,
      firstMasterIdSeconds: firstResolvedAt !== undefined ? round((firstResolvedAt - t0) / 1000, 1) : null,
      allMasterIdsSeconds: allResolvedAt !== undefined ? round((allResolvedAt - t0) / 1000, 1) : null,
      drainedSeconds: completed ? round((endAt - t0) / 1000, 1) : null,
      ...(continuous ? { targetRate: rate, achievedProduceRate: Math.round(produced / Math.max(produceSeconds, 1e-9)) } : {}),
    },
    latencyMs: {
      what: 'produce call -> first time the identity.resolved watcher holds a master ID for the record (polled every 20 ms)',
      ...lat,
      ...(continuous ? { windows10s: windows } : { note: 'batch mode: includes the time a record queued behind earlier records' }),
    },
    throughput: monitor.throughput(),
    resources: monitor.resources(),
    storage: {
      postgres: {
        bytes: pgAfter.bytes, MiB: MiB(pgAfter.bytes), bytesPerRecord: pgRecords > 0 ? Math.round(pgAfter.bytes / pgRecords) : null,
        deltaBytesPerProducedRecord: produced > 0 ? Math.round((pgAfter.bytes - pgBefore.bytes) / produced) : null, tables: pgAfter.tables,
      },
      redis: {
        usedMemoryBefore: redisBefore.usedMemory, usedMemoryAfter: redisAfter.usedMemory, keysAfter: redisAfter.keys,
        bytesPerRecord: produced > 0 ? Math.round((redisAfter.usedMemory - redisBefore.usedMemory) / produced) : null,
      },
    },
    quality: {
      precision: round(q.precision, 4), recall: round(q.recall, 4), f1: round(q.f1, 4),
      truePairs: q.truePairs, predictedPairs: q.predictedPairs, truePositives: q.truePositives, falsePositives: q.falsePositives, falseNegatives: q.falseNegatives,
    },
    bottleneck: monitor.bottleneck(produced),
    timeseries: monitor.timeseries(60),
  };
  mkdirSync(resultsDir, { recursive: true });
  const name = continuous ? `bench-continuous-${rate}rps-${duration}s-${date}` : `bench-${records}-${date}`;
  const file = path.join(resultsDir, `${name}${completed ? '' : '-partial'}.json`);
  writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`${completed ? 'done' : 'INCOMPLETE'}: ${produced - pendingAtEnd}/${produced} records resolved in ${seconds.toFixed(1)}s (${result.recordsPerSecond}/s); ` +
    `latency p50/p95/p99 ${lat.p50}/${lat.p95}/${lat.p99} ms; F1 ${result.quality.f1}; written to ${path.relative(process.cwd(), file)}`);
  log('the services keep running (npx idres services down stops them)');
  if (!completed) process.exitCode = 3;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
