import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceDefinition } from '../src/sourceDefinition';
import type { SourceStore } from '../src/sourceStore';

export const sampleDefinition = (name: string): SourceDefinition => ({
  name, connector: 'postgres', table: 'public.customers', idColumn: 'customer_id',
  map: { given_name: 'first_name', family_name: 'last_name' }, columnTypes: { customer_id: 'text', first_name: 'text', last_name: 'text' },
  connectorName: `idres-source-${name}`, topic: `idres.source.${name}.public.customers`,
  database: { host: '127.0.0.1', port: 5432, dbname: 'src', user: 'u' }, createdAt: new Date('2026-01-02T03:04:05Z'),
});

/** One suite for every SourceStore implementation (in memory in unit tests, Postgres in integration tests). */
export function sourceStoreSuite(name: string, make: () => Promise<SourceStore>): void {
  test(`${name}: put, get, list, replace keeps progress, remove`, async () => {
    const s = await make();
    assert.equal(await s.get('crm'), undefined);
    await s.put(sampleDefinition('crm'));
    await s.put(sampleDefinition('billing'));
    assert.deepEqual((await s.list()).map((d) => d.name), ['billing', 'crm']);
    assert.deepEqual(await s.get('crm'), sampleDefinition('crm'));
    await s.recordProgress('crm', { partition: 0, lastOffset: '9', snapshotRows: 10, changes: 0, deletes: 0, rejected: 0, lastSourceTsMs: null, at: new Date() });
    await s.put({ ...sampleDefinition('crm'), map: { given_name: 'fn' } });
    assert.deepEqual((await s.get('crm'))?.map, { given_name: 'fn' });
    assert.equal((await s.progress('crm'))?.snapshotRows, 10, 're-adding a source keeps what was applied');
    assert.equal(await s.remove('crm'), true);
    assert.equal(await s.remove('crm'), false);
    assert.equal(await s.progress('crm'), undefined);
  });

  test(`${name}: a redelivered batch (same or lower offset of its partition) counts once`, async () => {
    const s = await make();
    await s.put(sampleDefinition('crm'));
    const at = new Date('2026-01-01T00:00:00Z');
    await s.recordProgress('crm', { partition: 0, lastOffset: '99', snapshotRows: 100, changes: 0, deletes: 0, rejected: 0, lastSourceTsMs: null, at });
    await s.recordProgress('crm', { partition: 0, lastOffset: '99', snapshotRows: 100, changes: 0, deletes: 0, rejected: 0, lastSourceTsMs: null, at });
    await s.recordProgress('crm', { partition: 0, lastOffset: '50', snapshotRows: 0, changes: 5, deletes: 0, rejected: 0, lastSourceTsMs: 5, at });
    await s.recordProgress('crm', { partition: 1, lastOffset: '3', snapshotRows: 2, changes: 1, deletes: 1, rejected: 1, lastSourceTsMs: 1000, at: new Date('2026-01-01T00:00:10Z') });
    await s.recordProgress('crm', { partition: 0, lastOffset: '100', snapshotRows: 0, changes: 1, deletes: 0, rejected: 0, lastSourceTsMs: 900, at: new Date('2026-01-01T00:00:20Z') });
    const p = await s.progress('crm');
    assert.ok(p);
    assert.equal(p.snapshotRows, 102);
    assert.equal(p.changes, 2);
    assert.equal(p.deletes, 1);
    assert.equal(p.rejected, 1);
    assert.equal(p.lastSourceTsMs, 1000, 'the latest source commit time, not the last one written');
    assert.deepEqual(p.offsets, { 0: '100', 1: '3' });
    assert.equal(p.snapshotFirstAt?.toISOString(), '2026-01-01T00:00:00.000Z');
    assert.equal(p.snapshotLastAt?.toISOString(), '2026-01-01T00:00:10.000Z');
    assert.equal(p.lastEventAt?.toISOString(), '2026-01-01T00:00:20.000Z');
  });

  test(`${name}: the snapshot is requested once; errors are counted with the last one kept`, async () => {
    const s = await make();
    await s.put(sampleDefinition('crm'));
    assert.equal(await s.markSnapshotRequested('crm', new Date('2026-01-01T00:00:00Z')), true);
    assert.equal(await s.markSnapshotRequested('crm', new Date('2026-02-01T00:00:00Z')), false);
    assert.equal((await s.progress('crm'))?.snapshotRequestedAt?.toISOString(), '2026-01-01T00:00:00.000Z');
    await s.recordError('crm', 'A', 'first', new Date());
    await s.recordError('crm', 'CONNECTOR_FAILED', 'task 0 FAILED', new Date());
    const p = await s.progress('crm');
    assert.equal(p?.errors, 2);
    assert.equal(p?.lastError?.code, 'CONNECTOR_FAILED');
  });
}
