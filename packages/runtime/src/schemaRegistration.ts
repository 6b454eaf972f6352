import { IdresRuntimeError } from './errors';

/** The Confluent REST calls registration needs; `fetch` by default, replaceable in unit tests. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export interface RegisterSchemaOptions {
  /** Registry base URL, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  url: string;
  subject: string;
  /** Avro schema JSON text. */
  schema: string;
  /** Subject compatibility to ensure when the subject has none of its own (registry default: NONE). */
  compatibility?: string;
  attempts?: number;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * Registers a schema under a subject so that any number of processes may do it at once against an empty registry.
 *
 * Every step is idempotent: POST /subjects/{s}/versions returns the existing ID for a schema already there, and
 * PUT /config/{s} of the same level is a no-op. We never compare the subject's compatibility before registering
 * (what @kafkajs/confluent-schema-registry's register() does): a subject that another process has just created
 * reports NONE until that process sets its level, and that comparison is what failed on a fresh machine.
 * A level the operator set on the subject (anything but NONE) is left alone.
 */
export async function registerSchema(opts: RegisterSchemaOptions): Promise<number> {
  const attempts = opts.attempts ?? 8;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const base = opts.url.replace(/\/+$/, '');
  const subject = encodeURIComponent(opts.subject);
  const call = (method: string, path: string, body?: unknown) =>
    withRetries(attempts, sleep, `${method} ${path}`, async () => {
      const res = await doFetch(`${base}${path}`, {
        method,
        headers: { 'Content-Type': CONTENT_TYPE, Accept: CONTENT_TYPE },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.text() };
    });

  const reg = await call('POST', `/subjects/${subject}/versions`, { schema: opts.schema });
  if (reg.status !== 200) throw registryError(`registering subject ${opts.subject}`, reg);
  const id = (JSON.parse(reg.body) as { id?: unknown }).id;
  if (typeof id !== 'number') throw registryError(`registering subject ${opts.subject} returned no ID`, reg);

  if (opts.compatibility !== undefined) {
    const cfg = await call('GET', `/config/${subject}`);
    const level = cfg.status === 200 ? String((JSON.parse(cfg.body) as { compatibilityLevel?: unknown }).compatibilityLevel ?? 'NONE').toUpperCase() : 'NONE';
    if (level === 'NONE' && opts.compatibility.toUpperCase() !== 'NONE') {
      const put = await call('PUT', `/config/${subject}`, { compatibility: opts.compatibility.toUpperCase() });
      if (put.status !== 200) throw registryError(`setting compatibility of ${opts.subject}`, put);
    }
  }
  return id;
}

interface RegistryReply {
  status: number;
  body: string;
}

/** 409 (a concurrent create), 5xx and network errors are retried with backoff; other answers are returned. */
async function withRetries(attempts: number, sleep: (ms: number) => Promise<void>, what: string, fn: () => Promise<RegistryReply>): Promise<RegistryReply> {
  let last: RegistryReply | Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const reply = await fn();
      if (reply.status !== 409 && reply.status < 500) return reply;
      last = reply;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    if (attempt < attempts) await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random()));
  }
  if (last instanceof Error) {
    throw new IdresRuntimeError('SCHEMA_NOT_FOUND', `schema registry ${what} failed after ${attempts} attempts: ${last.message}`, { retriable: true, cause: last });
  }
  throw registryError(`${what} still failing after ${attempts} attempts`, last ?? { status: 0, body: '' });
}

function registryError(what: string, reply: RegistryReply): IdresRuntimeError {
  return new IdresRuntimeError('SCHEMA_NOT_FOUND', `schema registry: ${what} (HTTP ${reply.status}: ${reply.body.slice(0, 300)})`, {
    retriable: reply.status === 409 || reply.status >= 500 || reply.status === 0,
  });
}
