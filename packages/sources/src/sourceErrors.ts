/** Stable codes of source failures; messages name tables, columns and sources, never row values. */
export type SourceErrorCode =
  | 'SOURCE_INVALID'
  | 'SOURCE_UNKNOWN'
  | 'SOURCE_TABLE_INVALID'
  | 'SOURCE_DB_UNAVAILABLE'
  | 'SOURCE_WAL_LEVEL'
  | 'CONNECT_UNAVAILABLE'
  | 'CONNECT_REFUSED'
  | 'CONNECTOR_FAILED'
  | 'CHANGE_EVENT_INVALID'
  | 'TIMEOUT';

export class SourceError extends Error {
  readonly code: SourceErrorCode;
  readonly retriable: boolean;
  constructor(code: SourceErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SourceError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
