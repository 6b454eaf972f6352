// Part 4 of "nothing is lost under faults": past its bound on in-flight requests ingest answers 503 with
// Retry-After instead of queueing without bound, and every record answered "accepted" is on identity.raw while
// nothing of a refused request is. Real ingest app on a free port, real Kafka and registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS, type RecordKey } from '@idres/runtime';
import { startIngest } from '../hostile/ingestServer';
import { readTopic } from '../hostile/topicReader';
import { checkAnswer, post } from '../hostile/answers';

test('over the in-flight bound: 503 with Retry-After, accepted records all on identity.raw, refused ones not', { timeout: 120_000 }, async () => {
  const s = await startIngest({ maxInflightRequests: 2, retryAfterSeconds: 3 });
  const source = `bp${process.pid}x${Date.now().toString(36)}`;
  try {
    const bodies = Array.from({ length: 60 }, (_, n) => JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ source, sourceRecordId: `${n}-${i}`, given_name: 'Ann', family_name: 'Lee', postcode: '10027' }))));
    const answers = await Promise.all(bodies.map(async (b) => checkAnswer('burst', 100, await post(s.url, b))));
    const statuses = answers.map((a) => a.status);
    const refused = answers.filter((a) => a.status === 503);
    assert.ok(refused.length > 0, `no request was refused: ${statuses.join(',')}`);
    assert.ok(answers.some((a) => a.status === 200), 'some requests were accepted');
    for (const a of refused) {
      assert.equal(a.retryAfter, '3', 'a 503 carries Retry-After');
      assert.equal((JSON.parse(a.text) as { error: string }).error, 'OVERLOADED');
    }
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
    assert.equal((await post(s.url, bodies[0]!)).status, 200);
    process.stdout.write(`# back-pressure: ${answers.length} concurrent requests, ${refused.length} answered 503, ${accepted.size} records accepted and on identity.raw\n`);
  } finally {
    await s.close();
  }
});
