import { closeSync, openSync, writeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '@idres/core';

export const FILE_PII = 'PIIFILE';

/** A bad input file for `idres resolve`, and what its message must say (the line at fault). */
export interface HostileFile { name: string; file: string; message: RegExp }

const header = 'id,first,last,dob,zip';
const row = (i: number): string => `f${i},${FILE_PII}Ann${i},Lee,1980-02-01,10027`;
const jsonRow = (i: number): string => JSON.stringify({ id: `f${i}`, first: `${FILE_PII}Ann${i}`, last: 'Lee', dob: '1980-02-01', zip: '10027' });

/** Writes the seeded hostile files into dir (about 100 MB, for the file with a 100 MB line). */
export function writeHostileFiles(dir: string, seed: number): HostileFile[] {
  const rand = mulberry32(seed);
  const out: HostileFile[] = [];
  const rows = Array.from({ length: 300 }, (_, i) => row(i));
  const add = (name: string, base: string, content: string | Buffer, message: RegExp): void => {
    const file = path.join(dir, base);
    writeFileSync(file, content);
    out.push({ name, file, message });
  };
  const csv = [header, ...rows].join('\n') + '\n';
  add('truncated CSV (inside a quoted value)', 'truncated-quote.csv', `${[header, ...rows.slice(0, 200)].join('\n')}\nf200,"${FILE_PII}An`, /line 202 opens a quoted value that is never closed/);
  add('truncated CSV (mid-row)', 'truncated-row.csv', csv.slice(0, csv.lastIndexOf(',Lee,')), /line 301 has a different number of columns/);
  const jsonl = Array.from({ length: 300 }, (_, i) => jsonRow(i)).join('\n') + '\n';
  add('truncated JSONL', 'truncated.jsonl', jsonl.slice(0, jsonl.length - 30), /line 300 is not valid JSON/);
  add('binary file named .csv', 'binary.csv', Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(rand() * 256))), /NUL byte|not UTF-8|columns|quote/);
  add('Latin-1 file (not UTF-8)', 'latin1.csv', Buffer.concat([Buffer.from(`${header}\n${row(1)}\nf2,`), Buffer.from([0x4a, 0xf6, 0x72, 0x67]), Buffer.from(',Lee,1980-02-01,10027\n')]), /line 3: bytes that are not UTF-8/);
  add('CSV with inconsistent column counts', 'columns.csv', [header, ...rows.slice(0, 150), `f150,${FILE_PII}Ann,Lee,1980-02-01,10027,extra`, ...rows.slice(151)].join('\n') + '\n', /line 152 has a different number of columns/);
  add('JSONL with a bad line in the middle', 'bad-middle.jsonl', [...rows.slice(0, 150).map((_, i) => jsonRow(i)), `{"id":"f150","first":"${FILE_PII}Ann" "last":"Lee"}`, ...rows.slice(151).map((_, i) => jsonRow(151 + i))].join('\n') + '\n', /line 151 is not valid JSON/);
  add('JSONL with an array line', 'array-line.jsonl', [jsonRow(0), `["${FILE_PII}"]`, jsonRow(2)].join('\n') + '\n', /line 2 is not a JSON object/);
  add('header only', 'header-only.csv', `${header}\n`, /no rows/);
  add('empty file', 'empty.jsonl', '', /is empty/);
  // A 100 MB line, written in pieces: the check must refuse it without holding it.
  const big = path.join(dir, 'line-100mb.jsonl');
  const fd = openSync(big, 'w');
  writeSync(fd, `${jsonRow(0)}\n{"id":"f1","first":"${FILE_PII}`);
  const piece = Buffer.alloc(1024 * 1024, 'a');
  for (let i = 0; i < 100; i++) writeSync(fd, piece);
  writeSync(fd, `"}\n${jsonRow(2)}\n`);
  closeSync(fd);
  out.push({ name: 'a 100 MB line', file: big, message: /line 2 is longer than 1048576 bytes/ });
  return out;
}
