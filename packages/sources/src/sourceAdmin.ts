import { CANONICAL_FIELDS } from '@idres/core';
import type { ConnectClient } from './connectClient';
import { traceHeadline } from './connectClient';
import { debeziumConnectorConfig } from './debeziumConnectorConfig';
import { checkColumnName, checkSourceName, connectorNameOf, parseTableName, signalTableOf, slotNameOf, topicPrefixOf, type ConnectorKind, type SourceDefinition } from './sourceDefinition';
import type { SourceDatabase } from './sourceDatabase';
import { SourceError } from './sourceErrors';
import type { SourceStore } from './sourceStore';

export interface SourceAdminDeps {
  store: SourceStore;
  connect: ConnectClient;
  /** The source database, as idres (and the connector) reach it. */
  db: SourceDatabase;
  /** Creates the change topic (idempotent) before the connector writes to it, so its partitions are ours. */
  createTopic: (topic: string, partitions: number) => Promise<void>;
  log: (msg: string) => void;
}

export interface AddSourceOptions {
  name: string;
  connector: ConnectorKind;
  table: string;
  idColumn: string;
  map: Record<string, string>;
  /** How the connector reaches the database (host/port may differ from idres' own view in a deployment). */
  database: { host: string; port: number; dbname: string; user: string; password: string };
  partitions: number;
  replicationFactor?: number;
  snapshotChunkSize?: number;
  /** How long to wait for the connector to run and its slot to be active. */
  timeoutMs?: number;
}

const CANONICAL = new Set<string>(CANONICAL_FIELDS);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Registers a source: checks the table (it exists, the ID column is its primary key, every mapped column is
 * there), stores the mapping, creates the change topic, registers the Debezium connector through Connect's REST
 * API, waits until it streams, then asks once for the incremental snapshot of the table. Running it again with
 * the same name updates the mapping and the connector and resumes where the source was (no second snapshot).
 */
export async function addSource(o: AddSourceOptions, deps: SourceAdminDeps): Promise<SourceDefinition> {
  checkSourceName(o.name);
  const { schema, table } = parseTableName(o.table);
  checkColumnName(o.idColumn);
  for (const col of Object.values(o.map)) checkColumnName(col);
  if (!Object.keys(o.map).some((f) => CANONICAL.has(f))) throw new SourceError('SOURCE_INVALID', `no canonical field mapped; use --map given_name=COL,family_name=COL,... (canonical fields: ${CANONICAL_FIELDS.join(', ')})`);
  const wal = await deps.db.walLevel();
  if (wal !== 'logical') throw new SourceError('SOURCE_WAL_LEVEL', `the source database has wal_level=${wal}; Debezium needs wal_level=logical (ALTER SYSTEM SET wal_level = logical, then restart Postgres)`);
  const shape = await deps.db.tableShape(schema, table);
  if (!shape) throw new SourceError('SOURCE_TABLE_INVALID', `table ${schema}.${table} does not exist in database ${o.database.dbname} (or idres cannot see it)`);
  const cols = Object.keys(shape.columns);
  if (shape.primaryKey.length !== 1 || shape.primaryKey[0] !== o.idColumn) {
    throw new SourceError('SOURCE_TABLE_INVALID', `--id-column ${o.idColumn} must be the primary key of ${schema}.${table} (its primary key is ${shape.primaryKey.length ? shape.primaryKey.join(', ') : 'missing'}): the key orders the snapshot chunks and keys the change events`);
  }
  for (const [field, col] of Object.entries(o.map)) {
    if (!cols.includes(col)) throw new SourceError('SOURCE_TABLE_INVALID', `--map ${field}=${col}: no column ${col} in ${schema}.${table} (columns: ${cols.join(', ')})`);
  }
  const captured = [...new Set([o.idColumn, ...Object.values(o.map)])];
  const def: SourceDefinition = {
    name: o.name,
    connector: o.connector,
    table: `${schema}.${table}`,
    idColumn: o.idColumn,
    map: o.map,
    columnTypes: Object.fromEntries(captured.map((c) => [c, shape.columns[c]!])),
    connectorName: connectorNameOf(o.name),
    topic: `${topicPrefixOf(o.name)}.${schema}.${table}`,
    database: { host: o.database.host, port: o.database.port, dbname: o.database.dbname, user: o.database.user },
    createdAt: (await deps.store.get(o.name))?.createdAt ?? new Date(),
  };
  await deps.db.ensureSignalTable(signalTableOf(o.name));
  await deps.createTopic(def.topic, o.partitions);
  await deps.store.put(def);
  await deps.connect.putConfig(def.connectorName, debeziumConnectorConfig(def, {
    password: o.database.password, partitions: o.partitions, replicationFactor: o.replicationFactor ?? 1, snapshotChunkSize: o.snapshotChunkSize ?? 4096,
  }));
  deps.log(`connector ${def.connectorName} registered; waiting until it streams`);
  await waitStreaming(def, deps, o.timeoutMs ?? 90_000);
  // The signal is read from the WAL, so it is written only once the slot exists and the connector follows it.
  if (await deps.store.markSnapshotRequested(o.name, new Date())) {
    await deps.db.signalIncrementalSnapshot(signalTableOf(o.name), `idres-snapshot-${o.name}-${Date.now()}`, def.table);
    deps.log(`incremental snapshot of ${def.table} requested (about ${Math.max(0, Math.round(shape.estimatedRows))} rows by pg_class.reltuples)`);
  } else {
    deps.log('snapshot was requested before; the connector resumes from its offsets');
  }
  return def;
}

async function waitStreaming(def: SourceDefinition, deps: SourceAdminDeps, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not registered yet';
  while (Date.now() < deadline) {
    const st = await deps.connect.status(def.connectorName);
    const failed = st?.tasks.find((t) => t.state === 'FAILED') ?? (st?.connector.state === 'FAILED' ? { id: -1, ...st.connector } : undefined);
    if (failed) throw new SourceError('CONNECTOR_FAILED', `connector ${def.connectorName} failed: ${traceHeadline(failed.trace) ?? 'no trace'} (fix the cause, then run the same idres source add again)`);
    const slot = await deps.db.slot(slotNameOf(def.name));
    if (st?.connector.state === 'RUNNING' && st.tasks.length > 0 && st.tasks.every((t) => t.state === 'RUNNING') && slot?.active) return;
    last = `connector ${st?.connector.state ?? 'absent'}, tasks ${st?.tasks.map((t) => t.state).join(',') || 'none'}, slot ${slot ? (slot.active ? 'active' : 'inactive') : 'absent'}`;
    await sleep(500);
  }
  throw new SourceError('TIMEOUT', `connector ${def.connectorName} did not start streaming within ${Math.round(timeoutMs / 1000)} s (${last}); see the Connect worker's log`);
}

/**
 * Deletes the connector (after resetting its offsets, so a source added again under the same name starts afresh),
 * its slot, publication, signal table and change topic, and idres' definition; records already in idres stay.
 */
export async function removeSource(name: string, deps: Omit<SourceAdminDeps, 'createTopic'> & { deleteTopic?: (topic: string) => Promise<void> }): Promise<boolean> {
  const def = await deps.store.get(name);
  if (!def) throw new SourceError('SOURCE_UNKNOWN', `no source named ${name} (idres source list)`);
  await forgetConnector(deps.connect, def.connectorName);
  await deps.db.dropSourceObjects(slotNameOf(name), slotNameOf(name), signalTableOf(name));
  await deps.deleteTopic?.(def.topic);
  return deps.store.remove(name);
}

/** Stop, reset offsets, delete: Connect keeps a deleted connector's offsets otherwise. */
export async function forgetConnector(connect: ConnectClient, connectorName: string): Promise<void> {
  if (!(await connect.status(connectorName))) return;
  await connect.stop(connectorName);
  for (let i = 0; i < 60; i++) {
    const st = await connect.status(connectorName);
    if (!st || st.connector.state === 'STOPPED') break;
    await sleep(250);
  }
  await connect.resetOffsets(connectorName);
  await connect.delete(connectorName);
}
