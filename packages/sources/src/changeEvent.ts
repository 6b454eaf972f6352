import { SourceError } from './sourceErrors';

export type ChangeOp = 'c' | 'u' | 'd' | 'r';
export type ChangeRow = Readonly<Record<string, unknown>>;

/** A Debezium change event (the envelope's fields idres uses). */
export interface ChangeEvent {
  op: ChangeOp;
  before: ChangeRow | null;
  after: ChangeRow | null;
  /** When the change was committed in the source (ms since epoch; for snapshot reads, when it was read). */
  sourceTsMs: number;
  /** Debezium's source.snapshot: 'false' for streamed changes, 'incremental' / 'true' / 'last' ... for snapshot reads. */
  snapshot: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a change event produced by Kafka Connect's JsonConverter, with or without embedded schemas (then the
 * envelope is under `payload`). Errors say what is missing, never a value.
 */
export function parseChangeEvent(value: unknown): ChangeEvent {
  const env = isObject(value) && 'payload' in value && 'schema' in value ? value['payload'] : value;
  if (!isObject(env)) throw new SourceError('CHANGE_EVENT_INVALID', 'change event is not a JSON object');
  const op = env['op'];
  if (op !== 'c' && op !== 'u' && op !== 'd' && op !== 'r') throw new SourceError('CHANGE_EVENT_INVALID', `change event has op ${typeof op === 'string' ? `"${op.slice(0, 8)}"` : 'missing'}; expected c, u, d or r`);
  const before = env['before'] ?? null;
  const after = env['after'] ?? null;
  if (before !== null && !isObject(before)) throw new SourceError('CHANGE_EVENT_INVALID', 'change event "before" is not an object');
  if (after !== null && !isObject(after)) throw new SourceError('CHANGE_EVENT_INVALID', 'change event "after" is not an object');
  if (op !== 'd' && after === null) throw new SourceError('CHANGE_EVENT_INVALID', `change event with op ${op} has no "after" row`);
  const source = isObject(env['source']) ? env['source'] : {};
  const ts = source['ts_ms'] ?? env['ts_ms'];
  const snapshot = source['snapshot'];
  return {
    op, before, after,
    sourceTsMs: typeof ts === 'number' ? ts : Date.now(),
    snapshot: typeof snapshot === 'string' ? snapshot : snapshot === true ? 'true' : 'false',
  };
}

/** JSON bytes from Kafka Connect's JsonConverter; a message that is not JSON is refused with a clear code. */
export function decodeConnectJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SourceError('CHANGE_EVENT_INVALID', `message of ${bytes.length} bytes is not JSON (is the connector's converter JsonConverter?)`);
  }
}
