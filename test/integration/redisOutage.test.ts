/**
 * A Redis that refuses writes for a server-wide reason (maxmemory reached) must make the consumer runner back
 * off and retry, not dead-letter the message: the 1M-record run filled a 2 GB Redis and match quarantined
 * 107k good messages. Runs its own redis-server (tiny maxmemory) so the shared stack is not disturbed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { isRetriable, RedisBlockStore } from '@idres/runtime';

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const a = s.address();
    s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
  });
});

test('redis at maxmemory: the block store error is retriable; a wrong-type error is not', async () => {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory', '2mb', '--maxmemory-policy', 'noeviction', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  // Connect once the server listens (connection refused until then).
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => { sock.destroy(); resolve(true); });
      sock.once('error', () => resolve(false));
    });
    if (up) break;
    if (i > 100) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    const store = new RedisBlockStore(redis, 'oom:');
    const values = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, 'x'.repeat(40)]));
    let failure: unknown;
    for (let batch = 0; batch < 2000 && failure === undefined; batch++) {
      try {
        await store.write({ putRecords: Array.from({ length: 100 }, (_, i) => [`r${batch}_${i}`, { v: 1, values, keys: [] }] as [string, { v: number; values: Record<string, string>; keys: [] }]) });
      } catch (e) {
        failure = e;
      }
    }
    assert.ok(failure instanceof Error && /^OOM/.test(failure.message), `writes fail with OOM once Redis is full (got ${String(failure)})`);
    assert.equal(isRetriable(failure), true, 'maxmemory is an outage: retry, do not quarantine');
    // A genuine command error stays non-retriable.
    await redis.set('oom:plain', '1').catch(() => undefined);
    const wrongType = await redis.hgetall('oom:r:r0_0').then(() => undefined, (e: unknown) => e);
    assert.ok(wrongType instanceof Error && /WRONGTYPE/.test(wrongType.message), String(wrongType));
    assert.equal(isRetriable(wrongType), false);
  } finally {
    redis.disconnect();
    server.kill('SIGKILL');
  }
});
