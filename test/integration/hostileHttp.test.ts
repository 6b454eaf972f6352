// Part 3 of "nothing is lost under faults": a seeded hostile corpus and property-based fuzzing (from ingest's own
// OpenAPI document) against the real ingest app on a free loopback port and the real Kafka and registry. Every
// item gets an answer per record, no 5xx, no value quoted back, the service stays up, memory stays bounded, and
// exactly the records answered "accepted" are on identity.raw.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TOPICS, type RecordKey } from '@idres/runtime';
import { DEFAULT_BODY_LIMIT } from '../../services/ingest/src/app';
import { OPENAPI_DOCUMENT } from '../../services/ingest/src/openapi';
import { PII_MARKER, hostileHttpCorpus } from '../hostile/httpCorpus';
import { checkAnswer, checkExpected, post } from '../hostile/answers';
import { readTopic } from '../hostile/topicReader';
import { startIngest, type IngestServer } from '../hostile/ingestServer';

let s: IngestServer;
const runId = `${process.pid}x${Date.now().toString(36)}`;
const acceptedIds = new Set<string>();
const stats = { requests: 0, records: 0, accepted: 0, statuses: {} as Record<string, number>, rssBeforeMb: 0, rssAfterMb: 0 };

before(async () => { s = await startIngest(); });
after(async () => {
  await s?.close();
  process.stdout.write(`# hostile HTTP: ${JSON.stringify(stats)}\n`);
});

const rssMb = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024);

test('hostile corpus: every item answered per record, no 5xx, nothing quoted back, memory bounded', { timeout: 120_000 }, async () => {
  const passes: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    // The corpus is rebuilt per pass (it holds a 16 MB body) and dropped after, so RSS shows what ingest keeps.
    for (const req of hostileHttpCorpus(42 + pass, `${runId}p${pass}`, DEFAULT_BODY_LIMIT)) {
      const r = checkAnswer(req.name, req.records, await post(s.url, req.body, req.contentType));
      checkExpected(req, r);
      stats.requests++;
      stats.records += r.answered;
      stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
      for (const id of r.accepted) acceptedIds.add(id);
    }
    const health = await fetch(`${s.url}/health`);
    assert.equal(health.status, 200, 'ingest is still up');
    global.gc?.();
    passes.push(rssMb());
    if (pass === 0) stats.rssBeforeMb = passes[0]!;
  }
  stats.rssAfterMb = passes[2]!;
  stats.accepted = acceptedIds.size;
  // The first pass warms up (JIT, Kafka buffers); the later ones must not keep growing.
  assert.ok(passes[2]! - passes[1]! < 150, `RSS grew from ${passes[1]} MB to ${passes[2]} MB between identical passes`);
  assert.ok(s.logLines.every((l) => !l.includes(PII_MARKER)), 'a log line quotes a value');
});

/** A fast-check arbitrary from the subset of JSON Schema the OpenAPI document uses, with hostile detours. */
type Schema = { type?: string; properties?: Record<string, Schema>; additionalProperties?: Schema | boolean; required?: readonly string[]; oneOf?: readonly Schema[]; items?: Schema; maxLength?: number; minLength?: number; maxItems?: number; pattern?: string };
function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ unit: 'binary' }), fc.object({ maxDepth: 2 }), fc.array(fc.string(), { maxLength: 5 }));
  const exact = ((): fc.Arbitrary<unknown> => {
    if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => fromSchema(s, depth + 1)));
    switch (schema.type) {
      case 'string': return fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ':', '-', '\u0000', '\ud800', 'é', '🙂', "'", '<'), minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
      case 'number': return fc.oneof(fc.integer(), fc.double({ noNaN: true }));
      case 'integer': return fc.integer();
      case 'array': return fc.array(fromSchema(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 20, 20) });
      case 'object': {
        const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, fromSchema(v, depth + 1)]));
        const known = fc.record(props, { requiredKeys: [...(schema.required ?? [])] });
        const extra = typeof schema.additionalProperties === 'object' ? fc.dictionary(fc.string({ maxLength: 12 }), fromSchema(schema.additionalProperties, depth + 1), { maxKeys: 4 }) : fc.constant({});
        return fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      default: return fc.jsonValue({ maxDepth: 2 });
    }
  })();
  return depth === 0 ? exact : fc.oneof({ arbitrary: exact, weight: 4 }, { arbitrary: hostile, weight: 1 });
}

test('property-based fuzzing from the OpenAPI document: answers per record, never 5xx, accepted means produced', { timeout: 120_000 }, async () => {
  const op = OPENAPI_DOCUMENT.paths['/records'].post;
  const bodySchema = op.requestBody.content['application/json'].schema as unknown as Schema;
  const declared = Object.keys(op.responses).map(Number);
  let n = 0;
  const records = fromSchema(bodySchema).map((body) => (Array.isArray(body) ? body.map((r) => (typeof r === 'object' && r !== null && !Array.isArray(r) ? { ...r, source: `fuzz${runId}`, ...('sourceRecordId' in r ? {} : { sourceRecordId: `f${n++}` }) } : r)) : body));
  const bodies = fc.oneof({ arbitrary: records, weight: 6 }, { arbitrary: fc.jsonValue(), weight: 1 }, { arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), weight: 1 });
  await fc.assert(fc.asyncProperty(bodies, async (body) => {
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body) ?? 'null');
    const r = checkAnswer('fuzz', Array.isArray(body) ? body.length : undefined, await post(s.url, raw));
    assert.ok(declared.includes(r.status), `status ${r.status} is not in the OpenAPI document`);
    stats.requests++;
    stats.records += r.answered;
    stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
    for (const id of r.accepted) acceptedIds.add(id);
  }), { seed: 20240611, numRuns: 400 });
  assert.equal((await fetch(`${s.url}/health`)).status, 200);
});

test('exactly the records answered "accepted" are on identity.raw', { timeout: 120_000 }, async () => {
  const onTopic = new Set<string>();
  for (const { message } of await readTopic(s.kafka, TOPICS.raw)) {
    if (!message.key) continue;
    const key = await s.serde.decode<RecordKey>(message.key, 'RecordKey');
    onTopic.add(`${key.source}:${key.sourceRecordId}`);
  }
  const missing = [...acceptedIds].filter((id) => !onTopic.has(id));
  // Records of this run (its run ID is in every source and generated ID) that no answer called accepted.
  const unanswered = [...onTopic].filter((id) => id.includes(runId) && !acceptedIds.has(id));
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} accepted records are not on identity.raw`);
  assert.deepEqual(unanswered.slice(0, 5), [], `${unanswered.length} records on identity.raw were not answered accepted`);
  assert.ok(acceptedIds.size > 10_000, `the corpus accepted ${acceptedIds.size} records`);
});
