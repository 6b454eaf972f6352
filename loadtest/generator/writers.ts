/**
 * Streaming sinks for the generator: CSV, JSONL, Parquet files (or stdout for text
 * formats) and an async batch callback (e.g. a Kafka producer). All of them pull records
 * one at a time from the generator and respect backpressure, so memory stays bounded by the
 * shuffle window plus one output chunk / row group, whatever the record count.
 */
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import {
  COLUMNS, SyntheticGenerator, emptyRecord, type Column, type GeneratorOptions, type GeneratorStats, type SyntheticRecord,
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

/** Output chunk size: records are encoded straight into a reused byte buffer of this size. */
const CHUNK_BYTES = 1 << 21;
/** Room kept free at the end of a chunk: a record longer than this is written through a slower path. */
const RECORD_ROOM = 1 << 14;

const COMMA = 44;
const QUOTE = 34;
const NL = 10;

/** A reused output byte buffer; text is appended as UTF-8. */
class ByteChunk {
  buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  pos = 0;

  /** Raw ASCII/UTF-8 text (no escaping). */
  raw(s: string): void {
    this.pos += this.buf.write(s, this.pos);
  }
}

/**
 * Copy `s` to `buf` at `pos` followed by byte `sep`; returns the new position, or -1 if `s` has a
 * byte CSV must quote (`",\r\n`) or a non-ASCII character (the caller then rewrites the record
 * through csvLine). A code-unit loop beats building a line string: no rope, no flattening copy.
 */
function putCsv(buf: Buffer, pos: number, s: string, sep: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || c === QUOTE || c === COMMA || c === NL || c === 13) return -1;
    buf[pos++] = c;
  }
  buf[pos] = sep;
  return pos + 1;
}

/** Decimal digits of a non-negative integer at `pos`; returns the new position. */
function putUint(buf: Buffer, pos: number, v: number): number {
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  const end = pos + digits;
  let p = end;
  let x = v;
  do {
    const q = Math.floor(x / 10);
    buf[--p] = 48 + x - q * 10;
    x = q;
  } while (x > 0);
  return end;
}

/** Encode one generated record (record_id = `r${n}`) as a CSV line into `c`; same bytes as csvLine. */
function encodeCsv(c: ByteChunk, n: number, r: SyntheticRecord): void {
  const buf = c.buf;
  let p = c.pos;
  buf[p++] = 114; // 'r'
  p = putUint(buf, p, n);
  buf[p++] = COMMA;
  p = putCsv(buf, p, r.entity_id, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.source, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.given_name, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.middle_name, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.family_name, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.dob, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.gender, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.ssn, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.phone, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.email, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.house_number, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.address_line1, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.address_line2, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.city, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.state, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.postcode, COMMA);
  if (p >= 0) p = putCsv(buf, p, r.country, NL);
  if (p >= 0) {
    c.pos = p;
    return;
  }
  // A field needs quoting (or is not ASCII): the general path.
  r.record_id = 'r' + n;
  c.raw(csvLine(r));
}

/** Like putCsv for the inside of a JSON string: -1 on a character JSON escapes or non-ASCII. */
function putJson(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || c < 32 || c === QUOTE || c === 92) return -1;
    buf[pos++] = c;
  }
  return pos;
}

/** `{"record_id":"`, `","entity_id":"`, ... as byte arrays. */
const JSON_KEYS = COLUMNS.map((k, i) => Buffer.from(`${i === 0 ? '{' : '",'}${JSON.stringify(k)}:"`, 'latin1'));

function putBytes(buf: Buffer, pos: number, b: Buffer): number {
  for (let i = 0; i < b.length; i++) buf[pos++] = b[i] as number;
  return pos;
}

/** Encode one generated record (record_id = `r${n}`) as a JSON line into `c`; same bytes as jsonLine. */
function encodeJson(c: ByteChunk, n: number, r: SyntheticRecord): void {
  const buf = c.buf;
  const k = JSON_KEYS as Buffer[];
  let p = putBytes(buf, c.pos, k[0] as Buffer);
  buf[p++] = 114; // 'r'
  p = putUint(buf, p, n);
  for (let i = 1; i < COLUMNS.length && p >= 0; i++) {
    p = putBytes(buf, p, k[i] as Buffer);
    p = putJson(buf, p, r[COLUMNS[i] as Column]);
  }
  if (p >= 0) {
    buf[p++] = QUOTE;
    buf[p++] = 125; // '}'
    buf[p++] = NL;
    c.pos = p;
    return;
  }
  r.record_id = 'r' + n;
  c.raw(jsonLine(r));
}

async function flush(c: ByteChunk, out: Writable): Promise<void> {
  if (c.pos === 0) return;
  // The stream keeps a reference to the buffer until it is written: hand it over, take a fresh one.
  const full = c.buf.subarray(0, c.pos);
  c.buf = Buffer.allocUnsafe(CHUNK_BYTES);
  c.pos = 0;
  if (!out.write(full)) await once(out, 'drain');
}

/** Write all records of `gen` as text to a writable stream, awaiting 'drain' on backpressure. */
export async function writeText(gen: SyntheticGenerator, format: 'csv' | 'jsonl', out: Writable): Promise<number> {
  const encode = format === 'csv' ? encodeCsv : encodeJson;
  const c = new ByteChunk();
  const rec = emptyRecord();
  let bytes = 0;
  if (format === 'csv') c.raw(csvHeader());
  while (gen.nextInto(rec)) {
    const n = gen.recordNumber;
    if (c.pos + RECORD_ROOM > CHUNK_BYTES) {
      bytes += c.pos;
      await flush(c, out);
    }
    const at = c.pos;
    encode(c, n, rec);
    if (c.pos > CHUNK_BYTES - RECORD_ROOM / 2) {
      // Pathologically long record (cannot happen with the bundled tables): write it as a string.
      c.pos = at;
      bytes += c.pos;
      await flush(c, out);
      rec.record_id = `r${n}`;
      const line = format === 'csv' ? csvLine(rec) : jsonLine(rec);
      bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
    }
  }
  bytes += c.pos;
  await flush(c, out);
  return bytes;
}

function* parquetRows(gen: SyntheticGenerator): Generator<Record<string, string | null>> {
  for (let r = gen.nextRecord(); r !== null; r = gen.nextRecord()) {
    const row: Record<string, string | null> = {};
    for (const c of COLUMNS) row[c] = r[c] === '' ? null : r[c];
    yield row;
  }
}

/** Write all records of `gen` to a Parquet file (STRING columns, nulls for missing, 100k-row groups). */
export async function writeParquet(gen: SyntheticGenerator, file: string): Promise<void> {
  await parquetWriteRows({
    writer: fileWriter(file),
    rows: parquetRows(gen),
    columns: COLUMNS.map((name) => ({ name, type: 'STRING' as const, nullable: true })),
    rowGroupSize: 100_000,
    createdBy: 'idres loadtest generator',
  });
}

/**
 * Generate `opts.records` records into `out` ('-' = stdout for csv/jsonl).
 * Returns generator statistics plus timing and bytes written.
 */
export async function writeDataset(opts: GeneratorOptions & { format: OutputFormat; out: string }): Promise<WriteSummary> {
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
