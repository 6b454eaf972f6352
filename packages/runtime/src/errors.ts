/** Stable error codes, so operators and quarantine consumers can act on them. */
export type RuntimeErrorCode =
  | 'CONFIG_INVALID'
  | 'DECODE_FAILED'
  | 'VALIDATION_FAILED'
  | 'HANDLER_FAILED'
  | 'SCHEMA_NOT_FOUND'
  | 'STACK_UNAVAILABLE'
  | 'INPUT_INVALID'
  | 'TIMEOUT'
  | 'BLOCK_STATE_LOST';

/** Like kafkajs errors: a `retriable` flag tells the runner whether to back off and retry or to quarantine. */
export class IdresRuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  readonly retriable: boolean;
  constructor(code: RuntimeErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IdresRuntimeError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** node-postgres's own connection failures carry no SQLSTATE code, only these messages. */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Connection terminated unexpectedly)/;
const REDIS_OUTAGE = /^(OOM|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/;

/** Errors from I/O libraries (kafkajs, pg, ioredis) that are worth retrying. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof IdresRuntimeError) return err.retriable;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { retriable?: unknown; code?: unknown; name?: unknown; message?: unknown };
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (typeof e.code === 'string') {
    // Postgres: serialization failure, deadlock, connection problems, admin shutdown, out of disk/memory/connections.
    if (['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53100', '53200', '53300'].includes(e.code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(e.code)) return true;
  }
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) return true;
  // Redis refusing for a server-wide reason (maxmemory reached, loading, busy script, failover) is an outage,
  // not a bad message: found when a 1M-record run filled Redis and match dead-lettered 107k good messages.
  if (e.name === 'ReplyError' && typeof e.message === 'string' && REDIS_OUTAGE.test(e.message)) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  // A Postgres restart or crash: found by the chaos run, where these dead-lettered good messages as "poison".
  if (typeof e.message === 'string' && PG_CONNECTION_LOST.test(e.message)) return true;
  // ioredis, while the server is down and the offline queue is off or full.
  if (typeof e.message === 'string' && /^(Connection is closed|Stream isn't writeable)/.test(e.message)) return true;
  return false;
}

export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return 'HANDLER_FAILED';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
