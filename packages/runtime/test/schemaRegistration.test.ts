import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerSchema, type FetchLike } from '../src/schemaRegistration';

type Reply = { status: number; body: unknown };
function fakeRegistry(script: Record<string, Reply[]>): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    const key = `${init.method} ${url.replace('http://r', '')}`;
    calls.push(key);
    const replies = script[key];
    const reply = replies && replies.length > 1 ? replies.shift()! : replies?.[0];
    if (!reply) throw new Error(`unexpected call ${key}`);
    return { status: reply.status, text: async () => JSON.stringify(reply.body) };
  };
  return { fetch, calls };
}
const noSleep = async (): Promise<void> => {};

// Table of what another process may have done first, and what we must then do.
const cases: Array<{ name: string; script: Record<string, Reply[]>; expectPut: boolean }> = [
  { name: 'a subject another process just created reports NONE: we set BACKWARD', expectPut: true, script: {
    'POST /subjects/t-value/versions': [{ status: 200, body: { id: 7 } }],
    'GET /config/t-value': [{ status: 200, body: { compatibilityLevel: 'NONE' } }],
    'PUT /config/t-value': [{ status: 200, body: { compatibility: 'BACKWARD' } }],
  } },
  { name: 'a subject already BACKWARD is left alone', expectPut: false, script: {
    'POST /subjects/t-value/versions': [{ status: 200, body: { id: 7 } }],
    'GET /config/t-value': [{ status: 200, body: { compatibilityLevel: 'BACKWARD' } }],
  } },
  { name: 'an operator-set FULL level is kept', expectPut: false, script: {
    'POST /subjects/t-value/versions': [{ status: 200, body: { id: 7 } }],
    'GET /config/t-value': [{ status: 200, body: { compatibilityLevel: 'FULL' } }],
  } },
  { name: 'a concurrent create answers 409 once, then the existing ID', expectPut: true, script: {
    'POST /subjects/t-value/versions': [{ status: 409, body: { error_code: 409 } }, { status: 200, body: { id: 7 } }],
    'GET /config/t-value': [{ status: 404, body: { error_code: 40401 } }],
    'PUT /config/t-value': [{ status: 200, body: {} }],
  } },
  { name: 'a registry still starting (503) is retried', expectPut: false, script: {
    'POST /subjects/t-value/versions': [{ status: 503, body: {} }, { status: 200, body: { id: 7 } }],
    'GET /config/t-value': [{ status: 200, body: { compatibilityLevel: 'BACKWARD' } }],
  } },
];

for (const c of cases) {
  test(`registerSchema: ${c.name}`, async () => {
    const reg = fakeRegistry(c.script);
    const id = await registerSchema({ url: 'http://r/', subject: 't-value', schema: '"string"', compatibility: 'BACKWARD', fetch: reg.fetch, sleep: noSleep });
    assert.equal(id, 7);
    assert.equal(reg.calls.includes('PUT /config/t-value'), c.expectPut);
  });
}

test('registerSchema: an incompatible schema (409 every time) fails with the registry answer, not retriable forever', async () => {
  const reg = fakeRegistry({ 'POST /subjects/t-value/versions': [{ status: 409, body: { message: 'incompatible' } }] });
  await assert.rejects(
    registerSchema({ url: 'http://r', subject: 't-value', schema: '"string"', fetch: reg.fetch, sleep: noSleep, attempts: 3 }),
    (err: Error & { code?: string }) => err.code === 'SCHEMA_NOT_FOUND' && /HTTP 409.*incompatible/.test(err.message),
  );
  assert.equal(reg.calls.length, 3);
});

test('registerSchema: a 422 (invalid schema) is not retried', async () => {
  const reg = fakeRegistry({ 'POST /subjects/t-value/versions': [{ status: 422, body: { message: 'bad schema' } }] });
  await assert.rejects(registerSchema({ url: 'http://r', subject: 't-value', schema: '{', fetch: reg.fetch, sleep: noSleep }), /HTTP 422/);
  assert.equal(reg.calls.length, 1);
});
