import { IdresRuntimeError } from './errors';
import { kafkaSecurityFrom, redisSecurityFrom, type KafkaSecurity, type RedisSecurity } from './transportSecurity';

type Env = Readonly<Record<string, string | undefined>>;

/** Settings every service shares; each main.ts reads these once and passes them down explicitly. */
export interface BaseConfig {
  serviceName: string;
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  redisUrl: string;
  /** TLS / SASL to Kafka (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*); empty = plaintext. */
  kafkaSecurity: KafkaSecurity;
  /** TLS to Redis (a rediss:// REDIS_URL, REDIS_TLS_CA_FILE); empty = plaintext. Postgres TLS rides in DATABASE_URL (sslmode, sslrootcert). */
  redisSecurity: RedisSecurity;
  httpHost: string;
  httpPort: number;
  logLevel: string;
  partitions: number;
  batchSize: number;
  partitionsConsumedConcurrently: number;
  groupPrefix: string;
  /** Kafka consumer session timeout: how long a crashed instance's partitions wait before the group moves them. */
  sessionTimeoutMs: number;
}

export function envString(env: Env, name: string, fallback?: string): string {
  const v = env[name];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  throw new IdresRuntimeError('CONFIG_INVALID', `environment variable ${name} is required`);
}

export function envInt(env: Env, name: string, fallback: number, min = 0): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new IdresRuntimeError('CONFIG_INVALID', `${name} must be an integer >= ${min}, got "${v}"`);
  }
  return n;
}

export function envFloat(env: Env, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new IdresRuntimeError('CONFIG_INVALID', `${name} must be a number, got "${v}"`);
  return n;
}

export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  ingest: 7101,
  standardize: 7102,
  block: 7103,
  match: 7104,
  resolve: 7105,
  publish: 7106,
  households: 7107,
  console: 7108,
  sources: 7109,
};

/** The order of the services' ports above DEFAULT_PORTS' base (ingest = base + 1 ... publish = base + 6, households = base + 7, console + 8, sources + 9). */
const SERVICE_PORT_ORDER = ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish', 'households', 'console', 'sources'] as const;

/**
 * The HTTP port of each service: DEFAULT_PORTS, or with IDRES_SERVICE_PORT_BASE=B, ingest B+1 ... publish B+6, households B+7, console B+8, sources B+9
 * (a second stack on one machine). Services, the supervisor and the CLI all read it from here.
 */
export function servicePorts(env: Env): Readonly<Record<string, number>> {
  const base = envInt(env, 'IDRES_SERVICE_PORT_BASE', -1, 1);
  if (base < 0) return DEFAULT_PORTS;
  if (base + SERVICE_PORT_ORDER.length > 65535) throw new IdresRuntimeError('CONFIG_INVALID', `IDRES_SERVICE_PORT_BASE must leave room for ${SERVICE_PORT_ORDER.length} ports below 65536, got ${base}`);
  return Object.fromEntries(SERVICE_PORT_ORDER.map((name, i) => [name, base + i + 1]));
}

export function readBaseConfig(env: Env, serviceName: string): BaseConfig {
  return {
    serviceName,
    kafkaBrokers: envString(env, 'KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((s) => s.trim()).filter(Boolean),
    schemaRegistryUrl: envString(env, 'SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7'),
    databaseUrl: envString(env, 'DATABASE_URL', 'postgres://idres:idres@127.0.0.1:5432/idres'),
    redisUrl: envString(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
    kafkaSecurity: kafkaSecurityFrom(env),
    redisSecurity: redisSecurityFrom(env),
    httpHost: envString(env, 'HTTP_HOST', '127.0.0.1'),
    httpPort: envInt(env, 'HTTP_PORT', servicePorts(env)[serviceName] ?? 7100),
    logLevel: envString(env, 'LOG_LEVEL', 'info'),
    partitions: envInt(env, 'IDRES_PARTITIONS', 6, 1),
    batchSize: envInt(env, 'IDRES_BATCH_SIZE', 1000, 1),
    partitionsConsumedConcurrently: envInt(env, 'IDRES_PARTITIONS_CONCURRENTLY', 3, 1),
    groupPrefix: envString(env, 'IDRES_GROUP_PREFIX', 'idres'),
    sessionTimeoutMs: envInt(env, 'IDRES_KAFKA_SESSION_TIMEOUT_MS', 30_000, 6_000),
  };
}
