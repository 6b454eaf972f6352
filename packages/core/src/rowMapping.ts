import { validateInputRecord, type InputResult } from './inputRecord';

/**
 * How a source row becomes an input record: the one mapping the CLI (files), the change-data-capture consumer
 * (database rows) and anything else that reads rows share, so `--map` means the same everywhere.
 */
export interface RowMapping {
  idColumn: string;
  /** canonical field (or attribute name) -> input column */
  map: Record<string, string>;
  source: string;
}

/** Maps one row (column -> text) and validates it as ingest does; empty values count as absent. */
export function mapRow(row: Readonly<Record<string, string | undefined>>, m: RowMapping): InputResult {
  const obj: Record<string, string> = { source: m.source, sourceRecordId: row[m.idColumn] ?? '' };
  for (const [field, col] of Object.entries(m.map)) {
    const v = row[col];
    if (v !== undefined && v !== '') obj[field] = v;
  }
  return validateInputRecord(obj);
}

/** Parses `--map given_name=first_name,family_name=last` (canonical field or attribute = column). */
export function parseMapSpec(spec: string): { ok: Record<string, string> } | { error: string } {
  const map: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const [field, col, extra] = part.split('=').map((s) => s.trim());
    if (!field || !col || extra !== undefined) return { error: `--map entries must look like canonical=column, got "${part}"` };
    map[field] = col;
  }
  return { ok: map };
}
