import type { FastifyInstance, FastifyReply } from 'fastify';
import { SCOPES } from '@idres/auth';
import type { Eraser } from './eraser';
import type { ErasureLog } from './erasureLog';
import { ErasureError } from './erasureRequest';

const ERASE = { auth: { scope: SCOPES.recordsErase } };

const statusOf = (err: ErasureError): number => ({ ERASURE_UNKNOWN: 404, ERASURE_INVALID: 400, ERASURE_TIMEOUT: 504, ERASURE_PRODUCE_FAILED: 503 })[err.code];

/**
 * The erasure API (mounted on ingest, behind `records:erase`): request an erasure (202 at once; the pipeline then
 * deletes the record), look at one (checked again on each call, so it turns done once the stores are clean), list.
 */
export function erasureRoutes(opts: { eraser: Eraser; log: ErasureLog }): (http: FastifyInstance) => Promise<void> {
  const fail = (reply: FastifyReply, err: unknown): FastifyReply => {
    if (err instanceof ErasureError) {
      if (err.retriable) void reply.header('retry-after', '1');
      return reply.code(statusOf(err)).send({ error: err.code, message: err.message });
    }
    throw err;
  };
  return async (http) => {
    http.post<{ Body: { source?: unknown; sourceRecordId?: unknown } }>('/erasures', { config: ERASE }, async (req, reply) => {
      const b = req.body ?? {};
      if (typeof b.source !== 'string' || typeof b.sourceRecordId !== 'string') {
        return reply.code(400).send({ error: 'ERASURE_INVALID', message: 'send {"source": "...", "sourceRecordId": "..."}' });
      }
      try {
        const erasure = await opts.eraser.request({ source: b.source, sourceRecordId: b.sourceRecordId });
        return reply.code(202).header('location', `/erasures/${erasure.id}`).send(erasure);
      } catch (err) {
        return fail(reply, err);
      }
    });
    http.get<{ Params: { id: string } }>('/erasures/:id', { config: ERASE }, async (req, reply) => {
      try {
        return await opts.eraser.check(req.params.id);
      } catch (err) {
        return fail(reply, err);
      }
    });
    http.get<{ Querystring: { state?: string; limit?: string } }>('/erasures', { config: ERASE }, async (req) => {
      const state = req.query.state === 'pending' || req.query.state === 'done' ? req.query.state : undefined;
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return { erasures: await opts.log.list({ limit, ...(state ? { state } : {}) }) };
    });
  };
}

const ERASURE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', example: 'ERA_0000000001' }, source: { type: 'string' }, sourceRecordId: { type: 'string' }, recordId: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'done'] }, requestedAt: { type: 'string', format: 'date-time' },
    tombstoneVersion: { type: 'integer' }, quarantineEntries: { type: 'integer' },
    completedAt: { type: 'string', format: 'date-time', nullable: true },
    valuesGoneBy: { type: 'string', format: 'date-time', nullable: true, description: 'When the last topic copy is gone at the latest (compaction lag or retention)' },
    places: { type: 'array', items: { type: 'object', properties: { place: { type: 'string' }, how: { type: 'string' }, goneBy: { type: 'string', format: 'date-time', nullable: true } } } },
  },
} as const;

export const ERASURE_OPENAPI_PATHS = {
  '/erasures': {
    post: {
      summary: 'Erase a record everywhere it can be read (scope records:erase): a tombstone on identity.raw and on its quarantine entries; done once the pipeline has removed it from Postgres and Redis',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['source', 'sourceRecordId'], properties: { source: { type: 'string' }, sourceRecordId: { type: 'string' } } } } } },
      responses: { '202': { description: 'Requested; follow it at Location', content: { 'application/json': { schema: ERASURE_SCHEMA } } }, '400': { description: 'No source or ID' }, '503': { description: 'Kafka did not acknowledge the tombstones; nothing was logged' } },
    },
    get: { summary: 'Erasure requests, newest first', parameters: [{ name: 'state', in: 'query', schema: { type: 'string', enum: ['pending', 'done'] } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { '200': { description: 'The requests' } } },
  },
  '/erasures/{id}': {
    get: { summary: 'One erasure, checked again against the stores', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'The request', content: { 'application/json': { schema: ERASURE_SCHEMA } } }, '404': { description: 'No such erasure' } } },
  },
} as const;
