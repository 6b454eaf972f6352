/**
 * Snapshot and follow a large table through Debezium into identity.raw, on the local stack (scripts/stack.sh up
 * connect, npm run sources not needed: this starts the sources service itself).
 *   npm run bench:sources -- [ROWS=300000]
 * Prints progress as `idres source status` computes it (rows, rows/s, ETA from pg_class.reltuples), the snapshot's
 * rows/s, the sources service's peak RSS, then streams updates while it runs and prints commit -> identity.raw lag.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createKafka, createLogger } from '@idres/runtime';
import { ConnectClient, PgSourceStore, SourceDatabase, addSource, forgetConnector, sourceStatus } from '@idres/sources';

const REPO = path.resolve(import.meta.dirname, '../..');
const ROWS = Number(process.argv[2] ?? 300_000);
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
const admin = createKafka({ clientId: 'idres-bench', brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), logger: createLogger('bench', 'fatal') }).admin();
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
await src.query('CREATE TABLE public.bench_people (id bigint PRIMARY KEY, first_name text, last_name text, dob date, zip text, updated_at timestamptz NOT NULL DEFAULT now())');
await src.query(`INSERT INTO public.bench_people SELECT g, 'GIVEN' || (g % 5000), 'FAMILY' || (g % 20011), date '1940-01-01' + (g % 25000), lpad((g % 99999)::text, 5, '0') FROM generate_series(1, $1) g`, [ROWS]);
await src.query('ANALYZE public.bench_people');
log(`table of ${ROWS} rows made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const service = spawn(process.execPath, ['--import', 'tsx', 'services/sources/src/main.ts'], {
  cwd: REPO, env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'warn', IDRES_SOURCES_POLL_MS: '500', IDRES_GROUP_PREFIX: `bench-${Date.now()}` }, stdio: ['ignore', 'inherit', 'inherit'],
});
let peakRss = 0;
const rssTimer = setInterval(() => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb / 1024);
  } catch { /* not yet */ }
}, 1000);

const u = new URL(SOURCE_URL);
const def = await addSource({
  name: NAME, connector: 'postgres', table: 'public.bench_people', idColumn: 'id',
  map: { given_name: 'first_name', family_name: 'last_name', dob: 'dob', postcode: 'zip' },
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

// Streaming: 2,000 single-row updates, ~100/s, then commit -> applied lag from the service's histogram.
const before = p.changes;
const u0 = Date.now();
for (let i = 0; i < 2000; i++) {
  await src.query(`UPDATE public.bench_people SET last_name = last_name || 'U', updated_at = now() WHERE id = $1`, [1 + ((i * 7919) % ROWS)]);
  if (i % 10 === 9) await sleep(100);
}
for (let i = 0; i < 600 && (await store.progress(NAME))!.changes < before + 2000; i++) await sleep(200);
const q = (await store.progress(NAME))!;
log(`STREAM 2000 updates applied in ${((Date.now() - u0) / 1000).toFixed(1)} s; last change commit -> applied ${((q.lastEventAt!.getTime() - q.lastSourceTsMs!) / 1000).toFixed(2)} s`);
clearInterval(rssTimer);
service.kill('SIGTERM');
await new Promise((r) => service.once('exit', r));
await cleanUp();
await src.query('DROP TABLE IF EXISTS public.bench_people');
await admin.disconnect();
await src.end();
await idres.end();
