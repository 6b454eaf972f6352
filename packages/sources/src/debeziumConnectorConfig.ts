import { connectorNameOf, parseTableName, signalTableOf, slotNameOf, topicPrefixOf, type SourceDefinition } from './sourceDefinition';

export interface ConnectorConfigOptions {
  password: string;
  /** Partitions of the change topic (it is created by idres before the connector starts). */
  partitions: number;
  replicationFactor: number;
  /** Rows per incremental-snapshot chunk: what one snapshot step holds in memory. */
  snapshotChunkSize: number;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The Debezium PostgreSQL connector's configuration for one source.
 * - pgoutput (built into Postgres 10+), a slot and a filtered publication of its own.
 * - snapshot.mode=no_data plus an incremental snapshot asked for through the signal table: it reads the table in
 *   primary-key chunks, records its position in the connector's offsets and resumes there after a restart (the
 *   blocking initial snapshot would start over), while streaming runs beside it.
 * - Only the ID and mapped columns are captured (column.include.list): other columns never leave the database.
 * - JSON without schemas; idres knows the column types from the table (SourceDefinition.columnTypes).
 */
export function debeziumConnectorConfig(def: SourceDefinition, o: ConnectorConfigOptions): Record<string, string> {
  const { schema, table } = parseTableName(def.table);
  const columns = [...new Set([def.idColumn, ...Object.values(def.map)])];
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': def.database.host,
    'database.port': String(def.database.port),
    'database.user': def.database.user,
    'database.password': o.password,
    'database.dbname': def.database.dbname,
    'topic.prefix': topicPrefixOf(def.name),
    'plugin.name': 'pgoutput',
    'slot.name': slotNameOf(def.name),
    'publication.name': slotNameOf(def.name),
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `${schema}.${table},${signalTableOf(def.name)}`,
    'column.include.list': [...columns.map((c) => `${escapeRegex(schema)}\\.${escapeRegex(table)}\\.${escapeRegex(c)}`), `${escapeRegex(signalTableOf(def.name))}\\..*`].join(','),
    'signal.data.collection': signalTableOf(def.name),
    'signal.enabled.channels': 'source',
    'snapshot.mode': 'no_data',
    'incremental.snapshot.chunk.size': String(o.snapshotChunkSize),
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'decimal.handling.mode': 'string',
    'tombstones.on.delete': 'false',
    // Heartbeats let the slot's confirmed position advance while the table is quiet but the database is not.
    'heartbeat.interval.ms': '10000',
    'topic.creation.default.replication.factor': String(o.replicationFactor),
    'topic.creation.default.partitions': String(o.partitions),
    'errors.retry.timeout': '-1',
  };
}

export { connectorNameOf };
