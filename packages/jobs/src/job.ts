/** A batch job: what it reads, what it writes, where it is. Kept in a JobStore so it survives a restart. */
export type JobType = 'resolve' | 'generate';

/** queued -> [training] -> reading -> resolving -> exporting -> reporting -> done; or failed / cancelled. */
export const JOB_PHASES = ['queued', 'training', 'reading', 'resolving', 'exporting', 'reporting', 'done', 'failed', 'cancelled'] as const;
export type JobPhase = (typeof JOB_PHASES)[number];
export const TERMINAL_PHASES: ReadonlySet<JobPhase> = new Set<JobPhase>(['done', 'failed', 'cancelled']);
export const isTerminal = (p: JobPhase): boolean => TERMINAL_PHASES.has(p);

export const INPUT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/**
 * Files a job can write. `households` needs the households tables (skipped with a note otherwise); `report` is the
 * data-quality report (HTML, and PDF where Chromium is installed), written by the reporting phase.
 */
export const OUTPUT_KINDS = ['master', 'crosswalk', 'pairs', 'households', 'rejected', 'report'] as const;
export const DEFAULT_OUTPUTS: readonly OutputKind[] = ['master', 'crosswalk', 'pairs', 'households', 'report'];
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface ResolveInput {
  /** A file on the server's machine (an upload is stored as one, and named by `upload`). */
  path: string;
  upload?: string;
  format: InputFormat;
  idColumn: string;
  /** canonical field (or attribute name) -> input column; default: the columns named like canonical fields. */
  mapping?: Record<string, string>;
  source: string;
}

export interface GenerateSpec {
  records: number;
  /** us-crm (default), civil-register-de, historical, febrl-like */
  profile: string;
  seed: number;
  /** `raw`: into identity.raw (then resolved and exported like a file); `file`: write a file only. */
  target: 'raw' | 'file';
  /** For target `file`: where (default: the job's output directory) and as what. */
  path?: string;
  format?: 'csv' | 'jsonl';
  /** Source name of the records sent (target raw); default `generated`. */
  source?: string;
}

export interface JobSpec {
  type: JobType;
  input?: ResolveInput;
  generate?: GenerateSpec;
  outputs: OutputKind[];
  /** Master file as state=XX/part-N.parquet instead of one file. */
  partitionByState?: boolean;
  /** `active` (default): the deployment's active model; `train`: train on the file first, as `idres resolve` does. */
  model?: 'active' | 'train';
  /** Give up waiting for master IDs after this long (default 24 h). */
  timeoutSeconds?: number;
}

export interface JobCounts {
  /** Rows in the input (known once the file was checked), or records to generate. */
  total: number | null;
  /** Rows consumed from the input. */
  read: number;
  /** Rows refused before sending (bad ID, unusable values, too large). */
  rejected: number;
  /** Records acknowledged by identity.raw. */
  sent: number;
  /** Records of the job that have a master ID. */
  resolved: number;
}

export interface JobOutput {
  kind: OutputKind | 'summary' | 'generated';
  /** Relative to the job's output directory. */
  path?: string;
  bytes?: number;
  rows?: number;
  /** Why an output wanted was not written, or what it holds. */
  note?: string;
}

/**
 * The batch in flight when a job stopped: rows (fromRow, toRow] and identity.raw's end offsets just before it was
 * sent. On resume, what of it reached the topic is read back from those offsets, so nothing is sent twice.
 */
export interface PendingBatch {
  fromRow: number;
  toRow: number;
  offsets: Array<{ partition: number; offset: string }>;
}

export interface JobFailure { code: string; message: string }

export interface Job {
  id: string;
  spec: JobSpec;
  phase: JobPhase;
  counts: JobCounts;
  /** Rows consumed from the input and recorded (sent or rejected); reading resumes after this row. */
  checkpoint: number;
  pending: PendingBatch | null;
  cancelRequested: boolean;
  outputs: JobOutput[];
  error: JobFailure | null;
  /** Where the job's files go (on the machine that runs it). */
  outputDir: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  phaseStartedAt: Date;
  finishedAt: Date | null;
}

/** A refused row, kept so the `rejected` output can list it whatever restarts happened. */
export interface Rejection { row: number; recordId: string; reason: string }

export const emptyCounts = (total: number | null = null): JobCounts => ({ total, read: 0, rejected: 0, sent: 0, resolved: 0 });
