import type pg from 'pg';
import { schemaOnce } from '@idres/pgschema';
import { isTerminal, type Job, type JobCounts, type JobFailure, type JobOutput, type JobPhase, type JobSpec, type PendingBatch, type Rejection } from './job';
import { JobStoreError, type JobStore } from './jobStore';
import { jobIdOf, jobNumberOf } from './jobId';

export const JOB_SCHEMA_SQL = `
CREATE SEQUENCE IF NOT EXISTS idres_job_seq;
CREATE TABLE IF NOT EXISTS idres_jobs (
  id               text PRIMARY KEY,
  spec             jsonb NOT NULL,
  phase            text NOT NULL,
  counts           jsonb NOT NULL,
  checkpoint       bigint NOT NULL DEFAULT 0,
  pending          jsonb,
  cancel_requested boolean NOT NULL DEFAULT false,
  outputs          jsonb NOT NULL DEFAULT '[]'::jsonb,
  error            jsonb,
  output_dir       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at       timestamptz,
  phase_started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at      timestamptz
);
CREATE INDEX IF NOT EXISTS idres_jobs_unfinished ON idres_jobs (id) WHERE phase NOT IN ('done', 'failed', 'cancelled');
CREATE TABLE IF NOT EXISTS idres_job_rejections (
  job_id    text NOT NULL,
  row_no    bigint NOT NULL,
  record_id text NOT NULL,
  reason    text NOT NULL,
  PRIMARY KEY (job_id, row_no)
);
`;

/** Advisory-lock namespace of job locks (the second key is the job number). */
const JOB_LOCK_SPACE = 727301;

interface Row {
  id: string;
  spec: JobSpec;
  phase: JobPhase;
  counts: JobCounts;
  checkpoint: string;
  pending: PendingBatch | null;
  cancel_requested: boolean;
  outputs: JobOutput[];
  error: JobFailure | null;
  output_dir: string;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  phase_started_at: Date;
  finished_at: Date | null;
}

const toJob = (r: Row): Job => ({
  id: r.id, spec: r.spec, phase: r.phase, counts: r.counts, checkpoint: Number(r.checkpoint), pending: r.pending,
  cancelRequested: r.cancel_requested, outputs: r.outputs, error: r.error, outputDir: r.output_dir, createdAt: r.created_at,
  updatedAt: r.updated_at, startedAt: r.started_at, phaseStartedAt: r.phase_started_at, finishedAt: r.finished_at,
});

const TERMINAL_SQL = `('done', 'failed', 'cancelled')`;

/** Jobs kept in the same Postgres as resolve's state; the tables are created on first use. */
export class PgJobStore implements JobStore {
  /** The tables, created once per process under an advisory lock (several processes may start at once). */
  private readonly ensure: () => Promise<void>;
  constructor(private readonly pool: pg.Pool) {
    this.ensure = schemaOnce(pool, 727300, JOB_SCHEMA_SQL);
  }

  private async one(sql: string, params: unknown[]): Promise<Row | undefined> {
    await this.ensure();
    const r = await this.pool.query<Row>(sql, params);
    return r.rows[0];
  }

  /** Why a guarded UPDATE changed nothing. */
  private async refusal(id: string): Promise<JobStoreError> {
    const j = await this.get(id);
    return j ? new JobStoreError('JOB_FINISHED', `job ${id} is ${j.phase}`) : new JobStoreError('JOB_UNKNOWN', `no job ${id}`);
  }

  async create(spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<Job> {
    return this.insert(await this.nextId(), spec, opts);
  }

  async createLocked(spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<{ job: Job; release: () => Promise<void> }> {
    // The ID is locked before its row exists, so a runner can never see the job unlocked.
    const id = await this.nextId();
    const release = await this.tryLock(id);
    if (!release) throw new JobStoreError('JOB_UNKNOWN', `job ${id} is locked before it exists`);
    try {
      return { job: await this.insert(id, spec, opts), release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  private async nextId(): Promise<string> {
    await this.ensure();
    const n = await this.pool.query<{ n: string }>(`SELECT nextval('idres_job_seq') AS n`);
    return jobIdOf(n.rows[0]!.n);
  }

  private async insert(id: string, spec: JobSpec, opts: { outputDir: (id: string) => string }): Promise<Job> {
    const row = await this.one(
      `INSERT INTO idres_jobs (id, spec, phase, counts, output_dir) VALUES ($1, $2, 'queued', $3, $4) RETURNING *`,
      [id, JSON.stringify(spec), JSON.stringify({ total: null, read: 0, rejected: 0, sent: 0, resolved: 0 }), opts.outputDir(id)],
    );
    return toJob(row!);
  }

  async get(id: string): Promise<Job | undefined> {
    if (jobNumberOf(id) === undefined) return undefined;
    const row = await this.one(`SELECT * FROM idres_jobs WHERE id = $1`, [id]);
    return row && toJob(row);
  }

  async list(opts: { limit?: number } = {}): Promise<Job[]> {
    await this.ensure();
    const r = await this.pool.query<Row>(`SELECT * FROM idres_jobs ORDER BY id DESC LIMIT $1`, [opts.limit ?? 100]);
    return r.rows.map(toJob);
  }

  async unfinished(): Promise<Job[]> {
    await this.ensure();
    const r = await this.pool.query<Row>(`SELECT * FROM idres_jobs WHERE phase NOT IN ${TERMINAL_SQL} ORDER BY id`);
    return r.rows.map(toJob);
  }

  async setPhase(id: string, phase: JobPhase, patch: { counts?: Partial<JobCounts>; error?: JobFailure; outputs?: JobOutput[] } = {}): Promise<Job> {
    const row = await this.one(
      `UPDATE idres_jobs SET
         phase_started_at = CASE WHEN phase = $2 THEN phase_started_at ELSE clock_timestamp() END,
         started_at = CASE WHEN started_at IS NULL AND $2 <> 'queued' THEN clock_timestamp() ELSE started_at END,
         phase = $2,
         counts = counts || $3::jsonb,
         error = coalesce($4::jsonb, error),
         outputs = coalesce($5::jsonb, outputs),
         finished_at = CASE WHEN $2 IN ${TERMINAL_SQL} THEN clock_timestamp() ELSE finished_at END,
         updated_at = clock_timestamp()
       WHERE id = $1 AND phase NOT IN ${TERMINAL_SQL} RETURNING *`,
      [id, phase, JSON.stringify(patch.counts ?? {}), patch.error ? JSON.stringify(patch.error) : null, patch.outputs ? JSON.stringify(patch.outputs) : null],
    );
    if (!row) throw await this.refusal(id);
    return toJob(row);
  }

  async markPending(id: string, pending: PendingBatch): Promise<void> {
    const row = await this.one(
      `UPDATE idres_jobs SET pending = $2, updated_at = clock_timestamp() WHERE id = $1 AND phase NOT IN ${TERMINAL_SQL} RETURNING id`,
      [id, JSON.stringify(pending)],
    );
    if (!row) throw await this.refusal(id);
  }

  async checkpoint(id: string, step: { checkpoint: number; counts: JobCounts; rejections: readonly Rejection[] }): Promise<void> {
    await this.ensure();
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await c.query(
        `UPDATE idres_jobs SET checkpoint = $2, counts = $3, pending = NULL, updated_at = clock_timestamp()
         WHERE id = $1 AND phase NOT IN ${TERMINAL_SQL} RETURNING id`,
        [id, step.checkpoint, JSON.stringify(step.counts)],
      );
      if (r.rowCount === 0) {
        await c.query('ROLLBACK');
        throw await this.refusal(id);
      }
      if (step.rejections.length > 0) {
        await c.query(
          `INSERT INTO idres_job_rejections (job_id, row_no, record_id, reason)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
          [id, step.rejections.map((x) => x.row), step.rejections.map((x) => x.recordId), step.rejections.map((x) => x.reason)],
        );
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async setCounts(id: string, counts: Partial<JobCounts>): Promise<void> {
    const row = await this.one(
      `UPDATE idres_jobs SET counts = counts || $2::jsonb, updated_at = clock_timestamp() WHERE id = $1 AND phase NOT IN ${TERMINAL_SQL} RETURNING id`,
      [id, JSON.stringify(counts)],
    );
    if (!row) throw await this.refusal(id);
  }

  async requestCancel(id: string): Promise<Job | undefined> {
    if (jobNumberOf(id) === undefined) return undefined;
    await this.one(`UPDATE idres_jobs SET cancel_requested = true, updated_at = clock_timestamp() WHERE id = $1 AND phase NOT IN ${TERMINAL_SQL} RETURNING id`, [id]);
    return this.get(id);
  }

  async rejections(id: string, opts: { afterRow: number; limit: number }): Promise<Rejection[]> {
    await this.ensure();
    const r = await this.pool.query<{ row_no: string; record_id: string; reason: string }>(
      `SELECT row_no, record_id, reason FROM idres_job_rejections WHERE job_id = $1 AND row_no > $2 ORDER BY row_no LIMIT $3`,
      [id, opts.afterRow, opts.limit],
    );
    return r.rows.map((x) => ({ row: Number(x.row_no), recordId: x.record_id, reason: x.reason }));
  }

  async tryLock(id: string): Promise<(() => Promise<void>) | undefined> {
    const n = jobNumberOf(id);
    if (n === undefined) throw new JobStoreError('JOB_UNKNOWN', `no job ${id}`);
    await this.ensure();
    // A session lock on a connection of its own: held while the job runs, gone when the process dies.
    const c = await this.pool.connect();
    try {
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [JOB_LOCK_SPACE, n]);
      if (!r.rows[0]?.ok) {
        c.release();
        return undefined;
      }
    } catch (err) {
      c.release(true);
      throw err;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        await c.query('SELECT pg_advisory_unlock($1, $2)', [JOB_LOCK_SPACE, n]);
        c.release();
      } catch {
        c.release(true); // a broken connection: dropping it releases the lock too
      }
    };
  }
}
