/**
 * Bundled reference tables (loaded from ./data at start-up, never from the network).
 * See data/README.md for sources and licences.
 */
import { readFileSync } from 'node:fs';
import { AliasTable } from './rng.js';

const DATA_DIR = new URL('./data/', import.meta.url);

function readTsv(name: string): string[][] {
  const text = readFileSync(new URL(name, DATA_DIR), 'utf8');
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    rows.push(line.split('\t'));
  }
  return rows;
}

function weighted(name: string): AliasTable<string> {
  const rows = readTsv(name);
  return new AliasTable(
    rows.map((r) => r[0] ?? ''),
    rows.map((r) => Number(r[1] ?? '0')),
  );
}

export interface ZipRow {
  zip: string;
  city: string;
  cityUpper: string;
  state: string;
  areaCode: string;
}

export interface Tables {
  male: AliasTable<string>;
  female: AliasTable<string>;
  surnames: AliasTable<string>;
  streets: AliasTable<string>;
  zips: readonly ZipRow[];
  /** formal given name -> nicknames */
  nicknames: ReadonlyMap<string, readonly string[]>;
  /** nickname -> formal given names */
  formalOf: ReadonlyMap<string, readonly string[]>;
}

let cached: Tables | undefined;

export function loadTables(): Tables {
  if (cached) return cached;
  const nicknames = new Map<string, string[]>();
  const formalOf = new Map<string, string[]>();
  for (const [formal, list] of readTsv('nicknames.tsv')) {
    if (!formal || !list) continue;
    const nicks = list.split(',').map((s) => s.trim()).filter(Boolean);
    nicknames.set(formal, nicks);
    for (const n of nicks) {
      const f = formalOf.get(n) ?? [];
      f.push(formal);
      formalOf.set(n, f);
    }
  }
  const zips: ZipRow[] = readTsv('zips.tsv').map((r) => ({
    zip: r[0] ?? '',
    city: r[1] ?? '',
    cityUpper: (r[1] ?? '').toUpperCase(),
    state: r[2] ?? '',
    areaCode: r[3] ?? '',
  }));
  cached = {
    male: weighted('given_male.tsv'),
    female: weighted('given_female.tsv'),
    surnames: weighted('surnames.tsv'),
    streets: weighted('streets.tsv'),
    zips,
    nicknames,
    formalOf,
  };
  return cached;
}
