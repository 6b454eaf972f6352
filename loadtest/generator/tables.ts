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
  // ZIP rows as objects only when asked for (the generator reads zips.tsv into byte cells instead).
  let zips: ZipRow[] | undefined;
  cached = {
    male: weighted('given_male.tsv'),
    female: weighted('given_female.tsv'),
    surnames: weighted('surnames.tsv'),
    streets: weighted('streets.tsv'),
    get zips(): readonly ZipRow[] {
      zips ??= readTsv('zips.tsv').map((r) => ({
        zip: r[0] ?? '',
        city: r[1] ?? '',
        cityUpper: (r[1] ?? '').toUpperCase(),
        state: r[2] ?? '',
        areaCode: r[3] ?? '',
      }));
      return zips;
    },
    nicknames,
    formalOf,
  };
  return cached;
}

// ---------------------------------------------------------------------------------------------
// Byte-level view of the tables for the hot path: every string the generator writes (names,
// streets, cities, states, ZIPs, nicknames) gets an integer id and is pre-encoded once, so
// rendering a record copies bytes and never builds strings.

/** Characters after which a written field must go through the quoting/escaping path. */
function hasSpecial(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 44 || c === 92) return true;
  }
  return false;
}

/**
 * Interned ASCII strings, pre-encoded in fixed-size cells so that one word is one cache line:
 * cell w starts at w << shift and holds the length, then the bytes. `alpha` has the same layout
 * for the letters-only lower-case form (e-mail local parts; may be empty).
 */
export class Lexicon {
  readonly words: string[] = [];
  private readonly ids = new Map<string, number>();
  shift = 0;
  cells = new Uint8Array(0);
  alpha = new Uint8Array(0);
  /** 1 if the word contains a character CSV quotes or JSON escapes */
  special = new Uint8Array(0);

  /** Id of `s`, interning it if new (only before freeze). */
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      for (let k = 0; k < s.length; k++) {
        if (s.charCodeAt(k) > 127) throw new Error(`generator tables must be ASCII: ${JSON.stringify(s)}`);
      }
      if (s.length > 255) throw new Error(`generator table string too long: ${s}`);
      i = this.words.length;
      this.words.push(s);
      this.ids.set(s, i);
    }
    return i;
  }

  /** Id of `s`, or -1 if it is not a table string. */
  idOf(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  freeze(): void {
    const n = this.words.length;
    let max = 0;
    for (const w of this.words) max = Math.max(max, w.length);
    this.shift = 4;
    while (1 << this.shift < max + 1) this.shift++;
    this.cells = new Uint8Array(n << this.shift);
    this.alpha = new Uint8Array(n << this.shift);
    this.special = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const w = this.words[i] as string;
      const o = i << this.shift;
      this.cells[o] = w.length;
      let a = o + 1;
      for (let k = 0; k < w.length; k++) {
        let c = w.charCodeAt(k);
        this.cells[o + 1 + k] = c;
        if (c >= 65 && c <= 90) c += 32;
        if (c >= 97 && c <= 122) this.alpha[a++] = c;
      }
      this.alpha[o] = a - o - 1;
      this.special[i] = hasSpecial(w) ? 1 : 0;
    }
  }
}

/** Compressed lists: ids start[w] .. start[w+1]-1 of `list` belong to word w. */
export interface IdLists {
  start: Int32Array;
  list: Int32Array;
}

function idLists(lex: Lexicon, map: ReadonlyMap<string, readonly string[]>): IdLists {
  const n = lex.words.length;
  const start = new Int32Array(n + 1);
  const byId: number[][] = [];
  for (const [k, vs] of map) byId[lex.id(k)] = vs.map((v) => lex.id(v));
  if (lex.words.length !== n) throw new Error('idLists: words added after sizing');
  const flat: number[] = [];
  for (let i = 0; i < n; i++) {
    start[i] = flat.length;
    for (const v of byId[i] ?? []) flat.push(v);
  }
  start[n] = flat.length;
  return { start, list: Int32Array.from(flat) };
}

export interface ByteTables {
  lex: Lexicon;
  /** word id of each entry of male / female / surnames / streets (same order as the AliasTable values) */
  maleIds: Int32Array;
  femaleIds: Int32Array;
  surnameIds: Int32Array;
  streetIds: Int32Array;
  /**
   * One cell per ZIP row at i << zipShift: 5 ZIP digits, 2 state letters, city length, city
   * (one cache line per row). Plus its area code and state index.
   */
  zipCells: Uint8Array;
  zipShift: number;
  /** some city or state needs CSV quoting / JSON escaping */
  zipSpecial: boolean;
  zipArea: Int32Array;
  zipStateIdx: Int32Array;
  /** ZIP row indices of each state index */
  zipsOfState: Int32Array[];
  nick: IdLists;
  formal: IdLists;
}

let cachedBytes: ByteTables | undefined;

export function loadByteTables(): ByteTables {
  if (cachedBytes) return cachedBytes;
  const t = loadTables();
  const lex = new Lexicon();
  const ids = (vs: readonly string[]): Int32Array => Int32Array.from(vs, (v) => lex.id(v));
  const maleIds = ids(t.male.values);
  const femaleIds = ids(t.female.values);
  const surnameIds = ids(t.surnames.values);
  const streetIds = ids(t.streets.values);
  for (const [k, vs] of t.nicknames) {
    lex.id(k);
    for (const v of vs) lex.id(v);
  }
  // zips.tsv (zip, city, state, area code) parsed straight into the cells: no per-row objects.
  const text = readFileSync(new URL('zips.tsv', DATA_DIR), 'latin1');
  const rows: number[] = []; // start offsets of data lines
  let maxCity = 0;
  for (let at = 0; at < text.length;) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    if (nl > at && text.charCodeAt(at) !== 35 /* # */) {
      rows.push(at);
      const t1 = text.indexOf('\t', at);
      const t2 = text.indexOf('\t', t1 + 1);
      maxCity = Math.max(maxCity, t2 - t1 - 1);
    }
    at = nl + 1;
  }
  const nz = rows.length;
  let zipShift = 5;
  while (1 << zipShift < 8 + maxCity) zipShift++;
  const zipCells = new Uint8Array(nz << zipShift);
  let zipSpecial = false;
  const zipArea = new Int32Array(nz);
  const zipStateIdx = new Int32Array(nz);
  const stateIdx = new Map<number, number>();
  const byState: number[][] = [];
  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  for (let i = 0; i < nz; i++) {
    const at = rows[i] as number;
    const t1 = text.indexOf('\t', at);
    const t2 = text.indexOf('\t', t1 + 1);
    const t3 = text.indexOf('\t', t2 + 1);
    let end = text.indexOf('\n', t3);
    if (end < 0) end = text.length;
    if (end > t3 + 1 && text.charCodeAt(end - 1) === 13) end--;
    const line = (): string => text.slice(at, end);
    if (t1 - at !== 5 || t3 - t2 !== 3 || end - t3 !== 4) throw new Error(`zips.tsv: bad row ${line()}`);
    const o = i << zipShift;
    for (let k = 0; k < 5; k++) {
      const c = text.charCodeAt(at + k);
      if (!isDigit(c)) throw new Error(`zips.tsv: bad zip ${line()}`);
      zipCells[o + k] = c;
    }
    const s0 = text.charCodeAt(t2 + 1);
    const s1 = text.charCodeAt(t2 + 2);
    zipCells[o + 5] = s0;
    zipCells[o + 6] = s1;
    const cityLen = t2 - t1 - 1;
    zipCells[o + 7] = cityLen;
    for (let k = 0; k < cityLen; k++) {
      const c = text.charCodeAt(t1 + 1 + k);
      if (c > 127) throw new Error(`generator tables must be ASCII: ${line()}`);
      if (c < 32 || c === 34 || c === 44 || c === 92) zipSpecial = true;
      zipCells[o + 8 + k] = c;
    }
    if (s0 < 32 || s0 === 34 || s0 === 44 || s0 === 92 || s1 < 32 || s1 === 34 || s1 === 44 || s1 === 92) zipSpecial = true;
    const a0 = text.charCodeAt(t3 + 1);
    const a1 = text.charCodeAt(t3 + 2);
    const a2 = text.charCodeAt(t3 + 3);
    if (!(a0 >= 50 && a0 <= 57 && isDigit(a1) && isDigit(a2))) throw new Error(`zips.tsv: bad area code ${line()}`);
    zipArea[i] = (a0 - 48) * 100 + (a1 - 48) * 10 + (a2 - 48);
    const key = s0 * 256 + s1;
    let st = stateIdx.get(key);
    if (st === undefined) {
      st = byState.length;
      stateIdx.set(key, st);
      byState.push([]);
    }
    zipStateIdx[i] = st;
    (byState[st] as number[]).push(i);
  }
  const nick = idLists(lex, t.nicknames);
  const formal = idLists(lex, t.formalOf);
  lex.freeze();
  cachedBytes = {
    lex, maleIds, femaleIds, surnameIds, streetIds, zipCells, zipShift, zipSpecial, zipArea, zipStateIdx,
    zipsOfState: byState.map((l) => Int32Array.from(l)), nick, formal,
  };
  return cachedBytes;
}
