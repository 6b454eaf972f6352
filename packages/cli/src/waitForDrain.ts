import { AvroSerde, createKafka, createLogger, kafkaSecurityFrom } from '@idres/runtime';
import { CliError } from './cliError';
import { PipelineWatcher } from './pipelineWatcher';

/** Waits until every stage's consumer group has caught up with its input topic (twice in a row). */
export async function waitForDrain(env: Record<string, string>, log: (msg: string) => void, timeoutMs = 3_600_000): Promise<void> {
  const logger = createLogger('idres-cli', 'warn');
  const kafka = createKafka({ clientId: 'idres-cli', brokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), logger, security: kafkaSecurityFrom(env) });
  const serde = AvroSerde.connect(env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
  const watcher = new PipelineWatcher(kafka, serde, env['IDRES_GROUP_PREFIX'] ?? 'idres');
  await watcher.start();
  try {
    const { settled, progress } = await watcher.waitUntilSettled([], { timeoutMs, pollMs: 1000, onProgress: (p) => log(`  pipeline lag ${p.lag}`) });
    if (!settled) throw new CliError('TIMEOUT', `pipeline still has lag ${progress.lag} after ${timeoutMs / 1000}s`, 3);
  } finally {
    await watcher.stop();
  }
}
