// Load on the HTTP entrance: runs ingest (its real main.ts, in its own process, on a loopback port) against the
// stack in the environment and drives POST /records from this process with autocannon at rising request rates.
// Prints JSON: per step the rate offered and achieved, p50/p99 latency, status counts, ingest's RSS, and whether
// every record answered "accepted" is on identity.raw (and nothing else of the run is).
//
//   eval "$(bash scripts/stack.sh env)"; export KAFKA_BROKERS SCHEMA_REGISTRY_URL DATABASE_URL REDIS_URL
//   npx tsx loadtest/ingestLoad.ts --port 17101 --rates 50,100,200,400,800,1600 --seconds 10 --reset
//
// --reset empties the pipeline's topics before and after (only on a stack you own).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { AvroSerde, TOPICS, createKafka, createLogger, readBaseConfig, type RecordKey } from '@idres/runtime';
import { resetPipeline } from '../packages/cli/src/pipelineReset';
import { readTopic } from '../test/hostile/topicReader';

const { values } = parseArgs({ options: {
  port: { type: 'string', default: '17101' }, rates: { type: 'string', default: '50,100,200,400,800,1600' }, seconds: { type: 'string', default: '10' },
  records: { type: 'string', default: '100' }, connections: { type: 'string', default: '100' }, inflight: { type: 'string', default: '32' }, reset: { type: 'boolean', default: false },
} });
const port = Number(values.port);
const rates = values.rates!.split(',').map(Number);
const seconds = Number(values.seconds);
const perRequest = Number(values.records);
const url = `http://127.0.0.1:${port}`;
const cfg = readBaseConfig(process.env, 'loadtest');
const run = Date.now().toString(36);
const source = `load${run}`;

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (values.reset) await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix }, 'all');
  const ingest = spawn(process.execPath, ['--import', 'tsx', 'services/ingest/src/main.ts'], {
    env: { ...process.env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), IDRES_INGEST_MAX_INFLIGHT: values.inflight, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${url}/ready`).then((r) => r.status).catch(() => 0)) === 200) break;
      if (i > 120) throw new Error('ingest did not become ready');
      await sleep(500);
    }
    const rssStart = rssMb(ingest.pid!);
    let reqNo = 0;
    const acceptedIds = new Set<string>();
    const steps = [];
    for (const rate of rates) {
      const statuses: Record<string, number> = {};
      let retryAfterMissing = 0;
      let acceptedRecords = 0;
      let peakRss = 0;
      const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssMb(ingest.pid!)); }, 250);
      const result = await autocannon({
        url, connections: Number(values.connections), overallRate: rate, duration: seconds, amount: rate * seconds, timeout: 30,
        requests: [{
          method: 'POST', path: '/records', headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            const n = reqNo++;
            const recs = Array.from({ length: perRequest }, (_, i) => `{"source":"${source}","sourceRecordId":"${n}-${i}","given_name":"Ann${i % 97}","family_name":"Lee${n % 1013}","dob":"1980-02-0${1 + (i % 9)}","postcode":"${10000 + (n % 89999)}"}`);
            return { ...req, body: `[${recs.join(',')}]` };
          },
          onResponse: (status, body, _ctx, headers) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            if ((status === 503 || status === 429) && !headers['retry-after']) retryAfterMissing++;
            if (status === 200 || status === 207 || status === 503) {
              try {
                const a = JSON.parse(body) as { results?: Array<{ status: string; recordId?: string }> };
                for (const r of a.results ?? []) if (r.status === 'accepted' && r.recordId) { acceptedIds.add(r.recordId); acceptedRecords++; }
              } catch { /* an error body: nothing accepted */ }
            }
          },
        }],
      });
      clearInterval(sampler);
      const ok = result['2xx'];
      steps.push({
        // autocannon offers the rate asked only as far as this process keeps up (it builds and parses 100-record
        // bodies on a shared machine): answeredReqPerSec is what it really offered.
        offeredReqPerSec: rate, seconds: result.duration, answeredReqPerSec: Math.round((Object.values(statuses).reduce((a, b) => a + b, 0) / result.duration) * 10) / 10, achievedReqPerSec: Math.round((ok / result.duration) * 10) / 10, acceptedRecordsPerSec: Math.round(acceptedRecords / result.duration),
        sent: result.requests.sent, latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        statuses, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, ingestPeakRssMb: peakRss, retryAfterMissing,
      });
      process.stderr.write(`rate ${rate}: ${JSON.stringify(steps[steps.length - 1])}\n`);
      await sleep(2000);
    }
    const rssEnd = rssMb(ingest.pid!);
    // Every accepted record reached identity.raw, and no record of this run is there without an "accepted".
    const kafka = createKafka({ clientId: 'idres-loadtest', brokers: cfg.kafkaBrokers, logger: createLogger('loadtest', 'error') });
    const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
    const onTopic = new Set<string>();
    for (const { message } of await readTopic(kafka, TOPICS.raw, 300_000)) {
      if (!message.key) continue;
      const k = await serde.decode<RecordKey>(message.key, 'RecordKey');
      if (k.source === source) onTopic.add(`${k.source}:${k.sourceRecordId}`);
    }
    const missing = [...acceptedIds].filter((id) => !onTopic.has(id)).length;
    const notAnswered = [...onTopic].filter((id) => !acceptedIds.has(id)).length;
    process.stdout.write(JSON.stringify({
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, recordsPerRequest: perRequest, secondsPerStep: seconds,
      connections: Number(values.connections), maxInflight: Number(values.inflight), ingestRssMb: { start: rssStart, end: rssEnd },
      steps, acceptedRecords: acceptedIds.size, onIdentityRaw: onTopic.size, acceptedButMissing: missing, onTopicNotAccepted: notAnswered,
    }, null, 2) + '\n');
  } finally {
    ingest.kill('SIGTERM');
    await new Promise((r) => ingest.once('exit', r));
    if (values.reset) await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix }, 'all');
  }
}

await main();
