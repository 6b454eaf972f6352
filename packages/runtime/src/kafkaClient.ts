import { Kafka, Partitioners, logLevel as KafkaLogLevel, type Producer, type LogEntry } from 'kafkajs';
import type { Logger } from './logger';
import { kafkaSecurityFrom, type KafkaSecurity } from './transportSecurity';

/**
 * The one place a kafkajs client is made. `security` (TLS, SASL) defaults to what the environment says
 * (kafkaSecurityFrom(process.env)), so the services, the CLI and the tests all follow KAFKA_SSL / KAFKA_SASL_*.
 */
export function createKafka(opts: { clientId: string; brokers: string[]; logger: Logger; retries?: number; security?: KafkaSecurity }): Kafka {
  const security = opts.security ?? kafkaSecurityFrom(process.env);
  const toPino = (level: number): 'error' | 'warn' | 'info' | 'debug' =>
    level <= KafkaLogLevel.ERROR ? 'error' : level === KafkaLogLevel.WARN ? 'warn' : level === KafkaLogLevel.INFO ? 'info' : 'debug';
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...(security.ssl ? { ssl: security.ssl } : {}),
    ...(security.sasl ? { sasl: security.sasl } : {}),
    logLevel: KafkaLogLevel.WARN,
    retry: { initialRetryTime: 200, retries: opts.retries ?? 8 },
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      opts.logger[toPino(entry.level)]({ kafka: entry.namespace, ...extra }, message);
    },
  });
}

/** acks=all producer with the Java-compatible partitioner, so keys land where other Kafka clients would put them. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
}
