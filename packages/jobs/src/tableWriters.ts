import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';

export type ColumnType = 'STRING' | 'INT32' | 'DOUBLE' | 'STRING_LIST';
export interface ColumnSpec { name: string; type: ColumnType; nullable?: boolean }
export type CellValue = string | number | null | string[];

/** Rows buffered before a row group is written: what bounds a Parquet writer's memory. */
export const ROW_GROUP_ROWS = 20_000;

function schemaOf(columns: readonly ColumnSpec[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
    if (c.type === 'STRING_LIST') {
      out.push({ name: c.name, repetition_type, converted_type: 'LIST', num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push({ name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' });
    } else if (c.type === 'STRING') out.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type });
    else out.push({ name: c.name, type: c.type, repetition_type });
  }
  return out;
}

/** A Parquet file (snappy, the writer's default) written a row group at a time. */
export class ParquetTableWriter {
  rows = 0;
  private readonly writer: ParquetWriter;
  private cols: CellValue[][];

  constructor(readonly file: string, private readonly columns: readonly ColumnSpec[], private readonly groupRows = ROW_GROUP_ROWS) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.writer = new ParquetWriter({ writer: fileWriter(file), schema: schemaOf(columns), codec: 'SNAPPY', createdBy: 'idres jobs' });
    this.cols = columns.map(() => []);
  }

  async add(row: readonly CellValue[]): Promise<void> {
    for (let i = 0; i < this.columns.length; i++) this.cols[i]!.push(row[i] ?? null);
    this.rows++;
    if (this.cols[0]!.length >= this.groupRows) await this.flush();
  }

  private async flush(): Promise<void> {
    const n = this.cols[0]!.length;
    if (n === 0) return;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.cols[i]! }));
    this.cols = this.columns.map(() => []);
    await this.writer.write({ columnData: columnData as Parameters<ParquetWriter['write']>[0]['columnData'], rowGroupSize: n });
  }

  /** Writes what is buffered and the footer; returns the file's size. */
  async finish(): Promise<number> {
    await this.flush();
    this.writer.finish();
    return statSync(this.file).size;
  }
}

const NEEDS_QUOTES = /[",\r\n]/;
const field = (v: string): string => (NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** An RFC 4180 CSV file, written with back-pressure. */
export class CsvTableWriter {
  rows = 0;
  private readonly out: WriteStream;

  constructor(readonly file: string, header: readonly string[]) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.out = createWriteStream(file, { highWaterMark: 1 << 20 });
    this.out.write(header.map(field).join(',') + '\n');
  }

  async add(row: ReadonlyArray<string | number | null>): Promise<void> {
    this.rows++;
    if (!this.out.write(row.map((v) => (v === null ? '' : field(String(v)))).join(',') + '\n')) await once(this.out, 'drain');
  }

  async finish(): Promise<number> {
    this.out.end();
    await once(this.out, 'finish');
    return statSync(this.file).size;
  }
}

/** Text written piece by piece with back-pressure (the households JSON). */
export class TextFileWriter {
  private readonly out: WriteStream;
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.out = createWriteStream(file, { highWaterMark: 1 << 20 });
  }
  async write(text: string): Promise<void> {
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
  async finish(): Promise<number> {
    this.out.end();
    await once(this.out, 'finish');
    return statSync(this.file).size;
  }
}
