import assert from 'node:assert/strict';
import { PII_MARKER, type HostileRequest } from './httpCorpus';

export interface PostOutcome { status: number; retryAfter: string | null; text: string; accepted: string[]; answered: number }

/** POSTs one body to /records. */
export async function post(url: string, body: Buffer | string, contentType = 'application/json'): Promise<{ status: number; retryAfter: string | null; text: string }> {
  const res = await fetch(`${url}/records`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
}

interface Answer { accepted: number; rejected: number; unavailable?: number; results: Array<{ index: number; status: string; recordId?: string; code?: string; reason?: string }> }

/**
 * What must hold for any answer of ingest: never a 5xx other than a 503 with Retry-After, a JSON body that quotes
 * no value back, and for an array body one answer per record, rejected ones with a code and a reason.
 * Returns the record IDs answered accepted.
 */
export function checkAnswer(name: string, records: number | undefined, r: { status: number; retryAfter: string | null; text: string }): PostOutcome {
  assert.ok(r.status < 500 || (r.status === 503 && r.retryAfter !== null), `${name}: status ${r.status} (${r.text.slice(0, 200)})`);
  const body = JSON.parse(r.text) as Partial<Answer> & { error?: string; message?: string };
  // Record IDs are echoed by design (recordId); nothing else may carry a value of the request.
  const withoutIds = JSON.stringify(body, (k, v: unknown) => (k === 'recordId' ? undefined : v));
  assert.ok(!withoutIds.includes(PII_MARKER), `${name}: the answer quotes a value back: ${withoutIds.slice(0, 300)}`);
  const accepted: string[] = [];
  if (Array.isArray(body.results)) {
    if (records !== undefined) assert.equal(body.results.length, records, `${name}: one answer per record`);
    body.results.forEach((x, i) => {
      assert.equal(x.index, i, `${name}: answers in order`);
      assert.ok(['accepted', 'rejected', 'unavailable'].includes(x.status), `${name}: status ${x.status}`);
      if (x.status === 'accepted') {
        assert.ok(x.recordId, `${name}: accepted record ${i} has its ID`);
        accepted.push(x.recordId);
      } else {
        assert.ok(x.code && x.reason, `${name}: record ${i} refused without code and reason`);
      }
    });
    assert.equal(body.accepted, accepted.length, `${name}: accepted count`);
    assert.equal((body.accepted ?? 0) + (body.rejected ?? 0) + (body.unavailable ?? 0), body.results.length, `${name}: counts add up`);
  } else {
    assert.ok(r.status >= 400, `${name}: a ${r.status} without per-record answers`);
    assert.ok(typeof body.error === 'string' && typeof body.message === 'string', `${name}: error body has a code and a message: ${r.text.slice(0, 200)}`);
  }
  return { ...r, accepted, answered: Array.isArray(body.results) ? body.results.length : 0 };
}

/** The corpus item's own expectations (status, which indexes accepted or rejected with which code). */
export function checkExpected(req: HostileRequest, r: { status: number; text: string }): void {
  assert.ok(req.expect.includes(r.status), `${req.name}: status ${r.status}, expected ${req.expect.join('/')}: ${r.text.slice(0, 300)}`);
  if (!req.accepted && !req.rejected) return;
  const body = JSON.parse(r.text) as Answer;
  for (const i of req.accepted ?? []) assert.equal(body.results[i]?.status, 'accepted', `${req.name}: record ${i} accepted (${JSON.stringify(body.results[i])})`);
  for (const { index, code } of req.rejected ?? []) {
    assert.equal(body.results[index]?.status, 'rejected', `${req.name}: record ${index} rejected`);
    assert.equal(body.results[index]?.code, code, `${req.name}: record ${index} code (${body.results[index]?.reason})`);
  }
}
