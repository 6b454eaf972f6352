import { mapRow } from '@idres/core/rowMapping';
import type { InputRecord } from '@idres/core/inputRecord';
import type { ChangeEvent, ChangeRow } from './changeEvent';
import type { SourceDefinition } from './sourceDefinition';

/** What one change event does to idres: a record's latest version, its delete, or a refusal with a reason. */
export type RecordChange =
  | { kind: 'upsert'; record: InputRecord; snapshot: boolean }
  | { kind: 'delete'; source: string; sourceRecordId: string }
  | { kind: 'rejected'; code: string; reason: string };

const MS_PER_DAY = 86_400_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const isoDate = (d: Date): string => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/**
 * A column value as text, the way the file entrance would have it. Debezium's JSON (without schemas) sends a
 * `date` as days since 1970-01-01 and a `timestamp` (without time zone) as microseconds since the epoch
 * (time.precision.mode=adaptive_time_microseconds); text, numerics (decimal.handling.mode=string) and
 * timestamptz arrive as strings.
 */
export function columnText(value: unknown, pgType: string | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (pgType === 'date') return isoDate(new Date(value * MS_PER_DAY));
    if (pgType === 'timestamp without time zone') return new Date(Math.floor(value / 1000)).toISOString().replace('Z', '');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

function rowText(row: ChangeRow, types: Readonly<Record<string, string>>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(row)) out[k] = columnText(v, types[k]);
  return out;
}

/**
 * The one mapping from a change event to idres: the same mapRow (and so the same validation) as the file and HTTP
 * entrances. The record ID is the source's own key (the event key, or the row's ID column).
 */
export function changeToRecord(event: ChangeEvent, key: ChangeRow | null, def: Pick<SourceDefinition, 'name' | 'idColumn' | 'map' | 'columnTypes'>): RecordChange {
  const idFrom = (row: ChangeRow | null): string | undefined => (row ? columnText(row[def.idColumn], def.columnTypes[def.idColumn]) : undefined);
  if (event.op === 'd') {
    const id = idFrom(key) ?? idFrom(event.before);
    if (id === undefined || id === '') return { kind: 'rejected', code: 'ID_INVALID', reason: `delete event has no ${def.idColumn} in its key or before-row` };
    return { kind: 'delete', source: def.name, sourceRecordId: id };
  }
  const row = rowText(event.after!, def.columnTypes);
  const keyId = idFrom(key);
  if (keyId !== undefined) row[def.idColumn] = keyId;
  const r = mapRow(row, { idColumn: def.idColumn, map: def.map, source: def.name });
  if ('error' in r) return { kind: 'rejected', code: r.code, reason: r.error };
  return { kind: 'upsert', record: r.ok, snapshot: event.op === 'r' };
}
