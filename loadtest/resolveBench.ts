// Resolve throughput on real Postgres: applies synthetic RECORD events and PAIR events in batches through
// PostgresResolveStore (the code the resolve service runs) and prints one JSON object.
// Usage: npx tsx loadtest/resolveBench.ts [--records 200000] [--batch 2000]
// Runs in its own schema (idres_bench), dropped first, so it never touches the pipeline's tables.
import { parseArgs } from 'node:util';
import os from 'node:os';
import pg from 'pg';
import { CLK_TCK, readStat } from './bench/procfs';
import { applyConcurrently } from '../services/resolve/src/applyConcurrently';
import { PostgresResolveStore, type PairChange, type RecordChange, type ResolveBatch } from '../services/resolve/src/resolveStore';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, batch: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '3' } } });
const N = Number(values.records);
const BATCH = Number(values.batch);
// Like resolve consuming several partitions at once (partitionsConsumedConcurrently) or several instances.
const CONCURRENCY = Number(values.concurrency);
const url = process.env['DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres';

const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query('DROP SCHEMA IF EXISTS idres_bench CASCADE; CREATE SCHEMA idres_bench');
await admin.end();
const pool = new pg.Pool({ connectionString: url, max: 8, options: '-c search_path=idres_bench' });
const store = new PostgresResolveStore(pool);
await store.migrate();

// Entities of 1-4 records; duplicates linked to the entity's first record and to each other, like match emits.
let rnd = 42;
const next = (): number => ((rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const records: RecordChange[] = [];
const pairs: PairChange[] = [];
for (let i = 0; i < N; ) {
  const size = Math.min(N - i, 1 + Math.floor(next() * next() * 4));
  const ids = Array.from({ length: size }, (_, k) => `bench:${i + k}`);
  for (const id of ids) records.push({ kind: 'RECORD', recordId: id, version: 1, values: { given_name: 'X' }, ingestedAt: 0 });
  for (let a = 0; a < ids.length; a++) for (let b = a + 1; b < ids.length; b++) {
    pairs.push({ a: ids[a]!, av: 1, b: ids[b]!, bv: 1, probability: 0.99, matchWeight: 12, rule: 'bench', explanation: [{ comparison: 'dob', level: 'exact', weight: 5 }], ingestedAt: 0 });
  }
  i += size;
}
// Arrival order is shuffled, as records and pairs arrive from many partitions.
for (const arr of [records, pairs] as Array<unknown[]>) for (let i = arr.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [arr[i], arr[j]] = [arr[j], arr[i]]; }

const drain = async (): Promise<void> => { while ((await store.flushOutbox(async () => {})) > 0) { /* events are discarded: the bench measures resolve's state work */ } };
let retries = 0;
const applyAll = async (batches: ResolveBatch[]): Promise<void> => {
  retries += await applyConcurrently(store, batches, { concurrency: CONCURRENCY, afterBatch: drain });
};
const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / BATCH) }, (_, i) => xs.slice(i * BATCH, (i + 1) * BATCH));
// CPU per phase of this process and of the pool's Postgres backends (Linux /proc), to name the bottleneck.
const backendPids = await Promise.all(Array.from({ length: CONCURRENCY + 1 }, () => pool.connect())).then(async (cs) => {
  const pids = await Promise.all(cs.map(async (c) => Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid)));
  for (const c of cs) c.release();
  return pids;
});
const cpu = (): { node: number; postgres: number } => {
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1000, postgres: backendPids.reduce((s, pid) => s + (readStat(pid)?.ticks ?? 0), 0) * (1000 / CLK_TCK) };
};
const c0 = cpu();
const t0 = performance.now();
await applyAll(chunks(records).map((r) => ({ records: r, pairs: [] })));
const t1 = performance.now();
const c1 = cpu();
await applyAll(chunks(pairs).map((p) => ({ records: [], pairs: p })));
const t2 = performance.now();
const c2 = cpu();
const check = await pool.query<{ n: string }>('SELECT count(DISTINCT cluster_id) AS n FROM idres_records');
await pool.query('DROP SCHEMA idres_bench CASCADE');
await pool.end();
console.log(JSON.stringify({
  bench: 'resolve', machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, date: new Date().toISOString().slice(0, 10),
  records: N, pairs: pairs.length, batch: BATCH, concurrency: CONCURRENCY, retries, identities: Number(check.rows[0]?.n),
  recordsPerSecond: Math.round(N / ((t1 - t0) / 1000)), pairsPerSecond: Math.round(pairs.length / ((t2 - t1) / 1000)),
  seconds: { records: +((t1 - t0) / 1000).toFixed(2), pairs: +((t2 - t1) / 1000).toFixed(2) },
  cpuMsPer1000: {
    records: { node: +((c1.node - c0.node) / (N / 1000)).toFixed(1), postgres: +((c1.postgres - c0.postgres) / (N / 1000)).toFixed(1) },
    pairs: { node: +((c2.node - c1.node) / (pairs.length / 1000)).toFixed(1), postgres: +((c2.postgres - c1.postgres) / (pairs.length / 1000)).toFixed(1) },
  },
}));
