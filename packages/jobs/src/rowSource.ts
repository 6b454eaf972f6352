import { CANONICAL_FIELDS } from '@idres/core';
import { validateInputFile } from '@idres/cli/src/validateFile';
import { fileRows } from '@idres/cli/src/fileRows';
import { resolveMapping } from '@idres/cli/src/resolveMapping';
import type { ResolveInput } from './job';
import { parquetColumns, parquetRowCount, parquetRows } from './parquetRows';
import { JobError } from './jobError';

/** Rows a job sends, in a fixed order (so a resumed job skips exactly the rows it already recorded). */
export interface RowSource {
  total: number;
  idColumn: string;
  /** canonical field (or attribute name) -> column */
  mapping: Record<string, string>;
  source: string;
  rows(): AsyncIterable<Record<string, string>>;
}

const EXT: Record<ResolveInput['format'], RegExp> = { csv: /\.csv$/i, jsonl: /\.(jsonl|ndjson)$/i, parquet: /\.parquet$/i };

/**
 * A file input, checked as `idres resolve` checks it (the same validateInputFile, fileRows and mapping check):
 * the whole file before the first row is sent, so a bad file fails with "nothing was sent".
 */
export async function openFileSource(input: ResolveInput): Promise<RowSource> {
  if (!EXT[input.format].test(input.path)) throw new JobError('INPUT_INVALID', `input ${input.path} does not end in the extension of format ${input.format}`);
  if (input.format === 'parquet') {
    const total = await parquetRowCount(input.path);
    const columns = await parquetColumns(input.path);
    if (!columns.includes(input.idColumn)) throw new JobError('INPUT_INVALID', `id column ${input.idColumn} is not a column of ${input.path} (columns: ${columns.join(', ')})`);
    const mapping = input.mapping ?? Object.fromEntries(columns.filter((c) => CANONICAL_COLUMNS.has(c)).map((c) => [c, c]));
    for (const [field, col] of Object.entries(mapping)) if (!columns.includes(col)) throw new JobError('INPUT_INVALID', `mapping ${field}=${col}: no column ${col} in ${input.path}`);
    return { total, idColumn: input.idColumn, mapping, source: input.source, rows: () => parquetRows(input.path) };
  }
  const checked = await validateInputFile(input.path);
  const mapping = await resolveMapping(input.path, input.idColumn, input.mapping);
  return { total: checked.records, idColumn: input.idColumn, mapping, source: input.source, rows: () => fileRows(input.path) };
}

const CANONICAL_COLUMNS = new Set<string>(CANONICAL_FIELDS);
