import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { freePort } from './freePort';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { masterIdOf } from '@idres/core/masterId';
import { createKafka, createLogger, createRedis, kafkaSecurityFrom, redisSecurityFrom, type KafkaSecurity, type RedisSecurity } from '@idres/runtime';
import { PipelineHarness } from './pipelineHarness';

/*
 * Issue 16 (transport): a SECOND local stack, in secure mode (IDRES_SECURE=1: a local CA, Kafka SASL_SSL with
 * SCRAM-SHA-512, Postgres TLS-only, Redis TLS with an ACL user), in its own dir and on its own ports (the default
 * stack's + IDRES_SECURE_TEST_PORT_OFFSET, default 20000). This file starts it, shows that each server refuses
 * plaintext, unauthenticated and unverified clients, then runs the whole pipeline through it with every client
 * configured from `stack.sh env` alone, and stops it at the end (its data dir stays, so the next run starts faster).
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STACK_SCRIPT = path.join(REPO_ROOT, 'scripts', 'stack.sh');
const DEFAULT_STACK_DIR = process.env['IDRES_STACK_DIR'] || path.join(REPO_ROOT, '.stack');
const SECURE_DIR = process.env['IDRES_SECURE_TEST_STACK_DIR'] || path.join(DEFAULT_STACK_DIR, 'secure-test');
// Below 32768: Linux hands out 32768-60999 as ephemeral ports, and a client socket holding 39092 once kept this
// stack's Kafka from binding (+30000 did).
const OFFSET = Number(process.env['IDRES_SECURE_TEST_PORT_OFFSET'] ?? 20000);
const stackVars: Record<string, string> = {
  IDRES_SECURE: '1',
  IDRES_STACK_DIR: SECURE_DIR,
  IDRES_KAFKA_PORT: String(9092 + OFFSET),
  IDRES_KAFKA_CONTROLLER_PORT: String(9093 + OFFSET),
  IDRES_REGISTRY_PORT: String(8081 + OFFSET),
  IDRES_PG_PORT: String(5432 + OFFSET),
  IDRES_REDIS_PORT: String(6379 + OFFSET),
  IDRES_CONNECT_PORT: String(8083 + OFFSET),
};
const stackEnv = { ...process.env, ...stackVars };

/** What `stack.sh env` prints for the secure stack, as a map. */
function secureEnv(): Record<string, string> {
  const res = spawnSync('bash', [STACK_SCRIPT, 'env'], { env: stackEnv, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const env: Record<string, string> = {};
  for (const line of res.stdout.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  }
  return env;
}

const dataset = loadLabelledDataset('febrl_dataset1');
const RECORDS = dataset.records.slice(0, 300);
const SOURCE = 'secure';
let env: Record<string, string> = {};
let h: PipelineHarness | undefined;
let ingest: ChildProcess | undefined;
const t0 = Date.now();

before(async () => {
  // Reuse the default stack's downloads (Kafka and Apicurio jars) instead of fetching them again.
  mkdirSync(SECURE_DIR, { recursive: true });
  const cache = path.join(DEFAULT_STACK_DIR, 'cache');
  if (!existsSync(path.join(SECURE_DIR, 'cache')) && existsSync(cache)) execFileSync('cp', ['-al', cache, path.join(SECURE_DIR, 'cache')]);
  const up = spawnSync('bash', [STACK_SCRIPT, 'up'], { env: stackEnv, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  assert.equal(up.status, 0, 'IDRES_SECURE=1 scripts/stack.sh up failed (see above)');
  env = secureEnv();
  // This process's clients (harness, reset, watcher) read process.env: from here on it is the secure stack's.
  for (const k of ['KAFKA_CONNECT_URL', 'KAFKA_SASL_PASSWORD']) delete process.env[k];
  Object.assign(process.env, env);
  console.log(JSON.stringify({ test: 'secure_stack_up', seconds: Math.round((Date.now() - t0) / 1000) }));
});

after(async () => {
  ingest?.kill('SIGTERM');
  await h?.stop();
  if (process.env['IDRES_SECURE_TEST_KEEP_STACK'] !== '1') {
    const down = spawnSync('bash', [STACK_SCRIPT, 'down'], { env: stackEnv, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    assert.equal(down.status, 0, 'scripts/stack.sh down of the secure stack failed');
  }
  console.log(JSON.stringify({ test: 'secure_transport_total', seconds: Math.round((Date.now() - t0) / 1000) }));
});

test('stack.sh env of the secure stack names TLS, SASL/SCRAM and verified CAs for every client', () => {
  assert.equal(env['KAFKA_SSL'], 'true');
  assert.equal(env['KAFKA_SASL_MECHANISM'], 'scram-sha-512');
  assert.ok(env['KAFKA_SSL_CA_FILE'] && existsSync(env['KAFKA_SSL_CA_FILE']));
  assert.match(readFileSync(env['KAFKA_SASL_PASSWORD_FILE']!, 'utf8'), /^[A-Za-z0-9]{32}$/);
  assert.match(env['DATABASE_URL']!, /\?sslmode=verify-full&sslrootcert=\//);
  assert.match(env['REDIS_URL']!, /^rediss:\/\/idres:[A-Za-z0-9]{32}@127\.0\.0\.1:\d+$/);
  assert.ok(env['REDIS_TLS_CA_FILE']);
  // A mode switch of this dir is refused, not silently mixed.
  const plain = spawnSync('bash', [STACK_SCRIPT, 'env'], { env: { ...stackEnv, IDRES_SECURE: '0' }, encoding: 'utf8' });
  assert.notEqual(plain.status, 0);
  assert.match(plain.stderr, /made in secure mode and IDRES_SECURE asks for plain/);
});

/** kafkajs admin connect + listTopics with the given security; resolves to the error, or undefined when it worked. */
async function kafkaAttempt(security: KafkaSecurity): Promise<Error | undefined> {
  const kafka = createKafka({ clientId: 'idres-secure-test', brokers: env['KAFKA_BROKERS']!.split(','), logger: createLogger('test', 'fatal'), retries: 0, security });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await Promise.race([
      (async () => { await admin.connect(); await admin.listTopics(); })(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('kafka attempt timed out')), 20_000)),
    ]);
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

test('Kafka: only SASL/SCRAM over verified TLS gets in', { timeout: 120_000 }, async () => {
  const good = kafkaSecurityFrom(env);
  assert.ok(good.ssl && good.sasl);
  // The positive control: the settings from the env work (so the refusals below are about security, not reachability).
  assert.equal((await kafkaAttempt(good))?.message, undefined, 'the env\'s Kafka settings must connect');
  const refused: Array<[string, KafkaSecurity]> = [
    ['plaintext', {}],
    ['TLS without SASL', { ssl: good.ssl! }],
    ['SASL without TLS', { sasl: good.sasl! }],
    ['a wrong password', { ssl: good.ssl!, sasl: { mechanism: 'scram-sha-512', username: 'idres', password: 'wrong-password' } }],
    ['a client that does not trust the stack CA', { ssl: { rejectUnauthorized: true }, sasl: good.sasl! }],
  ];
  for (const [what, security] of refused) {
    const err = await kafkaAttempt(security);
    assert.ok(err, `Kafka accepted ${what}`);
    if (what === 'a wrong password') assert.match(err.message, /SASL SCRAM SHA512 authentication failed|Authentication failed/i);
    if (what === 'a client that does not trust the stack CA') assert.match(`${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`, /self[- ]signed|unable to (get|verify)|certificate/i);
  }
});

async function pgAttempt(config: pg.ClientConfig): Promise<Error | undefined> {
  const c = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await c.end().catch(() => undefined);
  }
}

test('Postgres: only verified TLS with the password gets in; plaintext is rejected by pg_hba', { timeout: 60_000 }, async () => {
  const url = env['DATABASE_URL']!;
  assert.equal((await pgAttempt({ connectionString: url }))?.message, undefined, 'the env\'s DATABASE_URL must connect');
  const u = new URL(url);
  const bare = `${u.protocol}//${u.username}:${u.password}@${u.host}${u.pathname}`;
  const plain = await pgAttempt({ connectionString: bare, ssl: false });
  assert.ok(plain, 'Postgres accepted a plaintext connection');
  assert.match(plain.message, /pg_hba\.conf rejects connection .* no encryption/);
  const untrusted = await pgAttempt({ connectionString: bare, ssl: { rejectUnauthorized: true } });
  assert.ok(untrusted, 'Postgres was accepted by a client that does not trust the stack CA');
  assert.match(untrusted.message, /self[- ]signed|unable to (get|verify)/i);
  u.password = 'wrong-password';
  const wrong = await pgAttempt({ connectionString: u.toString() });
  assert.ok(wrong, 'Postgres accepted a wrong password');
  assert.match(wrong.message, /password authentication failed/);
  // Every connection the server has open right now (the registry's pool among them) is TLS.
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query<{ plain: string; total: string }>(
    `SELECT count(*) FILTER (WHERE NOT s.ssl) AS plain, count(*) AS total FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.client_addr IS NOT NULL`);
  await c.end();
  assert.equal(r.rows[0]!.plain, '0');
  assert.ok(Number(r.rows[0]!.total) >= 2, 'expected the registry and this client among the connections');
});

async function redisAttempt(url: string, security: RedisSecurity): Promise<Error | undefined> {
  const r = createRedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000, enableOfflineQueue: false, enableReadyCheck: false }, security);
  // ioredis 6 says HELLO first: the server's refusal comes as an 'error' event, then the connection closes.
  const events: string[] = [];
  r.on('error', (err: Error) => events.push(err.message));
  try {
    await r.connect();
    assert.equal(await r.ping(), 'PONG');
    return undefined;
  } catch (err) {
    return new Error([...events, (err as Error).message].join(' | '));
  } finally {
    r.disconnect();
  }
}

test('Redis: only TLS with the ACL user gets in', { timeout: 60_000 }, async () => {
  const url = env['REDIS_URL']!;
  const good = redisSecurityFrom(env);
  assert.ok(good.tls);
  assert.equal((await redisAttempt(url, good))?.message, undefined, 'the env\'s REDIS_URL must connect');
  const u = new URL(url);
  const noAuth = `rediss://${u.host}`;
  const plain = `redis://${u.username}:${u.password}@${u.host}`;
  const wrong = `rediss://${u.username}:wrong-password@${u.host}`;
  assert.ok(await redisAttempt(plain, {}), 'Redis accepted a plaintext connection');
  assert.match((await redisAttempt(noAuth, good))?.message ?? 'accepted', /NOAUTH/);
  assert.match((await redisAttempt(wrong, good))?.message ?? 'accepted', /WRONGPASS/);
  assert.match((await redisAttempt(url, { tls: { rejectUnauthorized: true } }))?.message ?? 'accepted', /self[- ]signed|unable to (get|verify)/i);
});


test('the whole pipeline runs end to end in secure mode: records in through the ingest service, identities out', { timeout: 600_000 }, async () => {
  const t1 = Date.now();
  await PipelineHarness.reset();
  const modelJson = trainModel(RECORDS.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
  h = new PipelineHarness();
  await h.start(loadModel(modelJson), modelJson.threshold, dataset.standardize);

  // The real ingest service (its main.ts reads the same env and connects Kafka, the registry and Postgres itself).
  const port = await freePort();
  ingest = spawn(process.execPath, ['--import', 'tsx', 'services/ingest/src/main.ts'], {
    cwd: REPO_ROOT, env: { ...process.env, HTTP_PORT: String(port), IDRES_GROUP_PREFIX: h.groupPrefix, IDRES_AUTH: 'off', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  let ready = false;
  for (const start = Date.now(); !ready && Date.now() - start < 120_000;) {
    ready = await fetch(`${base}/ready`).then((r) => r.ok, () => false);
    if (!ready) await new Promise((r) => setTimeout(r, 300));
  }
  assert.ok(ready, 'the ingest service did not become ready against the secure stack');

  const ids = RECORDS.map((r) => `${SOURCE}:${r.id}`);
  for (let i = 0; i < RECORDS.length; i += 100) {
    const body = RECORDS.slice(i, i + 100).map((r) => ({
      source: SOURCE, sourceRecordId: r.id,
      ...Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
    }));
    const res = await fetch(`${base}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json()) as { accepted: number };
    assert.equal(answer.accepted, body.length, JSON.stringify(answer).slice(0, 500));
  }
  await h.waitForIdentities(ids, 300_000);

  assert.equal(ids.filter((id) => h!.watcher.quarantined.has(id)).length, 0, 'no record should be quarantined');
  const db = await h.pool.query<{ record_id: string; cluster_id: string | null }>('SELECT record_id, cluster_id FROM idres_records WHERE record_id = ANY($1)', [ids]);
  assert.equal(db.rows.length, ids.length, 'every record is in resolve\'s tables');
  for (const row of db.rows) {
    assert.ok(row.cluster_id, `${row.record_id} has no cluster`);
    assert.equal(h.watcher.masterOf.get(row.record_id)?.masterId, masterIdOf(row.cluster_id), `identity.resolved and Postgres disagree on ${row.record_id}`);
  }
  // Duplicates were matched (through Redis block state and the match stage), not merely passed through.
  const truth = new Map(RECORDS.map((r) => [`${SOURCE}:${r.id}`, r.entity]));
  let dupPairs = 0;
  let together = 0;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      if (truth.get(ids[i]!) !== truth.get(ids[j]!)) continue;
      dupPairs++;
      if (h.watcher.masterOf.get(ids[i]!)?.masterId === h.watcher.masterOf.get(ids[j]!)?.masterId) together++;
    }
  }
  const identities = new Set(ids.map((id) => h!.watcher.masterOf.get(id)!.masterId)).size;
  console.log(JSON.stringify({ test: 'secure_pipeline_e2e', records: ids.length, identities, duplicatePairs: dupPairs, matched: together, seconds: Math.round((Date.now() - t1) / 1000) }));
  assert.ok(dupPairs > 0, 'the sample holds labelled duplicates');
  assert.ok(together / dupPairs >= 0.9, `only ${together} of ${dupPairs} labelled duplicate pairs share a master ID`);
  assert.ok(identities < ids.length);
});
