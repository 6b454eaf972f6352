// Run by test/integration/piiLeak.test.ts as a child process (LOG_LEVEL=debug), so every line any part of the
// pipeline writes to stdout or stderr is captured by the test. Runs the whole pipeline (the integration harness)
// on the demo's sample, the hostile HTTP and raw corpora and PII-bearing hostile records, with tracing on
// (in-memory exporter), then writes what a reader could see besides logs to OUT_DIR: every HTTP answer body,
// every quarantine entry's stage, code and reason, and every exported span.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { core, node, tracing } from '@opentelemetry/sdk-node';
import { loadModel, type ModelJson } from '@idres/core';
import { TOPICS, createHttpServer, topicSpec, createMetrics, type QuarantineRecordAvro, type RawRecord } from '@idres/runtime';
import { buildIngestApp, DEFAULT_BODY_LIMIT } from '../../services/ingest/src/app';
import { registerLookupRoutes } from '../../services/publish/src/app';
import { IdentityQueries } from '../../services/publish/src/identityQueries';
import { PipelineHarness } from '../integration/pipelineHarness';
import { hostileHttpCorpus } from './httpCorpus';
import { hostileRawCorpus } from './rawCorpus';
import { readTopic } from './topicReader';
import { HOSTILE_PEOPLE, sampleRows } from './piiCorpus';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: piiPipelineRun.ts OUT_DIR');
mkdirSync(outDir, { recursive: true });
const SAMPLE_RECORDS = Number(process.env['PII_SAMPLE_RECORDS'] ?? 400);

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
provider.register({ propagator: new core.W3CTraceContextPropagator() });

await PipelineHarness.reset();
const h = new PipelineHarness();
const model = JSON.parse(readFileSync(new URL('../../packages/core/models/default.json', import.meta.url), 'utf8')) as ModelJson;
await h.start(loadModel(model), model.threshold);

const ingestHttp = createHttpServer({ metrics: createMetrics('pii-ingest'), isReady: () => true });
const ingest = buildIngestApp({ producer: h.producer, serde: h.serde, metrics: createMetrics('pii-ingest-app'), logger: h.logger.child({ stage: 'ingest' }), maxRecordsPerRequest: 10_000 });
ingest.routes?.(ingestHttp);
await ingest.start();
await ingestHttp.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(ingestHttp.server.address() as AddressInfo).port}`;
const lookupHttp = createHttpServer({ metrics: createMetrics('pii-lookup'), isReady: () => true });
registerLookupRoutes(lookupHttp, new IdentityQueries(h.pool));
await lookupHttp.listen({ host: '127.0.0.1', port: 0 });
const lookupUrl = `http://127.0.0.1:${(lookupHttp.server.address() as AddressInfo).port}`;
const bodies: Array<{ request: string; status: number; body: string }> = [];
const post = async (name: string, body: string | Buffer, contentType = 'application/json'): Promise<void> => {
  const res = await fetch(`${url}/records`, { method: 'POST', headers: { 'content-type': contentType }, body });
  bodies.push({ request: name, status: res.status, body: await res.text() });
};

// 1. The demo's sample: half straight to identity.raw (as idres resolve sends files), half through POST /records.
const rows = sampleRows(SAMPLE_RECORDS);
const FIELDS = ['given_name', 'middle_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country'];
const fieldsOf = (r: Record<string, string>): Record<string, string> => Object.fromEntries(FIELDS.filter((f) => r[f]).map((f) => [f, r[f]!]));
const half = Math.floor(rows.length / 2);
await trace.getTracer('pii-test').startActiveSpan('send sample', async (span) => {
  await h.raw.send(rows.slice(0, half).map((r) => ({ source: 'pii', sourceRecordId: r['record_id']!, fields: fieldsOf(r), attributes: {} })));
  span.end();
});
await post('sample via HTTP', JSON.stringify(rows.slice(half).map((r) => ({ source: 'pii', sourceRecordId: r['record_id'], ...fieldsOf(r) }))));

// 2. PII where a careless message would quote it: wrong types, bad characters, too long, bad dates, duplicates.
const hostile: Array<Record<string, unknown>> = [];
HOSTILE_PEOPLE.forEach((p, i) => {
  const base = { source: 'piihostile', given_name: 'Odalys', family_name: 'Quintero' };
  hostile.push(
    { ...base, sourceRecordId: `${i}-ok`, ssn: p.ssn, phone: p.phone, email: p.email, dob: p.dob },
    { ...base, sourceRecordId: `${i}-ok`, ssn: p.ssn, phone: p.phone, email: p.email, dob: p.dob }, // DUPLICATE_ID
    { ...base, sourceRecordId: `${i}-type`, ssn: { value: p.ssn }, phone: [p.phone], email: { e: p.email }, dob: { d: p.dob } },
    { ...base, sourceRecordId: `${i}-nul`, ssn: `${p.ssn}\u0000`, email: `${p.email}\u0000`, phone: `\ud800${p.phone}`, dob: `${p.dob}\u0000` },
    { ...base, sourceRecordId: `${i}-long`, ssn: p.ssn.repeat(200), email: p.email.repeat(100), phone: p.phone.repeat(100), dob: p.dob.repeat(100) },
    { ...base, sourceRecordId: `${i}-name`, given_name: p.ssn, family_name: p.email },
    { source: `bad:${i}`, sourceRecordId: `${i}-src`, ssn: p.ssn, email: p.email },
    { ...base, sourceRecordId: `${i}-attrs`, attributes: Object.fromEntries(Array.from({ length: 300 }, (_, k) => [`a${k}`, `${p.email} ${p.ssn}`])) },
    { source: 'piihostile', sourceRecordId: `${i}-onlybad`, dob: p.dob.replace(/\d\d$/, '45'), ssn: p.ssn.replace(/\d/g, '0'), phone: '000', email: `${p.email}@@` },
  );
});
await post('PII-bearing hostile records', JSON.stringify(hostile));
for (const p of HOSTILE_PEOPLE) {
  await post('not JSON around PII', `[{"source":"x","sourceRecordId":"1","ssn":"${p.ssn}","email":"${p.email}",}`);
  await post('not UTF-8 around PII', Buffer.concat([Buffer.from(`[{"source":"x","sourceRecordId":"1","phone":"${p.phone}","dob":"${p.dob}`), Buffer.from([0xff, 0xfe]), Buffer.from('"}]')]));
  await post('wrong content type', JSON.stringify([{ source: 'x', sourceRecordId: '1', ssn: p.ssn }]), 'text/plain');
  for (const q of [`/identities?family_name=${encodeURIComponent(p.email)}&dob=${encodeURIComponent(p.dob)}`, `/records/piihostile/${encodeURIComponent(p.ssn)}/identity`]) {
    const res = await fetch(`${lookupUrl}${q}`);
    bodies.push({ request: `GET lookup with PII in the query`, status: res.status, body: await res.text() });
  }
}
for (const req of hostileHttpCorpus(42, `pii${process.pid}`, DEFAULT_BODY_LIMIT)) {
  if (req.body.length > 1024 * 1024) continue; // the 16 MB bodies test limits, not leaks; they only slow this run
  await post(`corpus: ${req.name}`, req.body, req.contentType);
}

// 3. The same on identity.raw, as another client could produce it (bypassing ingest's checks).
const ids = { pairEventValue: await h.serde.registerSubject(`${TOPICS.pairs}-value`, topicSpec(TOPICS.pairs).valueSchema), recordKeyKey: await h.serde.registerSubject(`${TOPICS.raw}-key`, 'RecordKey') };
// One at a time: the corpus holds messages near the broker's limit, so one request with all of them is refused.
for (const c of hostileRawCorpus(7, `pii${process.pid}`, h.serde, ids)) await h.producer.send({ topic: TOPICS.raw, acks: -1, messages: [c.message] });
const rawHostile: RawRecord[] = HOSTILE_PEOPLE.flatMap((p, i): RawRecord[] => {
  const r = (id: string, over: Partial<RawRecord>): RawRecord => ({ source: 'piiraw', sourceRecordId: `${i}-${id}`, given_name: 'Odalys', family_name: 'Quintero', attributes: {}, ...over });
  return [
    r('nul', { ssn: `${p.ssn}\u0000`, email: `${p.email}\u0000` }),
    r('long', { ssn: p.ssn.repeat(300), phone: p.phone.repeat(100), email: p.email.repeat(100), dob: p.dob.repeat(100) }),
    r('baddob', { given_name: null, family_name: null, dob: p.dob.replace(/^\d{4}|\d{4}$/, '3000') }),
    r('odd', { ssn: `${p.ssn}-${p.ssn}`, phone: `tel:${p.phone};ext=${p.ssn}`, email: `<${p.email}>`, dob: `born ${p.dob}` }),
    r('ok', { ssn: p.ssn, phone: p.phone, email: p.email, dob: p.dob }),
  ];
});
await h.producer.send({ topic: TOPICS.raw, acks: -1, messages: rawHostile.map((r) => ({ key: h.serde.encodeKey(TOPICS.raw, { source: r.source, sourceRecordId: r.sourceRecordId }), value: h.serde.encodeValue(TOPICS.raw, r) })) });

// 4. Everything through, then what a reader could see.
await h.waitForIdentities(rows.map((r) => `pii:${r['record_id']}`));
await new Promise((r) => setTimeout(r, 3000)); // the hostile raw messages are behind the sample; let them settle
const quarantine: Array<{ stage: string; code: string; reason: string }> = [];
for (const { message } of await readTopic(h.kafka, TOPICS.quarantine)) {
  if (!message.value) continue;
  const q = await h.serde.decode<QuarantineRecordAvro>(message.value, 'QuarantineRecord');
  quarantine.push({ stage: q.stage, code: q.code, reason: q.reason });
}
const rawBytes = (await readTopic(h.kafka, TOPICS.raw)).map(({ message }) => message.value?.toString('latin1') ?? '').join('\n');
await ingest.stop();
await ingestHttp.close();
await lookupHttp.close();
await h.stop();
await provider.forceFlush();
const spans = exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links.map((l) => l.attributes ?? {}) }));
writeFileSync(path.join(outDir, 'http-bodies.json'), JSON.stringify(bodies));
writeFileSync(path.join(outDir, 'quarantine.json'), JSON.stringify(quarantine));
writeFileSync(path.join(outDir, 'spans.json'), JSON.stringify(spans));
writeFileSync(path.join(outDir, 'raw-topic.txt'), rawBytes);
await provider.shutdown();
// Leave a clean slate: the hostile raw messages (garbage keys) would trip tests that read identity.raw whole.
await PipelineHarness.reset();
trace.disable();
propagation.disable();
context.disable();
process.stdout.write(`# pii run: ${rows.length} sample records, ${bodies.length} HTTP answers, ${quarantine.length} quarantine entries, ${spans.length} spans\n`);
process.exit(0);
