import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeToRecord, columnText } from '../src/changeToRecord';
import { decodeConnectJson, parseChangeEvent } from '../src/changeEvent';
import { sampleDefinition } from './sourceStoreSuite';

const def = { ...sampleDefinition('crm'), map: { given_name: 'first_name', family_name: 'last_name', dob: 'dob', tier: 'tier' }, columnTypes: { customer_id: 'text', first_name: 'text', last_name: 'text', dob: 'date', tier: 'integer' } };
const ev = (op: string, after: Record<string, unknown> | null, before: Record<string, unknown> | null = null, snapshot = 'false') => ({ op, before, after, source: { ts_ms: 1000, snapshot }, ts_ms: 1100 });

test('an insert or update becomes the record (latest version) with the source key as ID, through mapRow', () => {
  const r = changeToRecord(parseChangeEvent(ev('u', { customer_id: 'c1', first_name: 'Ann', last_name: 'Lee', dob: 3653, tier: 2 })), { customer_id: 'c1' }, def);
  assert.deepEqual(r, { kind: 'upsert', snapshot: false, record: { source: 'crm', sourceRecordId: 'c1', fields: { given_name: 'Ann', family_name: 'Lee', dob: '1980-01-02' }, attributes: { tier: '2' } } });
});

test('a snapshot read is an upsert marked as snapshot; a delete is the delete, keyed by the source key', () => {
  const r = changeToRecord(parseChangeEvent(ev('r', { customer_id: 'c2', last_name: 'Ray' }, null, 'incremental')), { customer_id: 'c2' }, def);
  assert.equal(r.kind === 'upsert' && r.snapshot, true);
  assert.deepEqual(changeToRecord(parseChangeEvent(ev('d', null, { customer_id: 'c2', last_name: null })), { customer_id: 'c2' }, def), { kind: 'delete', source: 'crm', sourceRecordId: 'c2' });
  assert.deepEqual(changeToRecord(parseChangeEvent(ev('d', null, { customer_id: 'c3' })), null, def), { kind: 'delete', source: 'crm', sourceRecordId: 'c3' }, 'without a key, the before-row has the ID');
});

test('bad rows are rejected with the same codes as the other entrances, naming fields, not values', () => {
  const noFields = changeToRecord(parseChangeEvent(ev('c', { customer_id: 'c1' })), { customer_id: 'c1' }, def);
  assert.equal(noFields.kind, 'rejected');
  assert.equal(noFields.kind === 'rejected' && noFields.code, 'NO_CANONICAL_FIELD');
  const nul = changeToRecord(parseChangeEvent(ev('c', { customer_id: 'c1', first_name: 'A\u0000nn' })), { customer_id: 'c1' }, def);
  assert.equal(nul.kind === 'rejected' && nul.code, 'FIELD_CHARACTERS');
  assert.ok(nul.kind === 'rejected' && !nul.reason.includes('nn'), 'the reason does not quote the value');
  assert.equal(changeToRecord(parseChangeEvent(ev('d', null, null)), null, def).kind, 'rejected');
});

test('malformed events are refused with CHANGE_EVENT_INVALID; schema-wrapped JSON is read too', () => {
  assert.throws(() => parseChangeEvent({ op: 'x' }), (e: Error & { code?: string }) => e.code === 'CHANGE_EVENT_INVALID');
  assert.throws(() => parseChangeEvent({ op: 'c', after: null }), (e: Error & { code?: string }) => e.code === 'CHANGE_EVENT_INVALID');
  assert.throws(() => parseChangeEvent('text'), (e: Error & { code?: string }) => e.code === 'CHANGE_EVENT_INVALID');
  assert.throws(() => decodeConnectJson(Buffer.from('{not json')), (e: Error & { code?: string }) => e.code === 'CHANGE_EVENT_INVALID');
  const wrapped = parseChangeEvent({ schema: {}, payload: ev('c', { customer_id: 'c1', first_name: 'Ann' }) });
  assert.equal(wrapped.op, 'c');
  assert.equal(wrapped.sourceTsMs, 1000);
});

test('column values as text: dates from epoch days, timestamps from microseconds, the rest as given', () => {
  assert.equal(columnText(7367, 'date'), '1990-03-04');
  assert.equal(columnText(-1, 'date'), '1969-12-31');
  assert.equal(columnText(1_700_000_000_123_456, 'timestamp without time zone'), '2023-11-14T22:13:20.123');
  assert.equal(columnText('2026-01-01T00:00:00Z', 'timestamp with time zone'), '2026-01-01T00:00:00Z');
  assert.equal(columnText('12.50', 'numeric'), '12.50');
  assert.equal(columnText(true, 'boolean'), 'true');
  assert.equal(columnText(null, 'text'), undefined);
});
