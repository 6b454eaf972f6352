import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { COLUMNS, SyntheticGenerator, type SyntheticRecord } from '../generator.js';
import { csvLine, csvLineGenerated, writeDataset } from '../writers.js';

const dir = mkdtempSync(join(tmpdir(), 'idres-gen-'));
const opts = { records: 40_000, seed: 17, dupRate: 0.4 };
const expected: SyntheticRecord[] = [...new SyntheticGenerator(opts)];

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('CSV round-trips through csv-parse exactly, including quoted fields', async () => {
  const out = join(dir, 'a.csv');
  const s = await writeDataset({ ...opts, format: 'csv', out });
  assert.equal(s.records, opts.records);
  const text = readFileSync(out, 'utf8');
  assert.equal(Buffer.byteLength(text), s.bytes);
  const rows = parse(text, { columns: true, relax_quotes: false }) as Record<string, string>[];
  assert.equal(rows.length, expected.length);
  assert.deepEqual(Object.keys(rows[0] ?? {}), [...COLUMNS]);
  let quoted = 0;
  for (let i = 0; i < rows.length; i++) {
    const e = expected[i] as SyntheticRecord;
    assert.deepEqual(rows[i], { ...e });
    if (csvLine(e).includes('"')) quoted++;
  }
  assert.ok(quoted > 10, `only ${quoted} records needed quoting`);
});

test('fast CSV line equals the general quoting path for generated records', () => {
  for (const r of expected) assert.equal(csvLineGenerated(r), csvLine(r));
  const tricky = { ...(expected[0] as SyntheticRecord), given_name: 'a"b', city: 'x,y', address_line2: 'l1\nl2' };
  assert.deepEqual(parse(csvLine(tricky), { columns: [...COLUMNS] }), [tricky]);
});

test('JSONL round-trips', async () => {
  const out = join(dir, 'a.jsonl');
  await writeDataset({ ...opts, format: 'jsonl', out });
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, expected.length);
  lines.forEach((l, i) => assert.deepEqual(JSON.parse(l), expected[i]));
});

test('Parquet round-trips (nulls for missing values)', async () => {
  const out = join(dir, 'a.parquet');
  const small = { ...opts, records: 5_000 };
  await writeDataset({ ...small, format: 'parquet', out });
  const buf = readFileSync(out);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const rows = await parquetReadObjects({ file });
  const exp = [...new SyntheticGenerator(small)];
  assert.equal(rows.length, exp.length);
  rows.forEach((row, i) => {
    const e = exp[i] as SyntheticRecord;
    for (const c of COLUMNS) assert.equal(row[c] ?? '', e[c]);
  });
});
