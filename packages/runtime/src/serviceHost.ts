import type { FastifyInstance } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import { AvroSerde } from './avroSerde';
import type { BaseConfig } from './config';
import { createHttpServer } from './httpServer';
import { createKafka, createProducer } from './kafkaClient';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { TOPIC_SPECS, ensureTopics } from './topics';
import { startTracing } from './tracing';

/** The clients every service process holds. Built only by main.ts files (and tests), then passed down explicitly. */
export interface ServiceContext {
  config: BaseConfig;
  logger: Logger;
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  metrics: Metrics;
  close: () => Promise<void>;
}

/** What a service's app.ts builds: something that starts, stops gracefully, and may add HTTP routes. */
export interface ServiceApp {
  start(): Promise<void>;
  stop(): Promise<void>;
  isReady(): boolean;
  /** Shown in /ready's body beside `ready`. */
  readyDetails?(): Record<string, unknown>;
  routes?(http: FastifyInstance): void;
}

export async function openServiceContext(config: BaseConfig, env: Readonly<Record<string, string | undefined>>): Promise<ServiceContext> {
  const tracing = startTracing(config.serviceName, env);
  const logger = createLogger(config.serviceName, config.logLevel);
  const kafka = createKafka({ clientId: `idres-${config.serviceName}`, brokers: config.kafkaBrokers, logger, security: config.kafkaSecurity });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, config.partitions);
  } finally {
    await admin.disconnect();
  }
  const serde = AvroSerde.connect(config.schemaRegistryUrl);
  await serde.registerTopics(TOPIC_SPECS);
  const producer = createProducer(kafka);
  await producer.connect();
  const metrics = createMetrics(config.serviceName);
  return {
    config,
    logger,
    kafka,
    producer,
    serde,
    metrics,
    close: async () => {
      await producer.disconnect();
      await tracing.shutdown();
    },
  };
}

/**
 * Serves /health, /ready, /metrics (and the app's routes), starts the app, and on SIGTERM/SIGINT stops it
 * (the batch in hand is finished and committed), then closes clients. Resolves when the process may exit.
 */
export async function hostService(ctx: ServiceContext, app: ServiceApp, closers: Array<() => Promise<void>> = []): Promise<void> {
  const http = createHttpServer({ metrics: ctx.metrics, isReady: () => app.isReady(), readyDetails: () => app.readyDetails?.() ?? {} });
  app.routes?.(http);
  await http.listen({ host: ctx.config.httpHost, port: ctx.config.httpPort });
  ctx.logger.info({ url: `http://${ctx.config.httpHost}:${ctx.config.httpPort}` }, 'listening');
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      ctx.logger.info({ signal }, 'stopping');
      await app.stop();
      await http.close();
      for (const close of closers) await close();
      await ctx.close();
      ctx.logger.info('stopped');
    })();
    return stopping;
  };
  const done = new Promise<void>((resolve, reject) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        stop(sig).then(resolve, reject);
      });
    }
  });
  try {
    await app.start();
    ctx.logger.info('started');
  } catch (err) {
    // A signal during start-up stops the app half-way; that is a shutdown, not a failure.
    if (stopping === undefined) throw err;
  }
  await done;
}

/** What an app.ts needs to build consumer runners; tests build it from their own clients. */
export type RunnerDeps = Pick<ServiceContext, 'kafka' | 'producer' | 'serde' | 'logger' | 'metrics'> & {
  groupPrefix: string;
  batchSize: number;
  partitionsConsumedConcurrently: number;
  /** Kafka session timeout (default 30 s). */
  sessionTimeoutMs?: number;
};

export function runnerDeps(ctx: ServiceContext): RunnerDeps {
  return {
    kafka: ctx.kafka,
    producer: ctx.producer,
    serde: ctx.serde,
    logger: ctx.logger,
    metrics: ctx.metrics,
    groupPrefix: ctx.config.groupPrefix,
    batchSize: ctx.config.batchSize,
    partitionsConsumedConcurrently: ctx.config.partitionsConsumedConcurrently,
    sessionTimeoutMs: ctx.config.sessionTimeoutMs,
  };
}
