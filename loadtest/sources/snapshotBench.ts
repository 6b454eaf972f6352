/**
 * Snapshot and follow a large table through Debezium into identity.raw, on the local stack (scripts/stack.sh up
 * connect, npm run sources not needed: this starts the sources service itself).
 *   npm run bench:sources -- [ROWS=300000] [--to-identity] [--csv FILE]
 * Prints progress as `idres source status` computes it (rows, rows/s, ETA from pg_class.reltuples), the snapshot's
 * rows/s, the sources service's peak RSS, then streams updates while it runs and prints commit -> identity.raw lag.
 * --to-identity: the deployment's own services carry the rows to identities (start them first: idres services up,
 * which runs the sources service too; the bench then starts none of its own). After the snapshot it waits until
 * resolve holds every row, then times each update from its commit to the first identity.resolved event that lists
 * the record (p50/p95/p99/max), and prints one JSON line with every figure.
 * --csv FILE: the table holds the generator's people (npm run generate; record_id and the canonical columns) instead
 * of synthetic GIVEN123/FAMILY456 rows, whose name codes are all alike and so fill the same blocks.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { AvroSerde, TOPICS, createKafka, createLogger } from '@idres/runtime';
import { ConnectClient, PgSourceStore, SourceDatabase, addSource, forgetConnector, sourceStatus } from '@idres/sources';

const REPO = path.resolve(import.meta.dirname, '../..');
const ROWS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 300_000);
const TO_IDENTITY = process.argv.includes('--to-identity');
const CSV = process.argv.includes('--csv') ? path.resolve(process.argv[process.argv.indexOf('--csv') + 1] ?? '') : undefined;
const CSV_COLUMNS = ['given_name', 'middle_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country'];
const STACK_DIR = process.env['IDRES_STACK_DIR'] || path.join(REPO, '.stack');
const NAME = 'bench';
const SOURCE_URL = process.env['SOURCE_DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres_source';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres';
const connect = new ConnectClient(process.env['KAFKA_CONNECT_URL'] ?? 'http://127.0.0.1:8083');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (m: string): void => { process.stdout.write(`[bench] ${m}\n`); };

const src = new pg.Pool({ connectionString: SOURCE_URL, max: 2 });
const idres = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const store = new PgSourceStore(idres);
const db = new SourceDatabase(SOURCE_URL);
const kafka = createKafka({ clientId: 'idres-bench', brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), logger: createLogger('bench', 'fatal') });
const admin = kafka.admin();
await admin.connect();
const topic = `idres.source.${NAME}.public.bench_people`;
/**
 * The bench's connector, slot, publication, source registration and change topic. Removed before the run and after
 * it: a registered source left behind would be picked up by the deployment's own sources service (idres services
 * up), whose consumer group has never read the topic, and re-sent into identity.raw from its first event.
 */
async function cleanUp(): Promise<void> {
  await forgetConnector(connect, `idres-source-${NAME}`);
  await db.dropSourceObjects(`idres_${NAME}`, `idres_${NAME}`, `idres.signal_${NAME}`);
  await store.remove(NAME);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
}
await cleanUp();

const t0 = Date.now();
await src.query('DROP TABLE IF EXISTS public.bench_people');
if (CSV) {
  // id is the row's number in the file (the bench updates by it); record_id and entity_id stay for the truth.
  const header = readFileSync(CSV, 'utf8').slice(0, 4096).split('\n')[0]!.split(',');
  await src.query(`CREATE UNLOGGED TABLE public.bench_load (${header.map((c) => `"${c}" text`).join(', ')})`);
  execFileSync('psql', [SOURCE_URL, '-q', '-c', `\\copy public.bench_load FROM '${CSV}' WITH (FORMAT csv, HEADER true)`], { stdio: 'inherit' });
  await src.query(`CREATE TABLE public.bench_people AS SELECT row_number() OVER ()::bigint AS id, ${CSV_COLUMNS.map((c) => `"${c}"`).join(', ')}, now() AS updated_at FROM public.bench_load LIMIT $1`, [ROWS]);
  await src.query('ALTER TABLE public.bench_people ADD PRIMARY KEY (id)');
  await src.query('DROP TABLE public.bench_load');
} else {
  await src.query('CREATE TABLE public.bench_people (id bigint PRIMARY KEY, first_name text, last_name text, dob date, zip text, updated_at timestamptz NOT NULL DEFAULT now())');
  await src.query(`INSERT INTO public.bench_people SELECT g, 'GIVEN' || (g % 5000), 'FAMILY' || (g % 20011), date '1940-01-01' + (g % 25000), lpad((g % 99999)::text, 5, '0') FROM generate_series(1, $1) g`, [ROWS]);
}
await src.query('ANALYZE public.bench_people');
log(`table of ${ROWS} rows made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// With --to-identity the deployment's sources service (idres services up) follows the source; a second one here
// would send every row twice.
const service = TO_IDENTITY ? undefined : spawn(process.execPath, ['--import', 'tsx', 'services/sources/src/main.ts'], {
  cwd: REPO, env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'warn', IDRES_SOURCES_POLL_MS: '500', IDRES_GROUP_PREFIX: `bench-${Date.now()}` }, stdio: ['ignore', 'inherit', 'inherit'],
});
const servicePid = service?.pid ?? Number(readFileSync(path.join(STACK_DIR, 'services', 'sources.pid'), 'utf8').trim());
let peakRss = 0;
const rssTimer = setInterval(() => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${servicePid}/status`, 'utf8'))?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb / 1024);
  } catch { /* not yet */ }
}, 1000);

const u = new URL(SOURCE_URL);
const def = await addSource({
  name: NAME, connector: 'postgres', table: 'public.bench_people', idColumn: 'id',
  map: CSV ? Object.fromEntries(CSV_COLUMNS.map((c) => [c, c])) : { given_name: 'first_name', family_name: 'last_name', dob: 'dob', postcode: 'zip' },
  database: { host: u.hostname, port: Number(u.port || 5432), dbname: u.pathname.slice(1), user: u.username, password: decodeURIComponent(u.password) },
  partitions: 6,
}, { store, connect, db, log, createTopic: async (t, p) => { await admin.createTopics({ topics: [{ topic: t, numPartitions: p, replicationFactor: 1 }], waitForLeaders: true }); } });
const s0 = Date.now();
for (;;) {
  await sleep(10_000);
  const st = await sourceStatus(def, { store, connect, db });
  log(`snapshot ${st.snapshot.state}: ${st.snapshot.rowsDone}/${st.snapshot.estimatedRows} rows, ${Math.round(st.snapshot.rowsPerSecond ?? 0)} rows/s, ETA ${Math.round(st.snapshot.etaSeconds ?? -1)} s, slot lag ${st.slot?.lagBytes ?? '?'} B, sources RSS peak ${peakRss.toFixed(0)} MiB`);
  if (st.snapshot.rowsDone >= ROWS && st.snapshot.state === 'done') break;
}
const p = (await store.progress(NAME))!;
const secs = (p.snapshotLastAt!.getTime() - s0) / 1000;
log(`SNAPSHOT ${ROWS} rows in ${secs.toFixed(1)} s = ${Math.round(ROWS / secs)} rows/s into identity.raw (Debezium incremental snapshot + sources service), peak RSS of the sources service ${peakRss.toFixed(0)} MiB`);

const figures: Record<string, unknown> = { rows: ROWS, table: CSV ? path.basename(CSV) : 'synthetic', snapshotSeconds: secs, snapshotRowsPerSecond: Math.round(ROWS / secs), sourcesPeakRssMiB: Math.round(peakRss) };
if (TO_IDENTITY) Object.assign(figures, await waitForIdentities(s0));

// Streaming: 2,000 single-row updates, ~100/s, then commit -> applied lag from the service's histogram.
const before = p.changes;
const latency = TO_IDENTITY ? await watchIdentities() : undefined;
const u0 = Date.now();
for (let i = 0; i < 2000; i++) {
  const id = 1 + ((i * 7919) % ROWS);
  await src.query(`UPDATE public.bench_people SET ${CSV ? 'family_name' : 'last_name'} = ${CSV ? 'family_name' : 'last_name'} || 'U', updated_at = now() WHERE id = $1`, [id]);
  latency?.committed(id, Date.now());
  if (i % 10 === 9) await sleep(100);
}
for (let i = 0; i < 600 && (await store.progress(NAME))!.changes < before + 2000; i++) await sleep(200);
const q = (await store.progress(NAME))!;
log(`STREAM 2000 updates applied in ${((Date.now() - u0) / 1000).toFixed(1)} s; last change commit -> applied ${((q.lastEventAt!.getTime() - q.lastSourceTsMs!) / 1000).toFixed(2)} s`);
figures['streamUpdatesAppliedSeconds'] = (Date.now() - u0) / 1000;
figures['lastCommitToRawSeconds'] = (q.lastEventAt!.getTime() - q.lastSourceTsMs!) / 1000;
if (latency) {
  const l = await latency.finish();
  log(`CHANGE -> IDENTITY ${l.seen}/${l.sent} updates seen in identity.resolved: p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`);
  figures['changeToIdentityMs'] = l;
}
process.stdout.write(`${JSON.stringify({ bench: 'sources', date: new Date().toISOString(), toIdentity: TO_IDENTITY, ...figures })}\n`);
clearInterval(rssTimer);
if (service) {
  service.kill('SIGTERM');
  await new Promise((r) => service.once('exit', r));
}
await cleanUp();
await src.query('DROP TABLE IF EXISTS public.bench_people');
await admin.disconnect();
await src.end();
await idres.end();

/** Waits until resolve holds every row of the table as a live record; returns how long the pipeline took. */
async function waitForIdentities(snapshotStart: number): Promise<Record<string, number>> {
  for (;;) {
    const { rows } = await idres.query<{ n: string }>(`SELECT count(*) AS n FROM idres_records WHERE record_id LIKE $1 AND registered AND NOT deleted`, [`${NAME}:%`]);
    const n = Number(rows[0]!.n);
    const s = (Date.now() - snapshotStart) / 1000;
    log(`resolved ${n}/${ROWS} rows, ${Math.round(n / s)} rows/s since the snapshot started`);
    if (n >= ROWS) return { identitiesSeconds: s, identitiesRowsPerSecond: Math.round(ROWS / s) };
    await sleep(30_000);
  }
}

/**
 * Follows identity.resolved from its end: for each updated row, the time from its commit (the UPDATE's return) to
 * the append time of the first MEMBERSHIP or SPLIT event after it that lists the record.
 */
async function watchIdentities(): Promise<{ committed: (id: number, at: number) => void; finish: () => Promise<Record<string, number>> }> {
  const serde = AvroSerde.connect(process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
  const consumer = kafka.consumer({ groupId: `idres-bench-latency-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.resolved, fromBeginning: false });
  const pending = new Map<string, number>();
  const took: number[] = [];
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => { assigned = true; });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const ev = await serde.decode<{ type: string; members: string[] }>(message.value, 'ResolvedEvent');
      // SPLIT events list their members too (an update can break the link that held a record in its identity).
      if (ev.type !== 'MEMBERSHIP' && ev.type !== 'SPLIT') return;
      const at = Number(message.timestamp);
      for (const m of ev.members) {
        const c = pending.get(m);
        if (c !== undefined && at >= c) { took.push(at - c); pending.delete(m); }
      }
    },
  });
  while (!assigned) await sleep(200);
  await sleep(3000); // fromBeginning false: the group's first fetch sets its offsets at the end
  let sent = 0;
  return {
    committed: (id, at) => { pending.set(`${NAME}:${id}`, at); sent++; },
    finish: async () => {
      for (let i = 0; i < 600 && pending.size > 0; i++) await sleep(500);
      await consumer.disconnect();
      took.sort((a, b) => a - b);
      const pct = (q: number): number => took[Math.min(took.length - 1, Math.floor(q * took.length))] ?? -1;
      return { sent, seen: took.length, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: took.at(-1) ?? -1 };
    },
  };
}
