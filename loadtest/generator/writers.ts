/**
 * Streaming sinks for the generator: CSV, JSONL, Parquet files (or stdout for text
 * formats) and an async batch callback (e.g. a Kafka producer). All of them pull records
 * one at a time from the generator and respect backpressure, so memory stays bounded by the
 * shuffle window plus one output chunk / row group, whatever the record count.
 */
import { writeFileSync, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ParquetWriter, fileWriter, parquetWriteRows, schemaFromColumnData } from 'hyparquet-writer';
import {
  COLUMNS, MAX_RECORD_BYTES, SyntheticGenerator, emptyRecord, type GeneratorOptions, type GeneratorStats, type SyntheticRecord,
} from './generator.js';

export type OutputFormat = 'csv' | 'jsonl' | 'parquet';

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV header line (with trailing newline). */
export function csvHeader(): string {
  return `${COLUMNS.join(',')}\n`;
}

/** One RFC 4180 CSV line (with trailing newline); fields quoted only when needed. */
export function csvLine(r: SyntheticRecord): string {
  return `${csvField(r.record_id)},${csvField(r.entity_id)},${csvField(r.source)},${csvField(r.given_name)},${csvField(r.middle_name)},${csvField(r.family_name)},${csvField(r.dob)},${csvField(r.gender)},${csvField(r.ssn)},${csvField(r.phone)},${csvField(r.email)},${csvField(r.house_number)},${csvField(r.address_line1)},${csvField(r.address_line2)},${csvField(r.city)},${csvField(r.state)},${csvField(r.postcode)},${csvField(r.country)}\n`;
}

/**
 * Faster CSV line for records produced by SyntheticGenerator: only the free-text fields
 * (names, address lines, city, email) can contain quotes or commas, so only they are checked.
 * The identifier, date, code and digit fields come from fixed alphabets without `",\r\n`.
 * (Proved by the round-trip test in test/csv.test.ts; use csvLine for arbitrary records.)
 */
export function csvLineGenerated(r: SyntheticRecord): string {
  // Array join builds one flat string (cheaper than an 18-part template's rope).
  const a = LINE;
  a[0] = r.record_id;
  a[1] = r.entity_id;
  a[2] = r.source;
  a[3] = csvField(r.given_name);
  a[4] = csvField(r.middle_name);
  a[5] = csvField(r.family_name);
  a[6] = r.dob;
  a[7] = r.gender;
  a[8] = r.ssn;
  a[9] = r.phone;
  a[10] = csvField(r.email);
  a[11] = r.house_number;
  a[12] = csvField(r.address_line1);
  a[13] = csvField(r.address_line2);
  a[14] = csvField(r.city);
  a[15] = r.state;
  a[16] = r.postcode;
  a[17] = r.country;
  return a.join(',') + '\n';
}
const LINE: string[] = new Array<string>(18).fill('');

/** One JSON line (with trailing newline); missing values are empty strings. */
export function jsonLine(r: SyntheticRecord): string {
  return `${JSON.stringify(r)}\n`;
}

export interface WriteSummary extends GeneratorStats {
  format: OutputFormat;
  out: string;
  seconds: number;
  records_per_second: number;
  bytes: number;
}

/** Output chunk size: records are rendered straight into a byte buffer of this size, then handed to the stream. */
const CHUNK_BYTES = 1 << 21;
/** Room kept free at the end of a chunk for one record (rendered, quoted or JSON-encoded). */
const RECORD_ROOM = 8 * MAX_RECORD_BYTES;

/** `{"record_id":"`, `","entity_id":"`, ..., `"}\n` as bytes: what JSONL puts around and between the fields. */
const JSON_SEPS = [
  ...COLUMNS.map((k, i) => Buffer.from(`${i === 0 ? '{' : '",'}${JSON.stringify(k)}:"`, 'latin1')),
  Buffer.from('"}\n', 'latin1'),
];

const JSON_SEPS_BYTES = JSON_SEPS.reduce((n, b) => n + b.length, 0);
/** Each separator as little-endian 32-bit words (its tail, length % 4 bytes, is copied bytewise). */
const JSON_SEP_WORDS = JSON_SEPS.map((b) => {
  const words = new Int32Array(b.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = b.readInt32LE(4 * k);
  return words;
});

/**
 * Turn the CSV line just rendered at buf[pos] (fields located by fs/fe, none needing escaping)
 * into a JSON line in place, working from the last field back: each field moves right by the key
 * text before it, which never overlaps a field not yet moved. Same bytes as jsonLine.
 */
function csvToJsonInPlace(buf: Buffer, dv: DataView, fs: Int32Array, fe: Int32Array): number {
  const nf: number = COLUMNS.length;
  // The JSON line is the fields plus the separators.
  let total = JSON_SEPS_BYTES;
  for (let i = 0; i < nf; i++) total += fe[i]! - fs[i]!;
  let w = fs[0]! + total;
  const end = w;
  for (let i = nf; i >= 0; i--) {
    const sep = JSON_SEPS[i] as Buffer;
    const words = JSON_SEP_WORDS[i] as Int32Array;
    w -= sep.length;
    let k = 0;
    for (; k < words.length; k++) dv.setInt32(w + 4 * k, words[k]!, true);
    for (let j = 4 * k; j < sep.length; j++) buf[w + j] = sep[j]!;
    if (i === 0) break;
    const a = fs[i - 1]!;
    for (let j = fe[i - 1]! - 1; j >= a; j--) buf[--w] = buf[j]!;
  }
  return end;
}

/** Write all records of `gen` as text to a writable stream, awaiting 'drain' on backpressure. */
export async function writeText(gen: SyntheticGenerator, format: 'csv' | 'jsonl', out: Writable): Promise<number> {
  // Chunks go back to `spare` once the stream has written them (its callback), so a few buffers are
  // reused for the whole run: no fresh pages to fault in and zero for every 2 MiB of output.
  const spare: Buffer[] = [];
  const take = (): Buffer => spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  let buf = take();
  let pos = 0;
  let bytes = 0;
  let failed: Error | null = null;
  const send = async (): Promise<void> => {
    const full = buf;
    const ok = out.write(full.subarray(0, pos), (err) => {
      if (err) failed = err;
      else spare.push(full);
    });
    bytes += pos;
    buf = take();
    pos = 0;
    if (!ok) await once(out, 'drain');
    if (failed) throw failed;
  };
  const rec = emptyRecord();
  const views = new Map<Buffer, DataView>();
  const viewOf = (b: Buffer): DataView => {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    views.set(b, v);
    return v;
  };
  const csv = format === 'csv';
  if (csv) pos = buf.write(csvHeader(), 0, 'latin1');
  for (;;) {
    if (pos + RECORD_ROOM > CHUNK_BYTES) await send();
    if (csv) {
      // The rendered line is the CSV line unless a field needs quoting (rare): then re-encode it.
      const end = gen.renderNext(buf, pos);
      if (end < 0) break;
      if (gen.special) {
        gen.lastRecord(buf, rec);
        pos += buf.write(csvLine(rec), pos, 'utf8');
      } else pos = end;
    } else {
      // Render the CSV line into the chunk, then widen it into the JSON line in place.
      const end = gen.renderNext(buf, pos);
      if (end < 0) break;
      if (gen.special) {
        gen.lastRecord(buf, rec);
        pos += buf.write(jsonLine(rec), pos, 'utf8');
      } else pos = csvToJsonInPlace(buf, views.get(buf) ?? viewOf(buf), gen.fieldStart, gen.fieldEnd);
    }
  }
  if (pos > 0) await send();
  return bytes;
}

const PARQUET_GROUP = 100_000;

/**
 * Write all records of `gen` to a Parquet file (STRING columns, nulls for missing, 100k-row groups).
 * Column arrays are filled straight from the rendered bytes, one row group at a time (no row
 * objects, no transposition); memory is bounded by one row group.
 */
export async function writeParquet(gen: SyntheticGenerator, file: string): Promise<void> {
  const columns = COLUMNS.map((name) => ({ name, type: 'STRING' as const, nullable: true }));
  const createdBy = 'idres loadtest generator';
  const writer = fileWriter(file);
  const scratch = Buffer.allocUnsafe(2 * MAX_RECORD_BYTES);
  const fs = gen.fieldStart;
  const fe = gen.fieldEnd;
  let pq: ParquetWriter | undefined;
  for (;;) {
    const cols: Array<Array<string | null>> = COLUMNS.map(() => []);
    let n = 0;
    while (n < PARQUET_GROUP && gen.renderNext(scratch, 0) >= 0) {
      for (let c = 0; c < cols.length; c++) {
        const a = fs[c]!;
        const b = fe[c]!;
        (cols[c] as Array<string | null>).push(a === b ? null : scratch.toString('latin1', a, b));
      }
      n++;
    }
    if (n === 0) break;
    const columnData = columns.map((spec, c) => ({ ...spec, data: cols[c] as Array<string | null> }));
    pq ??= new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }), createdBy });
    await pq.write({ columnData, rowGroupSize: n });
    if (n < PARQUET_GROUP) break;
  }
  if (pq) await pq.finish();
  // No records: an empty file with the declared columns.
  else await parquetWriteRows({ writer, rows: [], columns, rowGroupSize: PARQUET_GROUP, createdBy });
}

/**
 * Generate `opts.records` records into `out` ('-' = stdout for csv/jsonl).
 * Returns generator statistics plus timing and bytes written.
 */
export async function writeDataset(opts: GeneratorOptions & { format: OutputFormat; out: string; householdTruth?: string }): Promise<WriteSummary> {
  const start = process.hrtime.bigint();
  const gen = new SyntheticGenerator(opts);
  let bytes: number;
  if (opts.format === 'parquet') {
    if (opts.out === '-') throw new Error('parquet cannot be written to stdout');
    await writeParquet(gen, opts.out);
    bytes = statSync(opts.out).size;
  } else if (opts.out === '-') {
    bytes = await writeText(gen, opts.format, process.stdout);
  } else {
    const ws = createWriteStream(opts.out, { highWaterMark: 1 << 20 });
    const opened = once(ws, 'open');
    await opened;
    await writeText(gen, opts.format, ws);
    ws.end();
    await once(ws, 'finish');
    bytes = ws.bytesWritten;
  }
  if (opts.householdTruth !== undefined) writeHouseholdTruth(gen, opts.householdTruth);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    ...gen.stats,
    format: opts.format,
    out: opts.out,
    seconds,
    records_per_second: seconds > 0 ? gen.stats.records / seconds : 0,
    bytes,
  };
}

/**
 * Stream records to an async callback in batches (e.g. a Kafka producer's send).
 * The next batch is generated only after the callback's promise resolves (backpressure);
 * each batch is a fresh array the callback may keep.
 */
export async function streamRecords(
  opts: GeneratorOptions,
  sink: (batch: SyntheticRecord[]) => void | Promise<void>,
  batchSize = 1000,
): Promise<GeneratorStats> {
  if (!(batchSize >= 1)) throw new Error('batchSize must be >= 1');
  const gen = new SyntheticGenerator(opts);
  for (const batch of generateBatches(gen, batchSize)) await sink(batch);
  return { ...gen.stats };
}

/** Pull records from `gen` in arrays of at most `batchSize`. */
export function* generateBatches(gen: SyntheticGenerator, batchSize: number): Generator<SyntheticRecord[]> {
  let batch: SyntheticRecord[] = [];
  for (let r = gen.nextRecord(); r !== null; r = gen.nextRecord()) {
    batch.push(r);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Async-iterable view of the records (one at a time), for `for await` consumers. */
export async function* recordsAsync(opts: GeneratorOptions): AsyncGenerator<SyntheticRecord> {
  const gen = new SyntheticGenerator(opts);
  for (let r = gen.nextRecord(); r !== null; r = gen.nextRecord()) yield r;
}

/** `entity_id,household_id` for every entity of a multi-person household (entity IDs as in the records: e<N>). */
export function writeHouseholdTruth(gen: SyntheticGenerator, file: string): void {
  const r = gen.householdRanges();
  const lines: string[] = ['entity_id,household_id'];
  for (let i = 0; i < r.length; i += 2) for (let e = r[i]!; e <= r[i + 1]!; e++) lines.push(`e${e},h${i / 2 + 1}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}
