import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySourceStore, type SourceDefinition } from '@idres/sources';
import { sourcesOverview } from '../src/sourcesOverview';

const def = (name: string): SourceDefinition => ({
  name, connector: 'postgres', table: 'public.people', idColumn: 'id', map: { given_name: 'first' }, columnTypes: {},
  connectorName: `idres-source-${name}`, topic: `idres.source.${name}.public.people`,
  database: { host: '127.0.0.1', port: 5432, dbname: 'src', user: 'u' }, createdAt: new Date(0),
});

test('sourcesOverview: without Connect a source still shows what idres applied, its lag and its last error', async () => {
  const store = new InMemorySourceStore();
  await store.put(def('crm'));
  await store.put(def('billing'));
  const at = new Date(1_000_000);
  await store.recordProgress('crm', { partition: 0, lastOffset: '9', snapshotRows: 40, changes: 5, deletes: 2, rejected: 1, lastSourceTsMs: at.getTime() - 800, at });
  await store.recordError('crm', 'SOURCE_STALLED', 'the connector is FAILED', at);
  const rows = await sourcesOverview({ store, connect: undefined, now: new Date(at.getTime() + 60_000) });
  const crm = rows.find((r) => r.name === 'crm')!;
  assert.equal(crm.connector, 'UNREACHABLE');
  assert.deepEqual({ changes: crm.changes, deletes: crm.deletes, rejected: crm.rejected, lag: crm.lastChangeLagSeconds }, { changes: 5, deletes: 2, rejected: 1, lag: 0.8 });
  assert.equal(crm.snapshot.rowsDone, 40);
  assert.equal(crm.snapshot.state, 'not requested');
  assert.deepEqual(crm.lastError, { code: 'SOURCE_STALLED', message: 'the connector is FAILED' });
  const billing = rows.find((r) => r.name === 'billing')!;
  assert.deepEqual({ changes: billing.changes, lag: billing.lastChangeLagSeconds, error: billing.lastError }, { changes: 0, lag: null, error: null });
});
