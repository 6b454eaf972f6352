import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { AvroSerde, TOPIC_SPECS, createHttpServer, createKafka, createLogger, createMetrics, createProducer, ensureTopics, readBaseConfig } from '@idres/runtime';
import type { Kafka, Producer } from 'kafkajs';
import { buildIngestApp, type IngestDeps } from '../../services/ingest/src/app';

/** The real ingest app on a free loopback port against the real stack; its log lines are kept for inspection. */
export interface IngestServer {
  url: string;
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  http: FastifyInstance;
  logLines: string[];
  close: () => Promise<void>;
}

export async function startIngest(opts: Partial<Pick<IngestDeps, 'maxRecordsPerRequest' | 'maxInflightRequests' | 'bodyLimit' | 'retryAfterSeconds'>> = {}): Promise<IngestServer> {
  const config = readBaseConfig(process.env, 'ingest-test');
  const kafka = createKafka({ clientId: 'idres-test-ingest', brokers: config.kafkaBrokers, logger: createLogger('test', 'error') });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config.partitions);
  await admin.disconnect();
  const serde = AvroSerde.connect(config.schemaRegistryUrl);
  await serde.registerTopics(TOPIC_SPECS);
  const producer = createProducer(kafka);
  await producer.connect();
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { logLines.push(chunk.toString()); cb(); } });
  const logger = pino({ level: 'debug' }, sink);
  const metrics = createMetrics('ingest-test');
  const app = buildIngestApp({ producer, serde, metrics, logger, maxRecordsPerRequest: opts.maxRecordsPerRequest ?? 10_000, ...opts });
  const http = createHttpServer({ metrics, isReady: () => app.isReady() });
  app.routes?.(http);
  await app.start();
  await http.listen({ host: '127.0.0.1', port: 0 });
  const port = (http.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, kafka, producer, serde, http, logLines,
    close: async () => {
      await app.stop();
      await http.close();
      await producer.disconnect();
    },
  };
}
