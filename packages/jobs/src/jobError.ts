/** Stable codes a failed job reports (with the codes of the CLI's file checks: INPUT_INVALID, ...). */
export type JobErrorCode = 'INPUT_INVALID' | 'SPEC_INVALID' | 'PRODUCE_FAILED' | 'TIMEOUT' | 'EXPORT_FAILED' | 'GENERATOR_UNAVAILABLE' | 'JOB_UNKNOWN';

export class JobError extends Error {
  constructor(readonly code: JobErrorCode, message: string, readonly retriable = false) {
    super(message);
    this.name = 'JobError';
  }
}

/** The code of any error a job can end with: ours, the CLI's file checks (CliError), the runtime's. */
export function codeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string') return (err as { code: string }).code;
  return 'JOB_FAILED';
}
