import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { Redis, type RedisOptions } from 'ioredis';
import { IdresRuntimeError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;
/** Reads a file as text; tests pass a fake so that they touch no disk. */
export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, 'utf8');

/**
 * Kafka transport settings for kafkajs: TLS (with the CA that signed the brokers' certificates) and SASL.
 * Both absent = plaintext, the default of the local stack.
 */
export interface KafkaSecurity {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

/** Redis transport settings: TLS options for ioredis (the password or ACL user travels in REDIS_URL). */
export interface RedisSecurity {
  tls?: ConnectionOptions;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

function envBool(env: Env, name: string): boolean | undefined {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new IdresRuntimeError('CONFIG_INVALID', `${name} must be true or false, got "${env[name]}"`);
}

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A CA bundle (PEM) named by an env var; the error names the variable and the path, never the content. */
function readCa(env: Env, name: string, read: ReadText): string | undefined {
  const path = nonEmpty(env, name);
  if (path === undefined) return undefined;
  let pem: string;
  try {
    pem = read(path);
  } catch (err) {
    throw new IdresRuntimeError('CONFIG_INVALID', `${name}: cannot read the CA file ${path} (${err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'read failed'})`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new IdresRuntimeError('CONFIG_INVALID', `${name}: ${path} holds no PEM certificate`);
  return pem;
}

/** A secret given either inline (NAME) or as a file (NAME_FILE, e.g. a mounted Kubernetes secret); not both. */
function secret(env: Env, name: string, read: ReadText): string | undefined {
  const inline = nonEmpty(env, name);
  const file = nonEmpty(env, `${name}_FILE`);
  if (inline !== undefined && file !== undefined) throw new IdresRuntimeError('CONFIG_INVALID', `set ${name} or ${name}_FILE, not both`);
  if (file === undefined) return inline;
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new IdresRuntimeError('CONFIG_INVALID', `${name}_FILE: cannot read ${file}`, { cause: err });
  }
  const v = text.replace(/\r?\n$/, '');
  if (v === '') throw new IdresRuntimeError('CONFIG_INVALID', `${name}_FILE: ${file} is empty`);
  return v;
}

/**
 * Kafka security from the environment:
 *   KAFKA_SSL=true            TLS to the brokers (implied by KAFKA_SSL_CA_FILE); certificates are always verified
 *   KAFKA_SSL_CA_FILE=path    PEM CA bundle to trust instead of Node's default CAs
 *   KAFKA_SASL_MECHANISM      plain | scram-sha-256 | scram-sha-512 (unset = no SASL)
 *   KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE
 * SASL PLAIN without TLS is refused (the password would cross the network in clear).
 */
export function kafkaSecurityFrom(env: Env, read: ReadText = readText): KafkaSecurity {
  const ca = readCa(env, 'KAFKA_SSL_CA_FILE', read);
  const sslFlag = envBool(env, 'KAFKA_SSL');
  if (sslFlag === false && ca !== undefined) throw new IdresRuntimeError('CONFIG_INVALID', 'KAFKA_SSL_CA_FILE is set but KAFKA_SSL=false');
  const useSsl = sslFlag ?? ca !== undefined;
  const out: KafkaSecurity = {};
  if (useSsl) out.ssl = ca === undefined ? { rejectUnauthorized: true } : { ca: [ca], rejectUnauthorized: true };

  const mechanismRaw = nonEmpty(env, 'KAFKA_SASL_MECHANISM')?.toLowerCase();
  const username = nonEmpty(env, 'KAFKA_SASL_USERNAME');
  const password = secret(env, 'KAFKA_SASL_PASSWORD', read);
  if (mechanismRaw === undefined) {
    if (username !== undefined || password !== undefined) throw new IdresRuntimeError('CONFIG_INVALID', 'KAFKA_SASL_USERNAME/PASSWORD are set but KAFKA_SASL_MECHANISM is not (plain, scram-sha-256 or scram-sha-512)');
    return out;
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanismRaw)) {
    throw new IdresRuntimeError('CONFIG_INVALID', `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanismRaw}"`);
  }
  const mechanism = mechanismRaw as SaslMechanism;
  if (username === undefined) throw new IdresRuntimeError('CONFIG_INVALID', 'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME is required');
  if (password === undefined) throw new IdresRuntimeError('CONFIG_INVALID', 'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required');
  if (mechanism === 'plain' && !useSsl) throw new IdresRuntimeError('CONFIG_INVALID', 'KAFKA_SASL_MECHANISM=plain needs KAFKA_SSL=true (it sends the password in clear)');
  out.sasl = { mechanism, username, password };
  return out;
}

/**
 * Redis security from the environment:
 *   REDIS_URL=rediss://user:password@host:port   TLS (rediss) and the ACL user / password (AUTH) ride in the URL
 *   REDIS_TLS_CA_FILE=path                       PEM CA bundle to trust; only with a rediss:// URL
 */
export function redisSecurityFrom(env: Env, read: ReadText = readText): RedisSecurity {
  const url = nonEmpty(env, 'REDIS_URL') ?? 'redis://127.0.0.1:6379';
  const tlsUrl = /^rediss:\/\//i.test(url);
  const ca = readCa(env, 'REDIS_TLS_CA_FILE', read);
  if (ca !== undefined && !tlsUrl) throw new IdresRuntimeError('CONFIG_INVALID', 'REDIS_TLS_CA_FILE is set but REDIS_URL is not a rediss:// (TLS) URL');
  if (!tlsUrl) return {};
  return { tls: ca === undefined ? { rejectUnauthorized: true } : { ca: [ca], rejectUnauthorized: true } };
}

/**
 * An ioredis client for `url` with the transport settings (TLS, CA) of `security` (default: from process.env).
 * Every Redis client of the services, the CLI and the tests is made here, so all of them work in both modes.
 */
export function createRedis(url: string, options: RedisOptions = {}, security: RedisSecurity = redisSecurityFrom({ ...process.env, REDIS_URL: url })): Redis {
  return new Redis(url, { ...options, ...(security.tls ? { tls: security.tls } : {}) });
}
