import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InboundMessage } from '@idres/runtime';
import { applyChangeBatch } from '../src/changeBatch';
import { sampleDefinition } from '../../../packages/sources/test/sourceStoreSuite';

const def = sampleDefinition('crm');
const msg = (offset: number, value: unknown, key: unknown = null): InboundMessage<unknown, unknown> =>
  ({ topic: def.topic, partition: 2, offset: String(offset), timestamp: 0, key, value, raw: {} as InboundMessage<unknown, unknown>['raw'] });
const ev = (op: string, row: Record<string, unknown> | null, snapshot = 'false') => ({ op, before: op === 'd' ? row : null, after: op === 'd' ? null : row, source: { ts_ms: 1000, snapshot } });

test('a batch becomes identity.raw records and tombstones keyed by source record, and counts once per offset', () => {
  const batch = [
    msg(10, ev('r', { customer_id: 'a', first_name: 'Ann' }, 'incremental'), { customer_id: 'a' }),
    msg(11, ev('u', { customer_id: 'b', last_name: 'Lee' }), { customer_id: 'b' }),
    msg(12, ev('d', { customer_id: 'c' }), { customer_id: 'c' }),
    msg(13, { op: 'zzz' }),
    msg(14, null, { customer_id: 'c' }),
  ];
  const b = applyChangeBatch(def, batch, undefined, new Date(3000));
  assert.deepEqual(b.result.outputs.map((o) => [o.topic, o.key, o.value === null ? null : (o.value as { given_name?: string | null; family_name?: string | null }).given_name ?? (o.value as { family_name?: string | null }).family_name]),
    [['identity.raw', { source: 'crm', sourceRecordId: 'a' }, 'Ann'], ['identity.raw', { source: 'crm', sourceRecordId: 'b' }, 'Lee'], ['identity.raw', { source: 'crm', sourceRecordId: 'c' }, null]]);
  assert.equal(b.result.rejects?.length, 1);
  assert.equal(b.result.rejects?.[0]?.code, 'CHANGE_EVENT_INVALID');
  assert.deepEqual({ ...b.delta, at: undefined }, { partition: 2, lastOffset: '14', snapshotRows: 1, changes: 1, deletes: 1, rejected: 1, lastSourceTsMs: 1000, at: undefined });
  assert.deepEqual(b.changeLagSeconds, [2, 2], 'commit -> applied, for the streamed update and delete (not the snapshot read)');
  // Redelivered after a crash: the same outputs again (idempotent downstream), but nothing counted twice.
  const again = applyChangeBatch(def, batch, 12n, new Date(3000));
  assert.equal(again.result.outputs.length, 3);
  assert.deepEqual([again.delta.snapshotRows, again.delta.changes, again.delta.deletes, again.delta.rejected], [0, 0, 0, 1]);
});
