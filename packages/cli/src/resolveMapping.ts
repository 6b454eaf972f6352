import { CANONICAL_FIELDS } from '@idres/core';
import { CliError } from './cliError';
import { fileColumns } from './fileRows';

const CANONICAL = new Set<string>(CANONICAL_FIELDS);

/** The --map given, or every column named like a canonical field; checked against the file's columns. */
export async function resolveMapping(input: string, idColumn: string, given: Record<string, string> | undefined): Promise<Record<string, string>> {
  const columns = await fileColumns(input);
  if (!columns.includes(idColumn)) throw new CliError('INPUT_INVALID', `--id-column ${idColumn} is not a column of ${input} (columns: ${columns.join(', ')})`);
  const map = given ?? Object.fromEntries(columns.filter((c) => CANONICAL.has(c)).map((c) => [c, c]));
  for (const [field, col] of Object.entries(map)) {
    if (!columns.includes(col)) throw new CliError('INPUT_INVALID', `--map ${field}=${col}: no column ${col} in ${input} (columns: ${columns.join(', ')})`);
  }
  if (!Object.keys(map).some((f) => CANONICAL.has(f))) throw new CliError('INPUT_INVALID', `no canonical field mapped; use --map given_name=COL,family_name=COL,... (canonical fields: ${CANONICAL_FIELDS.join(', ')})`);
  return map;
}
