import { parseArgs } from 'node:util';
import pg from 'pg';
import { AvroSerde, TOPIC_SPECS, createKafka, createRedis, createLogger, createProducer, readBaseConfig } from '@idres/runtime';
import { ErasureError, Eraser, KafkaErasureTopics, PgErasureLog, PgRedisRecordStores, type ErasureRequest } from '@idres/erasure';
import { CliError } from './cliError';
import { stackConfigured, stackEnv } from './stackControl';

export const ERASE_USAGE = `  idres erase --source S --id I [--timeout SECONDS] [--no-wait] [--json]
      Erases one record everywhere it can be read: a tombstone on identity.raw (compacted) and on its quarantine
      entries; the pipeline then removes it from Redis, Postgres, its golden record and household. Waits (default
      300 s) until the stores are seen without it, then lists each place and when its last topic copy is gone.
  idres erase status ERA_... | list
`;

const iso = (d: Date | null): string => (d ? d.toISOString() : 'now');

export function formatErasure(e: ErasureRequest): string {
  const lines = [`${e.id}  ${e.state}  ${e.recordId}  requested ${e.requestedAt.toISOString()}${e.completedAt ? `, pipeline done ${e.completedAt.toISOString()}` : ''}`];
  if (e.quarantineEntries > 0) lines.push(`  ${e.quarantineEntries} quarantine entr${e.quarantineEntries === 1 ? 'y' : 'ies'} tombstoned`);
  for (const p of e.places) lines.push(`  ${p.place.padEnd(30)} ${p.goneBy ? `gone by ${iso(p.goneBy)}` : 'gone'}  (${p.how})`);
  if (e.valuesGoneBy) lines.push(`  every copy gone by ${e.valuesGoneBy.toISOString()} (exports and files written before the erasure are not touched)`);
  return lines.join('\n') + '\n';
}

/** `idres erase ...`: talks to Kafka, Postgres and Redis directly, like `idres resolve`. */
export async function eraseCommand(argv: readonly string[], env0: NodeJS.ProcessEnv, log: (m: string) => void): Promise<void> {
  const env = (stackConfigured(env0) ? env0 : { ...stackEnv(), ...env0 }) as Record<string, string>;
  const cfg = readBaseConfig(env, 'cli');
  const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: 2 });
  const erasureLog = new PgErasureLog(pool);
  const [sub, arg] = argv;
  try {
    if (sub === 'list') {
      const all = await erasureLog.list({ limit: 100 });
      process.stdout.write(all.length === 0 ? 'no erasures\n' : all.map((e) => `${e.id}  ${e.state.padEnd(7)}  ${e.requestedAt.toISOString()}  ${e.recordId}`).join('\n') + '\n');
      return;
    }
    const { values } = parseArgs({ args: sub === 'status' ? [] : [...argv], options: { source: { type: 'string' }, id: { type: 'string' }, timeout: { type: 'string', default: '300' }, 'no-wait': { type: 'boolean' }, json: { type: 'boolean' } } });
    if (sub !== 'status' && (!values.source || !values.id)) throw new CliError('USAGE', `erase needs --source and --id\n\n${ERASE_USAGE}`);
    const logger = createLogger('cli', env['LOG_LEVEL'] ?? 'warn');
    const kafka = createKafka({ clientId: 'idres-erase', brokers: cfg.kafkaBrokers, logger, security: cfg.kafkaSecurity });
    const producer = createProducer(kafka);
    const redis = createRedis(cfg.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 }, cfg.redisSecurity);
    const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
    try {
      await serde.registerTopics(TOPIC_SPECS);
      await producer.connect();
      await redis.connect();
      const eraser = new Eraser({ log: erasureLog, topics: new KafkaErasureTopics({ kafka, producer, serde }), stores: new PgRedisRecordStores(pool, redis) });
      let e: ErasureRequest;
      if (sub === 'status') {
        if (!arg) throw new CliError('USAGE', 'usage: idres erase status ERA_...');
        e = await eraser.check(arg);
      } else {
        e = await eraser.request({ source: values.source!, sourceRecordId: values.id! });
        log(`erasure ${e.id} requested for ${e.recordId}${e.quarantineEntries ? ` (${e.quarantineEntries} quarantine entries tombstoned)` : ''}`);
        if (!values['no-wait']) e = await eraser.waitUntilDone(e.id, { timeoutMs: Number(values.timeout) * 1000 });
      }
      process.stdout.write(values.json ? JSON.stringify(e) + '\n' : formatErasure(e));
    } finally {
      await producer.disconnect().catch(() => undefined);
      redis.disconnect();
    }
  } catch (err) {
    throw err instanceof ErasureError ? new CliError(err.code, err.message) : err;
  } finally {
    await pool.end();
  }
}
