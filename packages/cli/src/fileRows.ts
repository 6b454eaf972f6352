import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { CliError } from './cliError';

/** Streams rows of a CSV (header row, values trimmed) or JSONL file as string maps, without loading the file. */
export async function* fileRows(file: string): AsyncGenerator<Record<string, string>> {
  if (!existsSync(file)) throw new CliError('INPUT_INVALID', `input file not found: ${file}`);
  if (/\.jsonl$|\.ndjson$/i.test(file)) {
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (line.trim() === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        // JSON.parse's message quotes the line (personal data): say where, not what.
        throw new CliError('INPUT_INVALID', `${file}: line ${n} is not valid JSON`);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CliError('INPUT_INVALID', `${file}:${n}: each line must be a JSON object`);
      const row: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) row[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
      yield row;
    }
    return;
  }
  if (!/\.csv$/i.test(file)) throw new CliError('INPUT_INVALID', `unsupported input ${file}: use .csv or .jsonl`);
  const parser = createReadStream(file).pipe(
    parse({ columns: (h: string[]) => h.map((x) => x.trim()), trim: true, skip_empty_lines: true, relax_column_count: true, bom: true }),
  );
  try {
    for await (const row of parser) yield row as Record<string, string>;
  } catch (err) {
    // csv-parse's messages may quote a value: keep its code and line only.
    const e = err as { code?: string; lines?: number };
    throw new CliError('INPUT_INVALID', `${file}: line ${e.lines ?? '?'} is not valid CSV (${e.code ?? 'parse error'})`);
  }
}

/** Header of a CSV, or keys of the first JSONL object: used to check --id-column and --map before streaming. */
export async function fileColumns(file: string): Promise<string[]> {
  for await (const row of fileRows(file)) return Object.keys(row);
  return [];
}
