import { SourceError } from './sourceErrors';

/** The only connector today; the type leaves room for others (MySQL, SQL Server...) behind the same store. */
export type ConnectorKind = 'postgres';

/** A source idres follows: where its rows live and how they map to records. No password is kept here. */
export interface SourceDefinition {
  /** idres source name: RawRecord.source of every record it produces (and part of slot / topic names). */
  name: string;
  connector: ConnectorKind;
  /** schema.table */
  table: string;
  /** The column whose value is the record ID (the table's primary key). */
  idColumn: string;
  /** canonical field (or attribute) -> column, the CLI's --map. */
  map: Record<string, string>;
  /** Postgres type of each captured column (Debezium sends dates as epoch days, timestamps as numbers). */
  columnTypes: Record<string, string>;
  /** Kafka Connect connector name. */
  connectorName: string;
  /** Topic the connector writes the table's change events to. */
  topic: string;
  database: { host: string; port: number; dbname: string; user: string };
  createdAt: Date;
}

/** What the consumer has applied so far: the counts behind `idres source status` and the metrics. */
export interface SourceProgress {
  snapshotRequestedAt: Date | null;
  /** Rows of the initial (incremental) snapshot applied, first and last time one was. */
  snapshotRows: number;
  snapshotFirstAt: Date | null;
  snapshotLastAt: Date | null;
  /** Streamed inserts/updates and deletes applied. */
  changes: number;
  deletes: number;
  /** Change events refused (quarantined with their reason). */
  rejected: number;
  lastEventAt: Date | null;
  /** Commit time in the source of the last streamed change applied (ms since epoch). */
  lastSourceTsMs: number | null;
  /** Highest change-topic offset applied, per partition: counts are applied once per offset. */
  offsets: Record<string, string>;
  errors: number;
  lastError: { code: string; message: string; at: Date } | null;
}

export const emptyProgress = (): SourceProgress => ({
  snapshotRequestedAt: null, snapshotRows: 0, snapshotFirstAt: null, snapshotLastAt: null, changes: 0, deletes: 0, rejected: 0,
  lastEventAt: null, lastSourceTsMs: null, offsets: {}, errors: 0, lastError: null,
});

/** What one applied batch of one partition adds to a source's progress. */
export interface ProgressDelta {
  partition: number;
  /** Highest offset in the batch; the delta is applied only if it is above the stored one. */
  lastOffset: string;
  snapshotRows: number;
  changes: number;
  deletes: number;
  rejected: number;
  lastSourceTsMs: number | null;
  at: Date;
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Source names become slot, publication and topic names: lower-case letters, digits and _. */
export function checkSourceName(name: string): void {
  if (!NAME.test(name)) throw new SourceError('SOURCE_INVALID', `source name "${name}" must be 1-40 characters of a-z, 0-9 and _, starting with a letter (it names the replication slot and topics)`);
}

/** `schema.table` or `table` (public), both plain identifiers. */
export function parseTableName(table: string): { schema: string; table: string } {
  const parts = table.split('.');
  const [schema, name] = parts.length === 1 ? ['public', parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : ['', ''];
  if (!IDENT.test(schema) || !IDENT.test(name)) throw new SourceError('SOURCE_INVALID', `--table must be schema.table of plain identifiers, got "${table}"`);
  return { schema, table: name };
}

export function checkColumnName(col: string): void {
  if (!IDENT.test(col)) throw new SourceError('SOURCE_INVALID', `column "${col}" is not a plain identifier`);
}

export const connectorNameOf = (name: string): string => `idres-source-${name}`;
export const topicPrefixOf = (name: string): string => `idres.source.${name}`;
export const slotNameOf = (name: string): string => `idres_${name}`;
export const signalTableOf = (name: string): string => `idres.signal_${name}`;
