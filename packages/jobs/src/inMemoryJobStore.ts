import { emptyCounts, isTerminal, type Job, type JobCounts, type JobFailure, type JobOutput, type JobPhase, type JobSpec, type PendingBatch, type Rejection } from './job';
import { JobStoreError, type JobStore } from './jobStore';
import { jobIdOf } from './jobId';

/** For unit tests of code that uses a JobStore; passes the same suite as PgJobStore. */
export class InMemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly refused = new Map<string, Map<number, Rejection>>();
  private readonly locks = new Set<string>();
  private next = 1;

  async create(spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<Job> {
    return this.insert(spec, opts);
  }

  async createLocked(spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<{ job: Job; release: () => Promise<void> }> {
    // Inserted and locked in one synchronous step: nothing can take the lock in between.
    const job = this.insert(spec, opts);
    this.locks.add(job.id);
    return { job, release: async () => { this.locks.delete(job.id); } };
  }

  private insert(spec: JobSpec, opts: { outputDir: (id: string) => string }): Job {
    const id = jobIdOf(this.next++);
    const now = new Date();
    const job: Job = {
      id, spec: structuredClone(spec), phase: 'queued', counts: emptyCounts(), checkpoint: 0, pending: null, cancelRequested: false,
      outputs: [], error: null, outputDir: opts.outputDir(id), createdAt: now, updatedAt: now, startedAt: null, phaseStartedAt: now, finishedAt: null,
    };
    this.jobs.set(id, job);
    return structuredClone(job);
  }

  async get(id: string): Promise<Job | undefined> {
    const j = this.jobs.get(id);
    return j && structuredClone(j);
  }

  async list(opts: { limit?: number } = {}): Promise<Job[]> {
    return [...this.jobs.values()].reverse().slice(0, opts.limit ?? 100).map((j) => structuredClone(j));
  }

  async unfinished(): Promise<Job[]> {
    return [...this.jobs.values()].filter((j) => !isTerminal(j.phase)).map((j) => structuredClone(j));
  }

  private live(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw new JobStoreError('JOB_UNKNOWN', `no job ${id}`);
    if (isTerminal(j.phase)) throw new JobStoreError('JOB_FINISHED', `job ${id} is ${j.phase}`);
    return j;
  }

  async setPhase(id: string, phase: JobPhase, patch: { counts?: Partial<JobCounts>; error?: JobFailure; outputs?: JobOutput[] } = {}): Promise<Job> {
    const j = this.live(id);
    const now = new Date();
    if (j.phase !== phase) j.phaseStartedAt = now;
    if (j.startedAt === null && phase !== 'queued') j.startedAt = now;
    j.phase = phase;
    if (patch.counts) j.counts = { ...j.counts, ...patch.counts };
    if (patch.error) j.error = { ...patch.error };
    if (patch.outputs) j.outputs = structuredClone(patch.outputs);
    if (isTerminal(phase)) j.finishedAt = now;
    j.updatedAt = now;
    return structuredClone(j);
  }

  async markPending(id: string, pending: PendingBatch): Promise<void> {
    const j = this.live(id);
    j.pending = structuredClone(pending);
    j.updatedAt = new Date();
  }

  async checkpoint(id: string, step: { checkpoint: number; counts: JobCounts; rejections: readonly Rejection[] }): Promise<void> {
    const j = this.live(id);
    j.checkpoint = step.checkpoint;
    j.counts = { ...step.counts };
    j.pending = null;
    j.updatedAt = new Date();
    const mine = this.refused.get(id) ?? new Map<number, Rejection>();
    for (const r of step.rejections) if (!mine.has(r.row)) mine.set(r.row, { ...r });
    this.refused.set(id, mine);
  }

  async setCounts(id: string, counts: Partial<JobCounts>): Promise<void> {
    const j = this.live(id);
    j.counts = { ...j.counts, ...counts };
    j.updatedAt = new Date();
  }

  async requestCancel(id: string): Promise<Job | undefined> {
    const j = this.jobs.get(id);
    if (!j) return undefined;
    if (!isTerminal(j.phase)) {
      j.cancelRequested = true;
      j.updatedAt = new Date();
    }
    return structuredClone(j);
  }

  async rejections(id: string, opts: { afterRow: number; limit: number }): Promise<Rejection[]> {
    const mine = [...(this.refused.get(id)?.values() ?? [])].filter((r) => r.row > opts.afterRow).sort((a, b) => a.row - b.row);
    return mine.slice(0, opts.limit).map((r) => ({ ...r }));
  }

  async tryLock(id: string): Promise<(() => Promise<void>) | undefined> {
    if (this.locks.has(id)) return undefined;
    this.locks.add(id);
    return async () => { this.locks.delete(id); };
  }
}
