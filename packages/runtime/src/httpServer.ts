import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from './metrics';

export interface HttpServerOptions {
  metrics: Metrics;
  /** Ready means connected and consuming; health only means the process answers. */
  isReady: () => boolean;
  /** Extra facts for /ready's body (e.g. which model match scores with). */
  readyDetails?: () => Record<string, unknown>;
  bodyLimit?: number;
}

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 64 * 1024 * 1024 });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const ready = opts.isReady();
    return reply.code(ready ? 200 : 503).send({ ready, ...(opts.readyDetails?.() ?? {}) });
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await opts.metrics.registry.metrics();
    return reply.header('content-type', opts.metrics.registry.contentType).send(body);
  });
  return app;
}
