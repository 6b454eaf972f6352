import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type pg from 'pg';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { RawRecordProducer, errorMessage, standardizeOptionsFrom, type AvroSerde, type Logger } from '@idres/runtime';
import { mapRow } from '@idres/cli/src/fileModel';
import { chooseModel, waitForModel } from '@idres/cli/src/modelChoice';
import type { SurvivorshipRule } from '@idres/core/survivorship';
import type { FieldSealer } from '@idres/core/fieldSealer';
import { isTerminal, type Job, type JobCounts, type JobOutput, type JobPhase, type PendingBatch, type Rejection } from './job';
import type { JobStore } from './jobStore';
import { openFileSource, type RowSource } from './rowSource';
import { openGeneratedSource } from './generatedRows';
import { rawEndOffsets, sentSince } from './sentSince';
import { pipelineLag } from './pipelineLag';
import { resolvedCount } from './jobRecords';
import { exportJob } from './jobExport';
import { writeJobReport } from './jobReport';
import { chromiumPath } from '@idres/report';
import { JobError, codeOf } from './jobError';
import { progressOf } from './jobProgress';

export interface JobRunnerDeps {
  store: JobStore;
  pool: pg.Pool;
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  logger: Logger;
  /** Consumer-group prefix of the pipeline's stages (to know when it has drained). */
  groupPrefix: string;
  /** Rows per batch sent and checkpointed (default 1000). */
  batchSize?: number;
  /** How often the runner looks for new jobs and the resolving phase polls (default 1000 ms). */
  pollMs?: number;
  /** Settings `model: train` jobs need (DATABASE_URL, service URLs), as the CLI reads them. */
  env?: Readonly<Record<string, string | undefined>>;
  survivorship?: Readonly<Record<string, SurvivorshipRule>>;
  /** Opens sealed national IDs for the master file (IDRES_SEAL_KEYS_FILE). */
  sealer?: FieldSealer;
  /** Told when a job this runner runs enters a phase (`idres resolve` times the resolving part by it). */
  onPhase?: (id: string, phase: JobPhase, at: Date) => void;
}

/** Thrown inside a job when the runner stops (SIGTERM): the job keeps its phase and checkpoint and resumes at the next start. */
class Stopping extends Error {}
/** Thrown inside a job when it was cancelled. */
class Cancelled extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs jobs one at a time, oldest first, from the store: so a job submitted to any instance, or left unfinished
 * by a process that died, is picked up by the next runner that starts. Reading goes through the same checks,
 * row mapping and producer as `idres resolve` (validateInputFile, fileRows, mapRow, RawRecordProducer).
 */
export class JobRunner {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private current: string | undefined;
  private readonly batchSize: number;
  private readonly pollMs: number;

  constructor(private readonly deps: JobRunnerDeps) {
    this.batchSize = deps.batchSize ?? 1000;
    this.pollMs = deps.pollMs ?? 1000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the batch in hand is checkpointed; the job resumes when a runner starts again. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** A new job was stored: look now instead of at the next poll. */
  notify(): void {
    this.wake?.();
  }

  /**
   * Runs one job whose lock the caller holds (JobStore.createLocked) in this process, to its end or until stop()
   * (then it keeps its checkpoint for the next runner); returns the job as it stands afterwards.
   */
  async runHeld(job: Job): Promise<Job> {
    this.current = job.id;
    try {
      await this.runJob(job);
    } finally {
      this.current = undefined;
    }
    return (await this.deps.store.get(job.id)) ?? job;
  }

  get runningJob(): string | undefined {
    return this.current;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        for (const job of await this.deps.store.unfinished()) {
          if (this.stopping) break;
          const release = await this.deps.store.tryLock(job.id);
          if (!release) continue; // another instance runs it
          this.current = job.id;
          try {
            const fresh = await this.deps.store.get(job.id);
            if (fresh && !isTerminal(fresh.phase)) await this.runJob(fresh);
          } finally {
            this.current = undefined;
            await release();
          }
        }
      } catch (err) {
        this.deps.logger.warn({ err: errorMessage(err) }, 'job runner: looking for jobs failed; retrying');
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.pollMs);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
      this.wake = undefined;
    }
  }

  private async runJob(job: Job): Promise<void> {
    const { store, logger } = this.deps;
    const log = logger.child({ job: job.id });
    try {
      if (job.cancelRequested) throw new Cancelled();
      if (job.spec.type === 'generate' && job.spec.generate?.target === 'file') {
        await this.generateToFile(job);
        return;
      }
      const source = await this.openSource(job);
      let j = job;
      if (j.phase === 'queued' || j.phase === 'training' || j.phase === 'reading') {
        if (j.spec.model === 'train' && j.checkpoint === 0 && j.spec.input) j = await this.train(j, source);
        j = await this.enter(j.id, 'reading', { counts: { total: source.total } });
        log.info({ total: source.total, checkpoint: j.checkpoint }, 'reading');
        j = await this.read(j, source);
      }
      if (j.phase === 'reading' || j.phase === 'resolving') {
        j = await this.enter(j.id, 'resolving');
        j = await this.awaitResolved(j, source);
      }
      if (j.phase === 'resolving' || j.phase === 'exporting') {
        j = await this.enter(j.id, 'exporting');
        log.info('exporting');
        const outputs = await exportJob({
          pool: this.deps.pool, store, job: j, source: source.source, mappedFields: Object.keys(source.mapping),
          ...(this.deps.survivorship ? { survivorship: this.deps.survivorship } : {}),
          ...(this.deps.sealer ? { sealer: this.deps.sealer } : {}),
        });
        j = await this.enter(j.id, 'reporting', { outputs });
      }
      if (j.phase === 'reporting') {
        log.info('reporting');
        const reports = j.spec.outputs.includes('report') ? await this.writeReport(j, source) : [];
        const summary = this.writeSummary({ ...j, outputs: [...j.outputs, ...reports] });
        j = await this.enter(j.id, 'done', { outputs: [...j.outputs, ...reports, summary] });
        log.info({ counts: j.counts }, 'done');
      }
    } catch (err) {
      if (err instanceof Stopping) {
        log.info('stopping: the job resumes from its checkpoint at the next start');
        return;
      }
      const now = await store.get(job.id);
      if (!now || isTerminal(now.phase)) return;
      if (err instanceof Cancelled) {
        const c = now.counts;
        await store.setPhase(job.id, 'cancelled', {
          error: { code: 'CANCELLED', message: `cancelled in ${now.phase}: ${c.read} rows read${c.total !== null ? ` of ${c.total}` : ''}, ${c.sent} records sent to identity.raw (the pipeline resolves them), ${c.rejected} refused; nothing after row ${now.checkpoint} was sent` },
        });
        log.info({ counts: c }, 'cancelled');
        return;
      }
      log.warn({ code: codeOf(err), err: errorMessage(err) }, 'job failed');
      await store.setPhase(job.id, 'failed', { error: { code: codeOf(err), message: errorMessage(err) } }).catch(() => undefined);
    }
  }

  /** Moves the job to a phase and tells onPhase. */
  private async enter(id: string, phase: JobPhase, patch?: Parameters<JobStore['setPhase']>[2]): Promise<Job> {
    const j = await this.deps.store.setPhase(id, phase, patch);
    this.deps.onPhase?.(id, phase, j.phaseStartedAt);
    return j;
  }

  private async openSource(job: Job): Promise<RowSource> {
    if (job.spec.type === 'generate') {
      if (!job.spec.generate) throw new JobError('SPEC_INVALID', 'a generate job needs `generate`');
      return openGeneratedSource(job.spec.generate);
    }
    if (!job.spec.input) throw new JobError('SPEC_INVALID', 'a resolve job needs `input`');
    return openFileSource(job.spec.input);
  }

  /** `model: train`: as `idres resolve` does, a model trained on the file becomes the active version before a row is sent. */
  private async train(job: Job, source: RowSource): Promise<Job> {
    const j = await this.deps.store.setPhase(job.id, 'training');
    const env = this.deps.env ?? {};
    const log = (msg: string): void => this.deps.logger.info({ job: job.id }, msg);
    const choice = await chooseModel({
      input: job.spec.input!.path, idColumn: source.idColumn, map: source.mapping, source: source.source, model: undefined,
      standardize: standardizeOptionsFrom(env),
    }, env, log);
    await waitForModel(choice.version, env, log);
    return j;
  }

  private async checkInterrupt(id: string): Promise<void> {
    if (this.stopping) throw new Stopping();
    const now = await this.deps.store.get(id);
    if (now?.cancelRequested) throw new Cancelled();
  }

  /**
   * Sends the rows after the checkpoint in batches. Each batch is recorded as pending (with identity.raw's end
   * offsets) before it is sent and checkpointed after the broker acknowledged it, so a process killed between the
   * two resends only what the topic does not hold (see sentSince).
   */
  private async read(job: Job, source: RowSource): Promise<Job> {
    const { store, kafka, serde, producer } = this.deps;
    const raw = new RawRecordProducer(producer, serde);
    const admin = kafka.admin();
    await admin.connect();
    const counts: JobCounts = { ...job.counts, total: source.total };
    let pending: PendingBatch | null = job.pending;
    let rowNo = 0;
    let from = job.checkpoint;
    let items: Array<{ recordId: string; message: Message; bytes: number }> = [];
    let refused: Rejection[] = [];
    let lastResolvedCheck = 0;
    const mapping = { idColumn: source.idColumn, map: source.mapping, source: source.source };
    const flush = async (): Promise<void> => {
      if (rowNo === from) return;
      let skip = new Set<string>();
      if (pending !== null && pending.fromRow === from) {
        skip = await sentSince(kafka, serde, pending.offsets, new Set(items.map((i) => i.recordId)));
        if (skip.size > 0) this.deps.logger.info({ job: job.id, alreadySent: skip.size }, 'resuming: part of the batch in flight had reached identity.raw; not sending it again');
      }
      pending = null;
      await store.markPending(job.id, { fromRow: from, toRow: rowNo, offsets: await rawEndOffsets(admin) });
      await this.sendAll(raw, items.filter((i) => !skip.has(i.recordId)));
      counts.read = rowNo;
      counts.rejected += refused.length;
      counts.sent += items.length;
      if (Date.now() - lastResolvedCheck > 5000) {
        counts.resolved = await resolvedCount(this.deps.pool, source.source, job.createdAt.getTime());
        lastResolvedCheck = Date.now();
      }
      await store.checkpoint(job.id, { checkpoint: rowNo, counts: { ...counts }, rejections: refused });
      from = rowNo;
      items = [];
      refused = [];
      await this.checkInterrupt(job.id);
    };
    try {
      await this.checkInterrupt(job.id);
      for await (const row of source.rows()) {
        rowNo++;
        if (rowNo <= job.checkpoint) continue;
        const id = row[source.idColumn] ?? '';
        const r = mapRow(row, mapping);
        if ('error' in r) refused.push({ row: rowNo, recordId: id, reason: r.error });
        else {
          const encoded = raw.encode(r.ok);
          if ('code' in encoded) refused.push({ row: rowNo, recordId: id, reason: `${encoded.code}: ${encoded.reason}` });
          else items.push({ recordId: `${r.ok.source}:${r.ok.sourceRecordId}`, ...encoded });
        }
        if (rowNo - from >= this.batchSize) await flush();
      }
      await flush();
    } finally {
      await admin.disconnect();
    }
    return (await store.get(job.id))!;
  }

  /** Sends a batch, retrying what the broker did not acknowledge (a broker restart) for a while before failing the job. */
  private async sendAll(raw: RawRecordProducer, items: ReadonlyArray<{ message: Message; bytes: number }>): Promise<void> {
    let rest = items;
    for (let attempt = 0; ; attempt++) {
      const { sent, error } = await raw.sendEncoded(rest);
      if (error === undefined) return;
      rest = rest.slice(sent);
      if (attempt >= 20) throw new JobError('PRODUCE_FAILED', `identity.raw did not acknowledge ${rest.length} records after ${attempt + 1} attempts: ${errorMessage(error)}`);
      if (this.stopping) throw new Stopping();
      await sleep(Math.min(10_000, 250 * 2 ** attempt));
    }
  }

  /** Waits until every stage has drained (twice in a row) and counts the job's records with a master ID. */
  private async awaitResolved(job: Job, source: RowSource): Promise<Job> {
    const { store, kafka, pool, groupPrefix } = this.deps;
    const admin: Admin = kafka.admin();
    await admin.connect();
    const deadline = Date.now() + (job.spec.timeoutSeconds ?? 86_400) * 1000;
    let quiet = 0;
    try {
      for (;;) {
        const lag = await pipelineLag(admin, groupPrefix);
        const resolved = await resolvedCount(pool, source.source, job.createdAt.getTime());
        await store.setCounts(job.id, { resolved });
        quiet = lag === 0 ? quiet + 1 : 0;
        if (quiet >= 2) break;
        if (Date.now() > deadline) throw new JobError('TIMEOUT', `the pipeline still had ${lag} messages to process after ${job.spec.timeoutSeconds ?? 86_400} s; ${resolved} of ${job.counts.sent} records have a master ID`);
        await this.checkInterrupt(job.id);
        await sleep(this.pollMs);
      }
    } finally {
      await admin.disconnect();
    }
    return (await store.get(job.id))!;
  }

  /** report.html and report.pdf (see writeJobReport); the model's standardization settings as the CLI reads them. */
  private async writeReport(job: Job, source: RowSource): Promise<JobOutput[]> {
    const env = this.deps.env ?? {};
    return writeJobReport({
      pool: this.deps.pool, kafka: this.deps.kafka, serde: this.deps.serde, store: this.deps.store, job, source,
      standardize: standardizeOptionsFrom(env),
      chromium: chromiumPath(env),
    });
  }

  /** `summary.json`: the job as it ended (counts, timings, outputs); the data-quality report builds on it. */
  private writeSummary(job: Job): JobOutput {
    mkdirSync(job.outputDir, { recursive: true });
    const file = path.join(job.outputDir, 'summary.json');
    const body = JSON.stringify({ id: job.id, spec: job.spec, counts: job.counts, progress: progressOf(job), createdAt: job.createdAt, startedAt: job.startedAt, outputs: job.outputs }, null, 2);
    writeFileSync(file, body + '\n');
    return { kind: 'summary', path: 'summary.json', bytes: Buffer.byteLength(body) + 1 };
  }

  /** Generate into a file: the seeded records written as CSV or JSONL, with the same progress counts. */
  private async generateToFile(job: Job): Promise<void> {
    const { store } = this.deps;
    const spec = job.spec.generate!;
    const source = await openGeneratedSource(spec);
    const format = spec.format ?? 'csv';
    const file = spec.path ?? path.join(job.outputDir, `generated.${format}`);
    mkdirSync(path.dirname(file), { recursive: true });
    // Seeded: a restarted job writes the same file again from the start.
    await store.setPhase(job.id, 'reading', { counts: { total: source.total, read: 0, sent: 0 } });
    const out = createWriteStream(file, { highWaterMark: 1 << 20 });
    const q = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    if (format === 'csv') out.write(source.columns.join(',') + '\n');
    let n = 0;
    for await (const row of source.rows()) {
      const line = format === 'csv' ? source.columns.map((c) => q(row[c] ?? '')).join(',') + '\n' : JSON.stringify(row) + '\n';
      if (!out.write(line)) await once(out, 'drain');
      n++;
      if (n % 10_000 === 0) {
        await store.setCounts(job.id, { read: n, sent: n });
        await this.checkInterrupt(job.id);
      }
    }
    out.end();
    await once(out, 'finish');
    await store.setCounts(job.id, { read: n, sent: n });
    const rel = path.relative(job.outputDir, file);
    await store.setPhase(job.id, 'done', { outputs: [{ kind: 'generated', path: rel.startsWith('..') ? file : rel, rows: n, bytes: out.bytesWritten, note: `${spec.profile || 'us-crm'} profile, seed ${spec.seed}; mapping ${Object.entries(source.mapping).map(([f, c]) => `${f}=${c}`).join(',')}` }] });
  }
}
