import { StringDecoder } from 'node:string_decoder';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateInputRecord, type InputRecord } from '@idres/core/inputRecord';
import { RawRecordProducer, errorMessage, type AvroSerde, type Logger, type Metrics, type ServiceApp } from '@idres/runtime';
import type { Message, Producer } from 'kafkajs';
import { Counter } from 'prom-client';
import { SCOPES } from '@idres/auth';
import { OPENAPI_DOCUMENT } from './openapi';

export interface IngestDeps {
  producer: Producer;
  serde: AvroSerde;
  metrics: Metrics;
  maxRecordsPerRequest: number;
  /** Requests to /records (POST and DELETE) being read, validated or produced at once; more are answered 503. */
  maxInflightRequests?: number;
  /** Largest request body in bytes (413 beyond). */
  bodyLimit?: number;
  /** Seconds a 503 asks the client to wait (Retry-After). */
  retryAfterSeconds?: number;
  logger?: Logger;
  /** The job API and its runner (packages/jobs), when main.ts wires them: routes, their OpenAPI, start/stop. */
  jobs?: {
    routes: (http: FastifyInstance) => Promise<void>;
    openapi: { paths: Record<string, unknown>; components: Record<string, unknown> };
    start: () => void;
    stop: () => Promise<void>;
  };
  /** The erasure API (packages/erasure), when main.ts wires it. */
  erasure?: {
    routes: (http: FastifyInstance) => Promise<void>;
    openapi: { paths: Record<string, unknown> };
  };
}

export type RecordStatus = 'accepted' | 'rejected' | 'unavailable';
export interface RecordAnswer { index: number; status: RecordStatus; recordId?: string; code?: string; reason?: string }
export interface RecordsAnswer { accepted: number; rejected: number; unavailable?: number; results: RecordAnswer[] }

export const DEFAULT_MAX_INFLIGHT_REQUESTS = 32;
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** A request-level refusal with a stable code; its message never quotes the body. */
class HttpRefusal extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'HttpRefusal';
  }
}

/**
 * JSON bodies must be valid UTF-8: a decoder would otherwise replace bad bytes by U+FFFD and the record would be
 * stored corrupted without anyone being told. The parse error names the byte position, never the text around it.
 */
function parseJsonBody(body: Buffer): unknown {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    // Find the first bad byte for the message (StringDecoder writes U+FFFD where it is).
    const replaced = new StringDecoder('utf8').write(body);
    const at = Buffer.byteLength(replaced.slice(0, Math.max(0, replaced.indexOf('\uFFFD'))), 'utf8');
    throw new HttpRefusal(400, 'BODY_NOT_UTF8', `body is not valid UTF-8 (first bad byte near offset ${at})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec(errorMessage(err))?.[1];
    throw new HttpRefusal(400, 'BODY_INVALID_JSON', `body is not valid JSON${pos ? ` (at character ${pos})` : ''}`);
  }
}

/**
 * HTTP ingestion: POST /records takes a JSON array and answers per record; valid records are produced to
 * identity.raw before the response (so "accepted" means the broker has them), invalid ones are refused with a code
 * and a reason naming the field, never its value. DELETE /records/:source/:id produces a tombstone.
 * Back-pressure: at most maxInflightRequests requests are read and produced at once; beyond that, and when Kafka
 * does not take the records, the answer is 503 with Retry-After, so memory stays bounded and nothing is dropped
 * (records not marked accepted are not in; a retry of the same records is idempotent).
 */
export function buildIngestApp(deps: IngestDeps): ServiceApp {
  const out = new RawRecordProducer(deps.producer, deps.serde);
  const maxInflight = deps.maxInflightRequests ?? DEFAULT_MAX_INFLIGHT_REQUESTS;
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const retryAfter = String(deps.retryAfterSeconds ?? 1);
  const refused = new Counter({ name: 'idres_ingest_refused_total', help: 'Records or requests ingest refused, by code', labelNames: ['code'], registers: [deps.metrics.registry] });
  const overloaded = new Counter({ name: 'idres_ingest_overloaded_total', help: 'Requests answered 503 because too many were in flight or Kafka did not take them', registers: [deps.metrics.registry] });
  let inflight = 0;
  let ready = false;

  const sendError = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply => {
    refused.inc({ code });
    if (status === 503) {
      overloaded.inc();
      void reply.header('retry-after', retryAfter);
    }
    return reply.code(status).send({ error: code, message });
  };

  const postRecords = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const body = req.body;
    if (!Array.isArray(body)) return sendError(reply, 400, 'BODY_INVALID', 'body must be a JSON array of records');
    if (body.length > deps.maxRecordsPerRequest) return sendError(reply, 413, 'TOO_MANY_RECORDS', `at most ${deps.maxRecordsPerRequest} records per request, got ${body.length}`);
    const results: RecordAnswer[] = new Array<RecordAnswer>(body.length);
    const firstIndex = new Map<string, number>();
    const toSend: Array<{ index: number; message: Message; bytes: number }> = [];
    for (let i = 0; i < body.length; i++) {
      const r = validateInputRecord(body[i]);
      if ('error' in r) {
        results[i] = { index: i, status: 'rejected', code: r.code, reason: r.error };
        continue;
      }
      const rec: InputRecord = r.ok;
      const recordId = `${rec.source}:${rec.sourceRecordId}`;
      const first = firstIndex.get(recordId);
      if (first !== undefined) {
        // Two versions of one record in one request: which one should win is the sender's call, not ours.
        results[i] = { index: i, status: 'rejected', recordId, code: 'DUPLICATE_ID', reason: `source and sourceRecordId repeat record ${first} of this request` };
        continue;
      }
      firstIndex.set(recordId, i);
      const encoded = out.encode(rec);
      if ('code' in encoded) {
        results[i] = { index: i, status: 'rejected', recordId, code: encoded.code, reason: encoded.reason };
        continue;
      }
      toSend.push({ index: i, ...encoded });
      results[i] = { index: i, status: 'accepted', recordId };
    }
    const { sent, error } = await out.sendEncoded(toSend);
    deps.metrics.messagesOut.inc({ topic: 'identity.raw' }, sent);
    for (const r of results) if (r.status === 'rejected') refused.inc({ code: r.code ?? 'REJECTED' });
    let unavailable = 0;
    if (error !== undefined) {
      // The ones not acknowledged are marked so; the client retries them (or the whole request: it is idempotent).
      for (const t of toSend.slice(sent)) {
        results[t.index] = { index: t.index, status: 'unavailable', recordId: results[t.index]!.recordId!, code: 'KAFKA_UNAVAILABLE', reason: 'identity.raw did not acknowledge the record; retry it' };
        unavailable++;
      }
      deps.logger?.warn({ err: errorMessage(error), sent, unavailable }, 'produce to identity.raw failed; answering 503');
    }
    const accepted = sent;
    const rejected = results.length - accepted - unavailable;
    const answer: RecordsAnswer = { accepted, rejected, ...(unavailable > 0 ? { unavailable } : {}), results };
    if (unavailable > 0) {
      overloaded.inc();
      return reply.code(503).header('retry-after', retryAfter).send(answer);
    }
    return reply.code(rejected === 0 ? 200 : accepted === 0 ? 400 : 207).send(answer);
  };

  const scope = async (http: FastifyInstance): Promise<void> => {
    http.removeAllContentTypeParsers();
    http.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
      try {
        done(null, parseJsonBody(body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    // Checked before the body is read: a request over the bound costs nothing but its answer.
    http.addHook('onRequest', async (req, reply) => {
      if (inflight >= maxInflight) {
        await sendError(reply, 503, 'OVERLOADED', `more than ${maxInflight} requests in flight; retry after ${retryAfter} s`);
        return reply;
      }
      inflight++;
      reply.raw.once('close', () => { inflight--; });
      void req;
      return undefined;
    });
    http.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, _req, reply) => {
      if (err instanceof HttpRefusal) return sendError(reply, err.statusCode, err.code, err.message);
      const status = err.statusCode ?? 500;
      if (status < 500) {
        // Fastify's own refusals (too large, wrong content type, empty body): their messages quote no body text.
        const code = status === 413 ? 'BODY_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : err.code ?? 'BAD_REQUEST';
        const message = status === 413 ? `body is over the ${bodyLimit}-byte limit` : status === 415 ? 'Content-Type must be application/json' : err.message;
        return sendError(reply, status, code, message);
      }
      deps.logger?.error({ err: errorMessage(err) }, 'ingest request failed');
      return sendError(reply, 503, 'UNAVAILABLE', 'ingest could not process the request; retry it');
    });
    // Both need records:write when auth is on (@idres/auth, mounted by main.ts).
    const write = { auth: { scope: SCOPES.recordsWrite } };
    http.post('/records', { bodyLimit, config: write }, postRecords);
    http.delete<{ Params: { source: string; id: string } }>('/records/:source/:id', { config: write }, async (req, reply) => {
      const check = validateInputRecord({ source: req.params.source, sourceRecordId: req.params.id, family_name: 'x' });
      if ('error' in check) return sendError(reply, 400, check.code, check.error);
      try {
        await out.delete([{ source: check.ok.source, sourceRecordId: check.ok.sourceRecordId }]);
      } catch (err) {
        deps.logger?.warn({ err: errorMessage(err) }, 'tombstone produce failed; answering 503');
        return sendError(reply, 503, 'KAFKA_UNAVAILABLE', 'identity.raw did not acknowledge the delete; retry it');
      }
      return reply.code(202).send({ deleted: `${check.ok.source}:${check.ok.sourceRecordId}` });
    });
  };

  const jobs = deps.jobs;
  const erasure = deps.erasure;
  const paths = { ...OPENAPI_DOCUMENT.paths, ...jobs?.openapi.paths, ...erasure?.openapi.paths };
  const openapi = { ...OPENAPI_DOCUMENT, paths, ...(jobs ? { components: jobs.openapi.components } : {}) };
  return {
    start: async () => {
      jobs?.start();
      ready = true;
    },
    stop: async () => {
      ready = false;
      await jobs?.stop();
    },
    isReady: () => ready,
    routes: (http) => {
      http.get('/openapi.json', { config: { auth: 'public' } }, async () => openapi);
      void http.register(scope);
      // Its own scope: the job API keeps Fastify's JSON parsing and adds streamed uploads.
      if (jobs) void http.register(jobs.routes);
      if (erasure) void http.register(erasure.routes);
    },
  };
}
