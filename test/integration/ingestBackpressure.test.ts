// Part 4 of "nothing is lost under faults": past its bound on in-flight requests ingest answers 503 with
// Retry-After instead of queueing without bound, and every record answered "accepted" is on identity.raw while
// nothing of a refused request is. Real ingest app on a free port, real Kafka and registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { TOPICS, type RecordKey } from '@idres/runtime';
import { startIngest } from '../hostile/ingestServer';
import { readTopic } from '../hostile/topicReader';
import { checkAnswer, post, type PostOutcome } from '../hostile/answers';

/** A POST whose body is held back after its first half, so the request stays in flight until finish(). */
function heldPost(url: string, body: string): { finish: () => Promise<{ status: number; retryAfter: string | null; text: string }> } {
  const u = new URL(`${url}/records`);
  const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const answer = new Promise<{ status: number; retryAfter: string | null; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, text }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  req.flushHeaders();
  return { finish: async () => { req.end(body.slice(half)); return answer; } };
}

test('over the in-flight bound: 503 with Retry-After, accepted records all on identity.raw, refused ones not', { timeout: 120_000 }, async () => {
  const bound = 2;
  const s = await startIngest({ maxInflightRequests: bound, retryAfterSeconds: 3 });
  const source = `bp${process.pid}x${Date.now().toString(36)}`;
  const bodyOf = (n: number): string => JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ source, sourceRecordId: `${n}-${i}`, given_name: 'Ann', family_name: 'Lee', postcode: '10027' })));
  try {
    // Fill the bound with requests that stay in flight, then wait until ingest refuses a probe.
    const held = Array.from({ length: bound }, (_, k) => heldPost(s.url, bodyOf(1000 + k)));
    const answers: PostOutcome[] = [];
    let probe = 0;
    for (; probe < 100; probe++) {
      const a = checkAnswer('probe', 100, await post(s.url, bodyOf(2000 + probe)));
      answers.push(a);
      if (a.status === 503) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(probe < 100, 'ingest never reached its in-flight bound');
    // A burst while the bound is full: every request is refused at once, before its body is read.
    const burst = await Promise.all(Array.from({ length: 60 }, (_, n) => post(s.url, bodyOf(n)).then((r) => checkAnswer('burst', 100, r))));
    assert.deepEqual(burst.map((a) => a.status), burst.map(() => 503), 'every request over the bound is refused');
    answers.push(...burst);
    for (const h of held) answers.push(checkAnswer('held', 100, await h.finish()));
    const refused = answers.filter((a) => a.status === 503);
    for (const a of refused) {
      assert.equal(a.retryAfter, '3', 'a 503 carries Retry-After');
      assert.equal((JSON.parse(a.text) as { error: string }).error, 'OVERLOADED');
    }
    assert.ok(answers.slice(-bound).every((a) => a.status === 200), 'the held requests were accepted');
    const accepted = new Set(answers.flatMap((a) => a.accepted));
    assert.equal(accepted.size, answers.filter((a) => a.status === 200).length * 100);
    const onTopic = new Set<string>();
    for (const { message } of await readTopic(s.kafka, TOPICS.raw)) {
      const k = message.key ? await s.serde.decode<RecordKey>(message.key, 'RecordKey') : undefined;
      if (k?.source === source) onTopic.add(`${k.source}:${k.sourceRecordId}`);
    }
    assert.deepEqual([...accepted].filter((id) => !onTopic.has(id)), [], 'every accepted record is on identity.raw');
    assert.deepEqual([...onTopic].filter((id) => !accepted.has(id)), [], 'nothing of a refused request is on identity.raw');
    // Once the burst is over the service takes requests again.
    assert.equal((await post(s.url, bodyOf(0))).status, 200);
    process.stdout.write(`# back-pressure: ${answers.length} requests, ${refused.length} answered 503, ${accepted.size} records accepted and on identity.raw\n`);
  } finally {
    await s.close();
  }
});
