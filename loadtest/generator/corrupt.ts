/**
 * Character-level corruption primitives used to make realistic duplicates:
 * keyboard typos, OCR confusions, phonetic misspellings.
 */
import type { Rng } from './rng.js';

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NEIGHBOURS = new Map<string, string>();
for (let r = 0; r < ROWS.length; r++) {
  const row = ROWS[r] as string;
  for (let i = 0; i < row.length; i++) {
    let n = '';
    if (i > 0) n += row[i - 1];
    if (i < row.length - 1) n += row[i + 1];
    const up = ROWS[r - 1];
    const down = ROWS[r + 1];
    if (up) n += up.slice(Math.max(0, i - 1), i + 1);
    if (down) n += down.slice(Math.max(0, i - 1), i + 1);
    NEIGHBOURS.set(row[i] as string, n);
  }
}
const DIGIT_NEIGHBOURS = ['98', '24', '135', '246', '357', '468', '579', '68', '790', '80'];
/** NEIGHBOURS by lower-case character code ('' = none). */
const NEIGHBOUR_CODES: string[] = [];
for (let c = 0; c < 128; c++) NEIGHBOUR_CODES.push(NEIGHBOURS.get(String.fromCharCode(c)) ?? '');

/** Character code of a keyboard (or keypad) neighbour of `c`, keeping its case; `c` itself if it has none. */
function neighbourCode(rng: Rng, c: number): number {
  if (c >= 48 && c <= 57) {
    const d = DIGIT_NEIGHBOURS[c - 48] as string;
    return d.charCodeAt(rng.int(d.length));
  }
  const lower = c >= 65 && c <= 90 ? c + 32 : c;
  const n = c < 128 ? (NEIGHBOUR_CODES[lower] as string) : '';
  if (n === '') return c;
  const r = n.charCodeAt(rng.int(n.length));
  return c !== lower ? r - 32 : r;
}

/** One keyboard typo: insert, delete, substitute (adjacent key) or transpose. */
export function typo(rng: Rng, s: string): string {
  const len = s.length;
  if (len < 2) return s;
  const i = rng.int(len);
  const ch = s.charCodeAt(i);
  switch (rng.int(4)) {
    case 0: {
      let c = neighbourCode(rng, ch);
      // After a capital (or a non-letter) inside the word, insert lower case.
      if (!(ch >= 97 && ch <= 122) && i > 0 && c >= 65 && c <= 90) c += 32;
      return s.slice(0, i) + String.fromCharCode(c) + s.slice(i);
    }
    case 1:
      return len > 2 ? s.slice(0, i) + s.slice(i + 1) : s;
    case 2:
      return s.slice(0, i) + String.fromCharCode(neighbourCode(rng, ch)) + s.slice(i + 1);
    default: {
      const j = i < len - 1 ? i : i - 1;
      return s.slice(0, j) + s.charAt(j + 1) + s.charAt(j) + s.slice(j + 2);
    }
  }
}

/** Digit-only typo (substitute a digit by a keypad neighbour), keeps length. */
export function digitTypo(rng: Rng, s: string): string {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  if (n === 0) return s;
  let k = rng.int(n);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57 && k-- === 0) return s.slice(0, i) + String.fromCharCode(neighbourCode(rng, c)) + s.slice(i + 1);
  }
  return s;
}

function isTransposable(s: string, i: number): boolean {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  return a >= 48 && a <= 57 && b >= 48 && b <= 57 && a !== b;
}

/** Swap two adjacent digits (a common SSN/phone keying error). */
export function digitTranspose(rng: Rng, s: string): string {
  let n = 0;
  for (let i = 0; i < s.length - 1; i++) if (isTransposable(s, i)) n++;
  if (n === 0) return digitTypo(rng, s);
  let k = rng.int(n);
  for (let i = 0; i < s.length - 1; i++) {
    if (isTransposable(s, i) && k-- === 0) return s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2);
  }
  return s;
}

const OCR: ReadonlyArray<readonly [string, string]> = [
  ['0', 'O'], ['O', '0'], ['o', '0'], ['1', 'l'], ['l', '1'], ['I', '1'], ['i', '1'],
  ['5', 'S'], ['S', '5'], ['s', '5'], ['8', 'B'], ['B', '8'], ['2', 'Z'], ['Z', '2'],
  ['6', 'G'], ['G', '6'], ['rn', 'm'], ['m', 'rn'], ['cl', 'd'], ['vv', 'w'], ['w', 'vv'],
  ['e', 'c'], ['h', 'b'], ['u', 'v'],
];

const OCR_FROM = OCR.map((r) => r[0]);
const OCR_MAX = 1024;
const OCR_RULE = new Int32Array(OCR_MAX);
const OCR_AT = new Int32Array(OCR_MAX);

/** One OCR-style confusion (0/O, 1/l, 5/S, rn/m, ...); unchanged if none applies. */
export function ocr(rng: Rng, s: string): string {
  // Options (rule, position) go to a reused scratch array: nothing is allocated but the result.
  let n = 0;
  for (let r = 0; r < OCR_FROM.length; r++) {
    const from = OCR_FROM[r] as string;
    for (let at = s.indexOf(from); at >= 0 && n < OCR_MAX; at = s.indexOf(from, at + 1)) {
      OCR_RULE[n] = r;
      OCR_AT[n++] = at;
    }
  }
  if (n === 0) return s;
  const k = rng.int(n);
  const r = OCR_RULE[k] as number;
  const at = OCR_AT[k] as number;
  return s.slice(0, at) + (OCR[r] as readonly [string, string])[1] + s.slice(at + (OCR_FROM[r] as string).length);
}

const PHONETIC: ReadonlyArray<readonly [RegExp, string]> = [
  [/ph/, 'f'], [/f/, 'ph'], [/ck/, 'k'], [/c(?=[aou])/, 'k'], [/k/, 'c'], [/ie$/, 'y'],
  [/y$/, 'ie'], [/ey$/, 'y'], [/ee/, 'ea'], [/ea/, 'ee'], [/ou/, 'ow'], [/th/, 't'],
  [/s(?=[aeiouy])/, 'z'], [/z/, 's'], [/([bdfglmnprt])\1/, '$1'], [/([aeiou])([lnrt])(?=[aeiouy])/, '$1$2$2'],
  [/son$/, 'sen'], [/sen$/, 'son'], [/ai/, 'ay'], [/ei/, 'ie'], [/ie(?!$)/, 'ei'], [/x/, 'ks'],
  [/qu/, 'kw'], [/([^aeiou])e$/, '$1'], [/([dklmnrt])$/, '$1e'], [/i(?!e)/, 'y'], [/(?<!^)y/, 'i'],
  [/au/, 'aw'], [/er$/, 'or'], [/or$/, 'er'], [/an$/, 'en'], [/^wr/, 'r'], [/^kn/, 'n'],
  [/mb$/, 'm'], [/tch/, 'ch'], [/ch(?!r)/, 'tch'], [/gh$/, ''], [/ght/, 't'], [/dg/, 'j'],
];

/**
 * Indices of the PHONETIC rules that apply to a lower-case string, and each rule's result (testing
 * 39 regexes costs ~3 us; names repeat, so both are memoized; bounded, and pure functions, so
 * output is unaffected).
 */
const PHONETIC_OPTIONS = new Map<string, { rules: Uint8Array; outs: Array<string | null> }>();
const PHONETIC_CACHE_MAX = 50_000;

/** One phonetically plausible misspelling (Catherine -> Kathryn-ish); keeps the input's case style. */
export function phonetic(rng: Rng, s: string): string {
  if (s.length < 2) return s;
  const lower = s.toLowerCase();
  let m = PHONETIC_OPTIONS.get(lower);
  if (m === undefined) {
    const list: number[] = [];
    for (let r = 0; r < PHONETIC.length; r++) if ((PHONETIC[r] as readonly [RegExp, string])[0].test(lower)) list.push(r);
    m = { rules: Uint8Array.from(list), outs: list.map(() => null) };
    if (PHONETIC_OPTIONS.size < PHONETIC_CACHE_MAX) PHONETIC_OPTIONS.set(lower, m);
  }
  if (m.rules.length === 0) return typo(rng, s);
  const k = rng.int(m.rules.length);
  let out = m.outs[k];
  if (out === null || out === undefined) {
    const [re, to] = PHONETIC[m.rules[k] as number] as readonly [RegExp, string];
    out = lower.replace(re, to);
    m.outs[k] = out;
  }
  if (out.length === 0) return s;
  return restoreCase(s, out);
}

export function restoreCase(original: string, lower: string): string {
  if (original === original.toUpperCase()) return lower.toUpperCase();
  if (original === original.toLowerCase()) return lower;
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

// ---------------------------------------------------------------------------------------------
// The same damage on ASCII bytes in place (the generator's hot path: no string round trip).
// Each works on buf[a, b) inside a field that ends at `end` (bytes after b shift along) and returns
// the field's new end. Same RNG use and result as the string functions above.

function insertByte(buf: Uint8Array, k: number, end: number, c: number): number {
  for (let q = end; q > k; q--) buf[q] = buf[q - 1]!;
  buf[k] = c;
  return end + 1;
}

function deleteByte(buf: Uint8Array, k: number, end: number): number {
  for (let q = k; q < end - 1; q++) buf[q] = buf[q + 1]!;
  return end - 1;
}

/** typo() on buf[a, b). */
export function typoBytes(rng: Rng, buf: Uint8Array, a: number, b: number, end: number): number {
  const len = b - a;
  if (len < 2) return end;
  const i = rng.int(len);
  const ch = buf[a + i]!;
  switch (rng.int(4)) {
    case 0: {
      let c = neighbourCode(rng, ch);
      if (!(ch >= 97 && ch <= 122) && i > 0 && c >= 65 && c <= 90) c += 32;
      return insertByte(buf, a + i, end, c);
    }
    case 1:
      return len > 2 ? deleteByte(buf, a + i, end) : end;
    case 2:
      buf[a + i] = neighbourCode(rng, ch);
      return end;
    default: {
      const j = a + (i < len - 1 ? i : i - 1);
      const t = buf[j]!;
      buf[j] = buf[j + 1]!;
      buf[j + 1] = t;
      return end;
    }
  }
}

/** digitTypo() on buf[a, b) (length unchanged). */
export function digitTypoBytes(rng: Rng, buf: Uint8Array, a: number, b: number): void {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) n++;
  }
  if (n === 0) return;
  let k = rng.int(n);
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57 && k-- === 0) {
      buf[i] = neighbourCode(rng, c);
      return;
    }
  }
}

function transposableAt(buf: Uint8Array, i: number): boolean {
  const x = buf[i]!;
  const y = buf[i + 1]!;
  return x >= 48 && x <= 57 && y >= 48 && y <= 57 && x !== y;
}

/** digitTranspose() on buf[a, b) (length unchanged). */
export function digitTransposeBytes(rng: Rng, buf: Uint8Array, a: number, b: number): void {
  let n = 0;
  for (let i = a; i < b - 1; i++) if (transposableAt(buf, i)) n++;
  if (n === 0) {
    digitTypoBytes(rng, buf, a, b);
    return;
  }
  let k = rng.int(n);
  for (let i = a; i < b - 1; i++) {
    if (transposableAt(buf, i) && k-- === 0) {
      const t = buf[i]!;
      buf[i] = buf[i + 1]!;
      buf[i + 1] = t;
      return;
    }
  }
}
