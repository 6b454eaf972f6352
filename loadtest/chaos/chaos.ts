/**
 * Chaos run: resolves a generated file through the real stack and services twice, once undisturbed and once while
 * faults are injected at seeded random moments (kill -9 of each service, of Kafka, of Postgres and of Redis, a
 * fast Postgres restart, Redis restarted empty), then checks that nothing was lost or doubled.
 *
 * Faults act only on processes of this stack: services by the supervisor's PID files under IDRES_STACK_DIR, the
 * components by scripts/stack.sh's PID files (Postgres: the postmaster serving our DATABASE_URL, and its children).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import {
  AvroSerde, RawRecordProducer, TOPIC_SPECS, TOPICS, createKafka, createLogger, createRedis, createProducer, ensureTopics, errorMessage, servicePorts,
  type GoldenRecordAvro, type QuarantineRecordAvro, type RawInput, type ResolvedEventAvro,
} from '@idres/runtime';
import { fileRows } from '../../packages/cli/src/fileRows';
import { mapRow } from '../../packages/cli/src/fileModel';
import { REPO_ROOT, SERVICE_NAMES, STACK_DIR, type ServiceName } from '../../packages/cli/src/repoPaths';
import { pidFile, readPid, servicesDown, servicesUp } from '../../packages/cli/src/serviceSupervisor';
import { Rng } from '../generator/rng';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type FaultKind =
  | `kill9:${ServiceName}`
  | 'kill9:kafka'
  | 'restart:postgres'
  | 'kill9:postgres'
  | 'kill9:redis'
  | 'empty:redis';

export const ALL_FAULTS: readonly FaultKind[] = [
  ...SERVICE_NAMES.map((s) => `kill9:${s}` as const), 'kill9:kafka', 'restart:postgres', 'kill9:postgres', 'kill9:redis', 'empty:redis',
];

export interface FaultReport {
  fault: FaultKind;
  /** Seconds after the chaos run began. */
  at: number;
  /** Pipeline lag (messages) when it struck. */
  lagBefore: number;
  /** Kill until the component (or service) is up again. */
  restartSeconds: number;
  /**
   * Kill until every affected stage committed past where it stood at the kill (or has no lag): the killed
   * service's stage, or for Kafka, Postgres and Redis every stage that had work at the kill.
   */
  recoverySeconds: number;
  /** Services found dead after the fault that it did not kill itself (restarted, as a supervisor would). */
  crashed: string[];
}

export interface RunResult {
  seconds: number;
  /** record -> master ID, from identity.golden read to its end (last value per key, tombstones remove). */
  goldenOf: Map<string, string[]>;
  goldenIdentities: number;
  /** Golden records whose member list disagrees with resolve's state (stale or extra golden records). */
  goldenStale: number;
  /** record -> master ID of its highest-seq event on identity.resolved. */
  resolvedOf: Map<string, string>;
  /** record -> master ID in resolve's Postgres state. */
  postgresOf: Map<string, string>;
  quarantine: string[];
  lag: number;
  edges: Set<string>;
}

export interface ChaosOptions {
  records: number;
  seed: number;
  faults?: readonly FaultKind[];
  workDir: string;
  log?: (msg: string) => void;
  /** Longest wait for the pipeline to drain after the last fault. */
  settleTimeoutMs?: number;
}

export interface ChaosReport {
  records: number;
  seed: number;
  rejectedInput: number;
  baseline: { seconds: number; identities: number };
  chaos: { seconds: number; identities: number };
  faults: FaultReport[];
  faultsInjected: number;
  /** Services that died of a fault they were not the target of. */
  crashes: string[];
  recordsLost: number;
  recordsWithTwoIdentities: number;
  goldenOnePerIdentity: boolean;
  goldenStale: number;
  viewsAgree: boolean;
  partitionEqual: boolean;
  recordsInDifferentIdentities: number;
  edgesEqual: boolean;
  quarantineOnlyBadInput: boolean;
  quarantineEntries: { baseline: number; chaos: number };
  lagAtEnd: number;
  ok: boolean;
}

interface StackEnv {
  kafkaBrokers: string[];
  registryUrl: string;
  databaseUrl: string;
  redisUrl: string;
  groupPrefix: string;
  partitions: number;
}

function stackEnv(): StackEnv {
  const need = (n: string): string => {
    const v = process.env[n];
    if (!v) throw new Error(`${n} is not set: run with the stack's env (eval "$(bash scripts/stack.sh env)")`);
    return v;
  };
  return {
    kafkaBrokers: need('KAFKA_BROKERS').split(','),
    registryUrl: need('SCHEMA_REGISTRY_URL'),
    databaseUrl: need('DATABASE_URL'),
    redisUrl: need('REDIS_URL'),
    groupPrefix: process.env['IDRES_GROUP_PREFIX'] ?? 'idres',
    partitions: Number(process.env['IDRES_PARTITIONS'] ?? 6),
  };
}

const STAGE_GROUPS: ReadonlyArray<[string, string]> = [
  ['standardize', TOPICS.raw], ['block', TOPICS.standardized], ['match', TOPICS.blocked], ['resolve', TOPICS.pairs], ['publish', TOPICS.resolved],
];

/** Kafka admin that reconnects after a broker restart. */
class Offsets {
  private admin: Admin | undefined;
  constructor(private readonly kafka: Kafka, private readonly groupPrefix: string) {}

  private async get(): Promise<Admin> {
    if (!this.admin) {
      const a = this.kafka.admin();
      await a.connect();
      this.admin = a;
    }
    return this.admin;
  }

  /** Total lag over every stage group and the sum of their committed offsets; undefined while Kafka is away. */
  async look(): Promise<{ lag: number; committed: number; stages: Map<string, { lag: number; committed: number }> } | undefined> {
    try {
      const admin = await this.get();
      let lag = 0;
      let committed = 0;
      const stages = new Map<string, { lag: number; committed: number }>();
      for (const [stage, topic] of STAGE_GROUPS) {
        const st = { lag: 0, committed: 0 };
        stages.set(stage, st);
        const ends = await admin.fetchTopicOffsets(topic);
        const offs = await admin.fetchOffsets({ groupId: `${this.groupPrefix}.${stage}`, topics: [topic] });
        const byPart = new Map((offs[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        for (const e of ends) {
          const c = byPart.get(e.partition) ?? -1;
          const start = c < 0 ? Number(e.low) : c;
          lag += Math.max(0, Number(e.high) - start);
          committed += start;
          st.lag += Math.max(0, Number(e.high) - start);
          st.committed += start;
        }
      }
      return { lag, committed, stages };
    } catch {
      await this.close();
      return undefined;
    }
  }

  async close(): Promise<void> {
    const a = this.admin;
    this.admin = undefined;
    await a?.disconnect().catch(() => undefined);
  }
}

/** Reads a topic from its start to the end offsets it has now, handing each message over. */
async function readToEnd(kafka: Kafka, topic: string, onMessage: (key: Buffer | null, value: Buffer | null) => Promise<void>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `idres-chaos-read-${process.pid}-${Date.now()}`;
  try {
    const target = new Map<number, bigint>();
    for (const e of await admin.fetchTopicOffsets(topic)) if (BigInt(e.high) > BigInt(e.low)) target.set(e.partition, BigInt(e.high));
    if (target.size === 0) return;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 8 * 1024 * 1024 });
    await consumer.connect();
    try {
      let finish: (() => void) | undefined;
      let fail: ((e: unknown) => void) | undefined;
      const done = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch }) => {
          try {
            const end = target.get(batch.partition);
            for (const m of batch.messages) {
              if (end === undefined || BigInt(m.offset) >= end) break;
              await onMessage(m.key, m.value);
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last && end !== undefined && BigInt(last.offset) + 1n >= end) target.delete(batch.partition);
            if (target.size === 0) finish?.();
          } catch (err) {
            fail?.(err);
          }
        },
      });
      await done;
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (pidAlive(pid) && Date.now() - t0 < timeoutMs) await sleep(50);
  // A zombie (exited, not yet reaped by its parent) answers kill 0; /proc tells it apart.
  if (pidAlive(pid)) {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    if (state !== 'Z') throw new Error(`process ${pid} still alive ${timeoutMs / 1000}s after SIGKILL`);
  }
}

function readPidFile(file: string): number {
  const pid = Number(readFileSync(file, 'utf8').trim().split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) throw new Error(`no live process in ${file}`);
  return pid;
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

async function stackSh(...args: string[]): Promise<void> {
  await run('bash', [path.join(REPO_ROOT, 'scripts', 'stack.sh'), ...args], { cwd: REPO_ROOT, env: process.env, maxBuffer: 16 * 1024 * 1024 });
}

/** The postmaster serving DATABASE_URL: the parent of our own backend. */
async function postmasterPid(databaseUrl: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stat = readFileSync(`/proc/${r.rows[0]!.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } finally {
    await c.end();
  }
}

const stringEnv = (): Record<string, string> => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Injects one fault and brings the component back as a supervisor (or an operator) would. */
async function inject(fault: FaultKind, env: StackEnv): Promise<void> {
  const stackDir = process.env['IDRES_STACK_DIR'] ?? path.join(REPO_ROOT, '.stack');
  const [kind, what] = fault.split(':') as [string, string];
  if ((SERVICE_NAMES as readonly string[]).includes(what)) {
    const name = what as ServiceName;
    const pid = readPid(name);
    if (pid === undefined) throw new Error(`service ${name} is not running (no live PID in ${pidFile(name)})`);
    process.kill(pid, 'SIGKILL');
    await waitDead(pid);
    await servicesUp(stringEnv(), 180_000);
    return;
  }
  if (what === 'kafka') {
    const pid = readPidFile(path.join(stackDir, 'kafka', 'kafka.pid'));
    process.kill(pid, 'SIGKILL');
    await waitDead(pid);
    await stackSh('up', 'kafka');
    return;
  }
  if (what === 'postgres' && kind === 'restart') {
    await stackSh('down', 'postgres'); // pg_ctl stop -m fast
    await stackSh('up', 'postgres');
    return;
  }
  if (what === 'postgres') {
    const pm = await postmasterPid(env.databaseUrl);
    const kids = childrenOf(pm);
    process.kill(pm, 'SIGKILL');
    for (const k of kids) { try { process.kill(k, 'SIGKILL'); } catch { /* gone */ } }
    await waitDead(pm);
    for (const k of kids) await waitDead(k);
    await stackSh('up', 'postgres');
    return;
  }
  if (what === 'redis') {
    const pid = readPidFile(path.join(stackDir, 'redis', 'redis.pid'));
    process.kill(pid, 'SIGKILL');
    await waitDead(pid);
    if (kind === 'empty') rmSync(path.join(stackDir, 'redis', 'data'), { recursive: true, force: true });
    await stackSh('up', 'redis');
    return;
  }
  throw new Error(`unknown fault ${fault}`);
}

/** Reads the file into input records (the same mapping as `idres resolve` with canonical columns). */
async function loadInput(file: string): Promise<{ records: RawInput[]; rejected: number }> {
  const records: RawInput[] = [];
  let rejected = 0;
  const map: Record<string, string> = {};
  for (const c of ['given_name', 'middle_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country']) map[c] = c;
  for await (const row of fileRows(file)) {
    const r = mapRow(row, { idColumn: 'record_id', map, source: 'chaos' });
    if ('error' in r) rejected++;
    else records.push(r.ok);
  }
  return { records, rejected };
}

/** Produces records, retrying through broker outages until every chunk is acknowledged (a resend is idempotent). */
async function produceAll(raw: RawRecordProducer, records: readonly RawInput[], log: (m: string) => void): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    for (let attempt = 1; ; attempt++) {
      try {
        await raw.send(chunk);
        break;
      } catch (err) {
        if (attempt % 5 === 1) log(`produce retry ${attempt}: ${errorMessage(err)}`);
        await sleep(Math.min(5000, 200 * attempt));
      }
    }
  }
}

async function settle(offsets: Offsets, expectRecords: number, databaseUrl: string, timeoutMs: number, log: (m: string) => void): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  const t0 = Date.now();
  let quiet = 0;
  let lastLog = 0;
  try {
    for (;;) {
      const o = await offsets.look();
      let outbox = -1;
      let live = -1;
      try {
        const r = await pool.query<{ o: string; n: string }>(`SELECT (SELECT count(*) FROM idres_event_outbox) AS o, (SELECT count(*) FROM idres_records WHERE registered AND NOT deleted AND cluster_id IS NOT NULL) AS n`);
        outbox = Number(r.rows[0]!.o);
        live = Number(r.rows[0]!.n);
      } catch {
        /* Postgres away */
      }
      quiet = o !== undefined && o.lag === 0 && outbox === 0 ? quiet + 1 : 0;
      if (quiet >= 3) return o!.lag;
      if (Date.now() - lastLog > 10_000) {
        log(`  lag ${o?.lag ?? '?'}, ${live}/${expectRecords} records with an identity`);
        lastLog = Date.now();
      }
      if (Date.now() - t0 > timeoutMs) return o?.lag ?? -1;
      await sleep(1000);
    }
  } finally {
    await pool.end();
  }
}

async function collect(kafka: Kafka, serde: AvroSerde, env: StackEnv, offsets: Offsets): Promise<Omit<RunResult, 'seconds'>> {
  const golden = new Map<string, GoldenRecordAvro>();
  await readToEnd(kafka, TOPICS.golden, async (k, v) => {
    if (!k) return;
    const { masterId } = await serde.decode<{ masterId: string }>(k, 'MasterKey');
    if (v === null) golden.delete(masterId);
    else golden.set(masterId, await serde.decode<GoldenRecordAvro>(v, 'GoldenRecord'));
  });
  const goldenOf = new Map<string, string[]>();
  for (const [masterId, g] of golden) for (const m of g.members) goldenOf.set(m, [...(goldenOf.get(m) ?? []), masterId]);

  const resolvedSeq = new Map<string, { masterId: string; seq: number }>();
  await readToEnd(kafka, TOPICS.resolved, async (_k, v) => {
    if (!v) return;
    const e = await serde.decode<ResolvedEventAvro>(v, 'ResolvedEvent');
    for (const r of e.members) {
      const prev = resolvedSeq.get(r);
      if (!prev || prev.seq < e.seq) resolvedSeq.set(r, { masterId: e.masterId, seq: e.seq });
    }
  });
  const resolvedOf = new Map([...resolvedSeq].map(([r, x]) => [r, x.masterId]));

  const quarantine: string[] = [];
  await readToEnd(kafka, TOPICS.quarantine, async (_k, v) => {
    if (!v) return;
    const q = await serde.decode<QuarantineRecordAvro>(v, 'QuarantineRecord');
    let rec = '';
    if (q.key && (q.topic === TOPICS.raw || q.topic === TOPICS.standardized)) {
      const k = await serde.decode<{ source: string; sourceRecordId: string }>(q.key, 'RecordKey').catch(() => undefined);
      if (k) rec = `${k.source}:${k.sourceRecordId}`;
    }
    quarantine.push(`${q.stage}/${q.code}/${rec}`);
  });

  const postgresOf = new Map<string, string>();
  const edges = new Set<string>();
  let goldenStale = 0;
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 1 });
  try {
    const rows = await pool.query<{ record_id: string; cluster_id: string }>(`SELECT record_id, cluster_id FROM idres_records WHERE registered AND NOT deleted AND cluster_id IS NOT NULL`);
    for (const r of rows.rows) postgresOf.set(r.record_id, `MDM_${String(r.cluster_id).padStart(10, '0')}`);
    const e = await pool.query<{ a: string; b: string; link: boolean }>(`SELECT a, b, link FROM idres_edges`);
    for (const r of e.rows) edges.add(`${r.a} ${r.b} ${r.link ? 'L' : 'e'}`);
  } finally {
    await pool.end();
  }
  const pgMembers = new Map<string, string[]>();
  for (const [r, m] of postgresOf) pgMembers.set(m, [...(pgMembers.get(m) ?? []), r]);
  for (const [masterId, g] of golden) {
    const want = pgMembers.get(masterId);
    if (!want || want.length !== g.members.length || [...want].sort().join() !== [...g.members].sort().join()) goldenStale++;
  }
  goldenStale += [...pgMembers.keys()].filter((m) => !golden.has(m)).length;
  const o = await offsets.look();
  return { goldenOf, goldenIdentities: golden.size, goldenStale, resolvedOf, postgresOf, quarantine, lag: o?.lag ?? -1, edges };
}

/** Canonical form of a partition: each identity as its sorted members, keyed by its smallest member. */
function partitionOf(of: Map<string, string>): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const [r, m] of of) groups.set(m, [...(groups.get(m) ?? []), r]);
  const byRecord = new Map<string, string>();
  for (const members of groups.values()) {
    const sig = members.sort().join(' ');
    for (const r of members) byRecord.set(r, sig);
  }
  return byRecord;
}

async function resetPipelineCli(log: (m: string) => void): Promise<void> {
  await servicesDown();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'idres.mjs'), 'pipeline', 'reset'], { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`idres pipeline reset exited ${code}: ${err.slice(-2000)}`))));
  });
  log('pipeline reset');
}

/** One run of the file through a freshly reset pipeline; `faults` are injected while it runs. */
async function runOnce(records: readonly RawInput[], faults: readonly FaultKind[], rng: Rng, opts: Required<Pick<ChaosOptions, 'settleTimeoutMs'>> & { log: (m: string) => void }, report: FaultReport[]): Promise<RunResult> {
  const env = stackEnv();
  const log = opts.log;
  await resetPipelineCli(log);
  await servicesUp(stringEnv(), 180_000);
  const logger = createLogger('idres-chaos', 'fatal');
  const kafka = createKafka({ clientId: 'idres-chaos', brokers: env.kafkaBrokers, logger });
  const serde = AvroSerde.connect(env.registryUrl);
  await serde.registerTopics(TOPIC_SPECS);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, env.partitions);
  await admin.disconnect();
  const producer = createProducer(kafka);
  await producer.connect();
  const raw = new RawRecordProducer(producer, serde);
  const offsets = new Offsets(kafka, env.groupPrefix);
  const t0 = Date.now();
  try {
    // The file in as many slices as there are faults (plus one); each fault strikes at a random moment while
    // the slice before it is still being worked on.
    const slices = faults.length + 1;
    const per = Math.ceil(records.length / slices);
    for (let i = 0; i < slices; i++) {
      await produceAll(raw, records.slice(i * per, (i + 1) * per), log);
      const fault = faults[i];
      if (fault === undefined) continue;
      await sleep(500 + Math.floor(rng.float() * 2500));
      const before = await offsets.look();
      const at = Date.now();
      log(`fault ${i + 1}/${faults.length}: ${fault} (lag ${before?.lag ?? '?'})`);
      await inject(fault, env);
      const restartSeconds = (Date.now() - at) / 1000;
      const target = fault.split(':')[1]!;
      const affected = (SERVICE_NAMES as readonly string[]).includes(target)
        ? [target].filter((t) => t !== 'ingest')
        : [...(before?.stages ?? new Map<string, { lag: number }>())].filter(([, st]) => st.lag > 0).map(([stage]) => stage);
      const crashed: string[] = [];
      let recoverySeconds = -1;
      for (;;) {
        // A service that died of the fault (not killed by us) is a finding; it is restarted as a supervisor would.
        const dead = SERVICE_NAMES.filter((n) => readPid(n) === undefined);
        if (dead.length > 0) {
          crashed.push(...dead);
          log(`  CRASHED after ${fault}: ${dead.join(', ')} (see ${STACK_DIR}/services/); restarting`);
          await servicesUp(stringEnv(), 180_000);
        }
        const now = await offsets.look();
        if (now !== undefined && before !== undefined && affected.every((stage) => {
          const b = before.stages.get(stage)!;
          const n = now.stages.get(stage)!;
          return n.committed > b.committed || n.lag === 0;
        })) {
          recoverySeconds = (Date.now() - at) / 1000;
          break;
        }
        if (Date.now() - at > 600_000) break;
        await sleep(250);
      }
      report.push({ fault, at: (at - t0) / 1000, lagBefore: before?.lag ?? -1, restartSeconds, recoverySeconds, crashed });
      log(`  back in ${restartSeconds.toFixed(1)}s, ${affected.join(',') || 'nothing'} moving again after ${recoverySeconds.toFixed(1)}s`);
    }
    log(`all ${records.length} records produced; waiting for the pipeline to drain`);
    await settle(offsets, records.length, env.databaseUrl, opts.settleTimeoutMs, log);
    const seconds = (Date.now() - t0) / 1000;
    const result = await collect(kafka, serde, env, offsets);
    return { seconds, ...result };
  } finally {
    await offsets.close();
    await producer.disconnect().catch(() => undefined);
  }
}

/** Seeded Fisher-Yates. */
function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[chaos] ${m}\n`));
  const settleTimeoutMs = opts.settleTimeoutMs ?? 3_600_000;
  const file = path.join(opts.workDir, `chaos-${opts.records}-${opts.seed}.csv`);
  if (!existsSync(file)) {
    await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'loadtest', 'generator', 'cli.ts'), '--records', String(opts.records), '--seed', String(opts.seed), '--format', 'csv', '--out', file], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  }
  const { records, rejected } = await loadInput(file);
  log(`${records.length} records from ${file} (${rejected} rejected as bad input); services on ports ${Object.values(servicePorts(process.env)).join(',')}, state under ${STACK_DIR}`);
  const rng = new Rng(opts.seed);
  const faults = shuffled(opts.faults ?? ALL_FAULTS, rng);

  log('undisturbed run');
  const base = await runOnce(records, [], rng, { settleTimeoutMs, log }, []);
  log(`undisturbed: ${base.seconds.toFixed(1)}s, ${base.goldenIdentities} identities`);
  log('chaos run');
  const faultReports: FaultReport[] = [];
  const chaos = await runOnce(records, faults, rng, { settleTimeoutMs, log }, faultReports);
  log(`chaos: ${chaos.seconds.toFixed(1)}s, ${chaos.goldenIdentities} identities`);

  const ids = records.map((r) => `${r.source}:${r.sourceRecordId}`);
  let lost = 0;
  let doubled = 0;
  let disagree = 0;
  for (const id of ids) {
    const g = chaos.goldenOf.get(id) ?? [];
    if (g.length === 0) lost++;
    if (g.length > 1) doubled++;
    const r = chaos.resolvedOf.get(id);
    const p = chaos.postgresOf.get(id);
    if (g.length !== 1 || g[0] !== r || r !== p) disagree++;
  }
  const pb = partitionOf(new Map([...base.goldenOf].map(([r, m]) => [r, m[0]!])));
  const pc = partitionOf(new Map([...chaos.goldenOf].map(([r, m]) => [r, m[0]!])));
  let differ = 0;
  for (const id of ids) if (pb.get(id) !== pc.get(id)) differ++;
  const edgesEqual = base.edges.size === chaos.edges.size && [...base.edges].every((e) => chaos.edges.has(e));
  const qb = [...base.quarantine].sort().join('\n');
  const qc = [...chaos.quarantine].sort().join('\n');
  const recordSet = new Set(ids);
  const extraGolden = [...chaos.goldenOf.keys()].filter((r) => !recordSet.has(r)).length;
  const report: ChaosReport = {
    records: records.length,
    seed: opts.seed,
    rejectedInput: rejected,
    baseline: { seconds: base.seconds, identities: base.goldenIdentities },
    chaos: { seconds: chaos.seconds, identities: chaos.goldenIdentities },
    faults: faultReports,
    faultsInjected: faultReports.length,
    crashes: faultReports.flatMap((f) => f.crashed.map((c) => `${c} after ${f.fault}`)),
    recordsLost: lost,
    recordsWithTwoIdentities: doubled,
    goldenOnePerIdentity: chaos.goldenStale === 0 && extraGolden === 0,
    goldenStale: chaos.goldenStale,
    viewsAgree: disagree === 0,
    partitionEqual: differ === 0,
    recordsInDifferentIdentities: differ,
    edgesEqual,
    quarantineOnlyBadInput: qb === qc,
    quarantineEntries: { baseline: base.quarantine.length, chaos: chaos.quarantine.length },
    lagAtEnd: chaos.lag,
    ok: false,
  };
  report.ok = report.crashes.length === 0 && faultReports.every((f) => f.recoverySeconds >= 0) && lost === 0 && doubled === 0 && report.goldenOnePerIdentity && report.viewsAgree && report.partitionEqual && report.quarantineOnlyBadInput && report.lagAtEnd === 0 && report.faultsInjected === faults.length;
  return report;
}

/** Everything the chaos run may have left stopped is running again (for whatever runs next). */
export async function ensureStackHealthy(): Promise<void> {
  await stackSh('up');
  await servicesUp(stringEnv(), 180_000);
  const env = stackEnv();
  const redis = createRedis(env.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}
