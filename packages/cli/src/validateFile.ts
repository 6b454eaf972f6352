import { createReadStream, existsSync, statSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { CliError } from './cliError';

/** A line (a CSV record, a JSONL object) longer than this is refused: no person record is that long. */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface FileCheck { records: number; lines: number; bytes: number }

const nothingSent = 'nothing was sent';

/**
 * Byte-level checks as the file streams by, in bounded memory: no NUL byte (a binary file), valid UTF-8, and no
 * line over MAX_LINE_BYTES (found without holding the line). Passes the bytes on; `line` is the current line.
 */
class ByteCheck extends Transform {
  line = 1;
  private lineBytes = 0;
  /** Continuation bytes still expected of the current UTF-8 sequence (to name the line of a bad byte). */
  private need = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(private readonly file: string, private readonly maxLine: number) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.need > 0) {
        if ((b & 0xc0) !== 0x80) return cb(this.notUtf8());
        this.need--;
      } else if (b >= 0x80) {
        if (b >= 0xc2 && b <= 0xdf) this.need = 1;
        else if (b >= 0xe0 && b <= 0xef) this.need = 2;
        else if (b >= 0xf0 && b <= 0xf4) this.need = 3;
        else return cb(this.notUtf8());
      }
      if (b === 0) return cb(new CliError('INPUT_INVALID', `${this.file}: line ${this.line}: a NUL byte: this is a binary file, not CSV or JSONL text; ${nothingSent}`));
      if (b === 10) {
        this.line++;
        this.lineBytes = 0;
        start = i + 1;
      } else if (++this.lineBytes > this.maxLine) {
        return cb(new CliError('INPUT_INVALID', `${this.file}: line ${this.line} is longer than ${this.maxLine} bytes (no record is that long; a binary or corrupt file?); ${nothingSent}`));
      }
    }
    void start;
    try {
      this.decoder.decode(chunk, { stream: true }); // the exact check (overlong forms, surrogates)
    } catch {
      return cb(this.notUtf8());
    }
    cb(null, chunk);
  }
  private notUtf8(): CliError {
    return new CliError('INPUT_INVALID', `${this.file}: line ${this.line}: bytes that are not UTF-8 text (save the file as UTF-8); ${nothingSent}`);
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.decoder.decode();
    } catch {
      return cb(new CliError('INPUT_INVALID', `${this.file}: the file ends inside a UTF-8 character (truncated?); ${nothingSent}`));
    }
    cb();
  }
}

/** Splits checked bytes into lines (each already bounded by ByteCheck). */
async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of source) {
    const text = rest + chunk.toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) yield p;
  }
  if (rest !== '') yield rest;
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'has a different number of columns than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'has a different number of columns than the header',
  CSV_QUOTE_NOT_CLOSED: 'opens a quoted value that is never closed (a truncated file?)',
  CSV_INVALID_CLOSING_QUOTE: 'has a quote in the middle of a value',
  CSV_INVALID_OPENING_QUOTE: 'has a quote in the middle of a value',
  CSV_MAX_RECORD_SIZE: `holds a record over ${MAX_LINE_BYTES} bytes`,
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'has text after a closing quote',
};

/**
 * Checks a whole CSV or JSONL file before anything is sent or trained on, streaming in bounded memory: text (no
 * NUL, valid UTF-8), no line over MAX_LINE_BYTES, for CSV the same number of columns on every row as in the header
 * and closed quotes, for JSONL a JSON object on every non-empty line. A bad file fails with the line number and
 * the problem, never the line's content (personal data), and "nothing was sent".
 */
export async function validateInputFile(file: string, maxLine = MAX_LINE_BYTES): Promise<FileCheck> {
  if (!existsSync(file)) throw new CliError('INPUT_INVALID', `input file not found: ${file}`);
  const bytes = statSync(file).size;
  if (bytes === 0) throw new CliError('INPUT_INVALID', `${file} is empty; ${nothingSent}`);
  const check = new ByteCheck(file, maxLine);
  const stream = createReadStream(file).pipe(check);
  // A read error (or a check failing) ends the pipe; surface it from whichever side sees it first.
  const failed = new Promise<never>((_, reject) => { stream.once('error', reject); });
  failed.catch(() => undefined);
  let records = 0;
  if (/\.jsonl$|\.ndjson$/i.test(file)) {
    let n = 0;
    const run = (async () => {
      for await (const line of lines(stream)) {
        n++;
        if (line.trim() === '') continue;
        let obj: unknown;
        try {
          obj = JSON.parse(line);
        } catch {
          throw new CliError('INPUT_INVALID', `${file}: line ${n} is not valid JSON${n === check.line && !line.endsWith('}') ? ' (the last line: a truncated file?)' : ''}; ${nothingSent}`);
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CliError('INPUT_INVALID', `${file}: line ${n} is not a JSON object; ${nothingSent}`);
        records++;
      }
    })();
    await Promise.race([run, failed]);
    return { records, lines: n, bytes };
  }
  if (!/\.csv$/i.test(file)) throw new CliError('INPUT_INVALID', `unsupported input ${file}: use .csv or .jsonl`);
  const parser = stream.pipe(parse({ columns: true, trim: true, skip_empty_lines: true, relax_column_count: false, bom: true, max_record_size: maxLine }));
  const run = (async () => {
    try {
      for await (const _row of parser) records++;
    } catch (err) {
      if (err instanceof CliError) throw err;
      const e = err as { code?: string; lines?: number };
      const problem = (e.code && CSV_PROBLEMS[e.code]) ?? `is not valid CSV (${e.code ?? 'parse error'})`;
      throw new CliError('INPUT_INVALID', `${file}: line ${e.lines ?? check.line} ${problem}; ${nothingSent}`);
    }
  })();
  await Promise.race([run, failed]);
  if (records === 0) throw new CliError('INPUT_INVALID', `${file} has a header but no rows; ${nothingSent}`);
  return { records, lines: check.line, bytes };
}
