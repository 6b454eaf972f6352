/** Stable error codes shared across idres packages; callers switch on `code`, never on message text. */
export type IdresErrorCode =
  | 'MODEL_INVALID'
  | 'SETTINGS_INVALID'
  | 'INPUT_INVALID'
  | 'DATASET_INVALID'
  | (string & {});

export class IdresError extends Error {
  readonly code: IdresErrorCode;
  /** True when retrying the same operation may succeed (transient I/O); domain errors are not retriable. */
  readonly retriable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: IdresErrorCode, message: string, opts: { retriable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'IdresError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

export function isIdresError(e: unknown): e is IdresError {
  return e instanceof IdresError;
}
