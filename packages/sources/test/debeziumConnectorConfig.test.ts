import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debeziumConnectorConfig } from '../src/debeziumConnectorConfig';
import { checkSourceName, parseTableName } from '../src/sourceDefinition';
import { snapshotRate, snapshotRunning, snapshotState, stallReason, DEFAULT_STALL_RULES } from '../src/sourceStatus';
import { emptyProgress } from '../src/sourceDefinition';
import { sampleDefinition } from './sourceStoreSuite';

test('the connector captures only the ID and mapped columns, snapshots incrementally, and writes plain JSON', () => {
  const c = debeziumConnectorConfig(sampleDefinition('crm'), { password: 'pw', partitions: 6, replicationFactor: 1, snapshotChunkSize: 1024 });
  assert.equal(c['plugin.name'], 'pgoutput');
  assert.equal(c['snapshot.mode'], 'no_data');
  assert.equal(c['signal.data.collection'], 'idres.signal_crm');
  assert.equal(c['table.include.list'], 'public.customers,idres.signal_crm');
  assert.equal(c['column.include.list'], 'public\\.customers\\.customer_id,public\\.customers\\.first_name,public\\.customers\\.last_name,idres\\.signal_crm\\..*');
  assert.equal(c['slot.name'], 'idres_crm');
  assert.equal(c['topic.prefix'], 'idres.source.crm');
  assert.equal(c['value.converter.schemas.enable'], 'false');
  assert.equal(c['incremental.snapshot.chunk.size'], '1024');
});

test('names and tables are checked before they reach SQL or Connect', () => {
  assert.throws(() => checkSourceName('Bad-Name'), /source name/);
  assert.throws(() => checkSourceName(''), /source name/);
  checkSourceName('crm_2');
  assert.deepEqual(parseTableName('customers'), { schema: 'public', table: 'customers' });
  assert.deepEqual(parseTableName('sales.customers'), { schema: 'sales', table: 'customers' });
  assert.throws(() => parseTableName('a.b.c'), /schema\.table/);
  assert.throws(() => parseTableName('x; drop table y'), /schema\.table/);
});

test('snapshot progress: state from the connector offsets, rate and ETA from rows applied and reltuples', () => {
  assert.equal(snapshotRunning({ offsets: [{ partition: {}, offset: { lsn: 1, incremental_snapshot_primary_key: 'abc' } }] }), true);
  assert.equal(snapshotRunning({ offsets: [{ partition: {}, offset: { lsn: 1 } }] }), false);
  const p = { ...emptyProgress(), snapshotRequestedAt: new Date(0), snapshotFirstAt: new Date(1000), snapshotLastAt: new Date(10_000), snapshotRows: 5000 };
  assert.equal(snapshotState(p, true), 'running');
  assert.equal(snapshotState(p, false, new Date(15_000)), 'applying', 'read by Debezium, rows still being applied');
  assert.equal(snapshotState(p, false, new Date(60_000)), 'done');
  assert.equal(snapshotState(emptyProgress(), false), 'not requested');
  const r = snapshotRate(p, 15_000, new Date());
  assert.equal(r.rowsPerSecond, 500);
  assert.equal(r.etaSeconds, 20);
});

test('a stall: connector not running, slot without reader, or WAL piling up with nothing applied', () => {
  const now = new Date(1_000_000);
  const ok = { connector: { state: 'RUNNING', tasks: ['0:RUNNING'] }, slot: { active: true, lagBytes: 0 } };
  const fresh = { ...emptyProgress(), lastEventAt: new Date(999_000) };
  assert.equal(stallReason(ok, fresh, DEFAULT_STALL_RULES, now), null);
  assert.match(stallReason({ ...ok, connector: { state: 'RUNNING', tasks: ['0:FAILED'], error: 'boom' } }, fresh, DEFAULT_STALL_RULES, now)!, /0:FAILED: boom/);
  assert.match(stallReason({ ...ok, slot: { active: false, lagBytes: 0 } }, fresh, DEFAULT_STALL_RULES, now)!, /no reader/);
  const old = { ...emptyProgress(), lastEventAt: new Date(0) };
  assert.match(stallReason({ ...ok, slot: { active: true, lagBytes: 100 * 1024 * 1024 } }, old, DEFAULT_STALL_RULES, now)!, /bytes of WAL ahead/);
  assert.equal(stallReason({ ...ok, slot: { active: true, lagBytes: 100 * 1024 * 1024 } }, fresh, DEFAULT_STALL_RULES, now), null, 'behind but applying: catching up, not stalled');
});
