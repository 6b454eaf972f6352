import type { Job, JobCounts, JobFailure, JobOutput, JobPhase, JobSpec, PendingBatch, Rejection } from './job';

/**
 * Jobs and their progress. Every change is one atomic step, so a process killed at any point leaves a job that
 * can be resumed from its checkpoint with its counts right. Terminal jobs (done, failed, cancelled) are not changed.
 */
export interface JobStore {
  create(spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<Job>;
  /**
   * Creates a job already locked by the caller (see tryLock), so no runner polling for work starts it first: for a
   * client that runs its own job in process (`idres resolve`). If the caller dies, the lock goes and a runner resumes it.
   */
  createLocked(spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<{ job: Job; release: () => Promise<void> }>;
  get(id: string): Promise<Job | undefined>;
  /** Newest first. */
  list(opts?: { limit?: number }): Promise<Job[]>;
  /** Jobs not yet done, failed or cancelled, oldest first: what a runner resumes at start-up. */
  unfinished(): Promise<Job[]>;
  /** Moves a job to a phase (and sets what is given); terminal phases set finishedAt. Throws JOB_FINISHED on a terminal job. */
  setPhase(id: string, phase: JobPhase, patch?: { counts?: Partial<JobCounts>; error?: JobFailure; outputs?: JobOutput[] }): Promise<Job>;
  /** Records the batch about to be sent (see PendingBatch). */
  markPending(id: string, pending: PendingBatch): Promise<void>;
  /** After a batch: the new checkpoint, counts and the batch's refused rows, in one step; clears `pending`. */
  checkpoint(id: string, step: { checkpoint: number; counts: JobCounts; rejections: readonly Rejection[] }): Promise<void>;
  /** Progress outside reading (records resolved). */
  setCounts(id: string, counts: Partial<JobCounts>): Promise<void>;
  /** Sets the flag the runner checks between batches; a finished job is returned unchanged. */
  requestCancel(id: string): Promise<Job | undefined>;
  /** Refused rows in row order, a page at a time. */
  rejections(id: string, opts: { afterRow: number; limit: number }): Promise<Rejection[]>;
  /**
   * Exclusive right to run a job, so two service instances never run one job at once; released by the returned
   * function, or when the holder dies (Postgres: a session advisory lock). Undefined when someone holds it.
   */
  tryLock(id: string): Promise<(() => Promise<void>) | undefined>;
}

export type JobStoreErrorCode = 'JOB_UNKNOWN' | 'JOB_FINISHED';

export class JobStoreError extends Error {
  readonly retriable = false;
  constructor(readonly code: JobStoreErrorCode, message: string) {
    super(message);
    this.name = 'JobStoreError';
  }
}

/** Every refused row of a job in row order, read a page at a time (memory bounded by one page). */
export async function* allRejections(store: Pick<JobStore, 'rejections'>, id: string, pageSize = 5000): AsyncGenerator<Rejection> {
  for (let after = 0; ;) {
    const page = await store.rejections(id, { afterRow: after, limit: pageSize });
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1]!.row;
  }
}
