import { IdresRuntimeError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/** Settings every service shares; each main.ts reads these once and passes them down explicitly. */
export interface BaseConfig {
  serviceName: string;
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  redisUrl: string;
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
  console: 7108,
};

/** The order of the services' ports above DEFAULT_PORTS' base (ingest = base + 1 ... publish = base + 6). */
const SERVICE_PORT_ORDER = ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish'] as const;
/** Ports past the pipeline's: the web console at base + 8 (7108 by default). */
const EXTRA_PORT_OFFSETS: Readonly<Record<string, number>> = { console: 8 };

/**
 * The HTTP port of each service: DEFAULT_PORTS, or with IDRES_SERVICE_PORT_BASE=B, ingest B+1 ... publish B+6
 * (a second stack on one machine). Services, the supervisor and the CLI all read it from here.
 */
export function servicePorts(env: Env): Readonly<Record<string, number>> {
  const base = envInt(env, 'IDRES_SERVICE_PORT_BASE', -1, 1);
  if (base < 0) return DEFAULT_PORTS;
  const top = Math.max(SERVICE_PORT_ORDER.length, ...Object.values(EXTRA_PORT_OFFSETS));
  if (base + top > 65535) throw new IdresRuntimeError('CONFIG_INVALID', `IDRES_SERVICE_PORT_BASE must leave room for ${top} ports below 65536, got ${base}`);
  return { ...Object.fromEntries(SERVICE_PORT_ORDER.map((name, i) => [name, base + i + 1])), ...Object.fromEntries(Object.entries(EXTRA_PORT_OFFSETS).map(([name, off]) => [name, base + off])) };
}

export function readBaseConfig(env: Env, serviceName: string): BaseConfig {
  return {
    serviceName,
    kafkaBrokers: envString(env, 'KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((s) => s.trim()).filter(Boolean),
    schemaRegistryUrl: envString(env, 'SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7'),
    databaseUrl: envString(env, 'DATABASE_URL', 'postgres://idres:idres@127.0.0.1:5432/idres'),
    redisUrl: envString(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
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
