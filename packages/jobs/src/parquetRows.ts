import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { existsSync } from 'node:fs';
import { JobError } from './jobError';

/** Rows read per request: one slice of the file in memory at a time, whatever its size. */
const SLICE_ROWS = 10_000;

async function open(file: string): Promise<{ file: Awaited<ReturnType<typeof asyncBufferFromFile>>; metadata: Awaited<ReturnType<typeof parquetMetadataAsync>> }> {
  if (!existsSync(file)) throw new JobError('INPUT_INVALID', `input file not found: ${file}`);
  const buf = await asyncBufferFromFile(file);
  try {
    return { file: buf, metadata: await parquetMetadataAsync(buf) };
  } catch (err) {
    throw new JobError('INPUT_INVALID', `${file} is not a Parquet file (${err instanceof Error ? err.message : String(err)}); nothing was sent`);
  }
}

export async function parquetRowCount(file: string): Promise<number> {
  return Number((await open(file)).metadata.num_rows);
}

export async function parquetColumns(file: string): Promise<string[]> {
  const { metadata } = await open(file);
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

/** Rows of a Parquet file as string maps (values as text, nulls left out), streamed in slices. */
export async function* parquetRows(file: string): AsyncGenerator<Record<string, string>> {
  const { file: buf, metadata } = await open(file);
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += SLICE_ROWS) {
    const rows = await parquetReadObjects({ file: buf, metadata, rowStart: start, rowEnd: Math.min(total, start + SLICE_ROWS) });
    for (const r of rows) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
        if (v === null || v === undefined) continue;
        out[k] = typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v);
      }
      yield out;
    }
  }
}
