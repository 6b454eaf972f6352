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

function pickChar(rng: Rng, s: string): string {
  return s.charAt(rng.int(s.length));
}

function neighbour(rng: Rng, ch: string): string {
  const lower = ch.toLowerCase();
  if (ch >= '0' && ch <= '9') return pickChar(rng, DIGIT_NEIGHBOURS[ch.charCodeAt(0) - 48] as string);
  const n = NEIGHBOURS.get(lower);
  if (!n) return ch;
  const c = pickChar(rng, n);
  return ch !== lower ? c.toUpperCase() : c;
}

/** One keyboard typo: insert, delete, substitute (adjacent key) or transpose. */
export function typo(rng: Rng, s: string): string {
  const len = s.length;
  if (len < 2) return s;
  const i = rng.int(len);
  const ch = s[i] as string;
  switch (rng.int(4)) {
    case 0: {
      const c = neighbour(rng, ch);
      return s.slice(0, i) + (ch === ch.toUpperCase() && i > 0 ? c.toLowerCase() : c) + s.slice(i);
    }
    case 1:
      return len > 2 ? s.slice(0, i) + s.slice(i + 1) : s;
    case 2:
      return s.slice(0, i) + neighbour(rng, ch) + s.slice(i + 1);
    default: {
      const j = i < len - 1 ? i : i - 1;
      return s.slice(0, j) + s[j + 1] + s[j] + s.slice(j + 2);
    }
  }
}

/** Digit-only typo (substitute a digit by a keypad neighbour), keeps length. */
export function digitTypo(rng: Rng, s: string): string {
  const positions: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) positions.push(i);
  }
  if (positions.length === 0) return s;
  const i = rng.pick(positions);
  return s.slice(0, i) + neighbour(rng, s[i] as string) + s.slice(i + 1);
}

/** Swap two adjacent digits (a common SSN/phone keying error). */
export function digitTranspose(rng: Rng, s: string): string {
  const positions: number[] = [];
  for (let i = 0; i < s.length - 1; i++) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    if (a >= 48 && a <= 57 && b >= 48 && b <= 57 && a !== b) positions.push(i);
  }
  if (positions.length === 0) return digitTypo(rng, s);
  const i = rng.pick(positions);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}

const OCR: ReadonlyArray<readonly [string, string]> = [
  ['0', 'O'], ['O', '0'], ['o', '0'], ['1', 'l'], ['l', '1'], ['I', '1'], ['i', '1'],
  ['5', 'S'], ['S', '5'], ['s', '5'], ['8', 'B'], ['B', '8'], ['2', 'Z'], ['Z', '2'],
  ['6', 'G'], ['G', '6'], ['rn', 'm'], ['m', 'rn'], ['cl', 'd'], ['vv', 'w'], ['w', 'vv'],
  ['e', 'c'], ['h', 'b'], ['u', 'v'],
];

/** One OCR-style confusion (0/O, 1/l, 5/S, rn/m, ...); unchanged if none applies. */
export function ocr(rng: Rng, s: string): string {
  const options: Array<readonly [string, string, number]> = [];
  for (const [from, to] of OCR) {
    let at = s.indexOf(from);
    while (at >= 0) {
      options.push([from, to, at]);
      at = s.indexOf(from, at + 1);
    }
  }
  if (options.length === 0) return s;
  const [from, to, at] = rng.pick(options);
  return s.slice(0, at) + to + s.slice(at + from.length);
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

/** One phonetically plausible misspelling (Catherine -> Kathryn-ish); keeps the input's case style. */
export function phonetic(rng: Rng, s: string): string {
  if (s.length < 2) return s;
  const lower = s.toLowerCase();
  const options: Array<readonly [RegExp, string]> = [];
  for (const rule of PHONETIC) if (rule[0].test(lower)) options.push(rule);
  if (options.length === 0) return typo(rng, s);
  const [re, to] = rng.pick(options);
  const out = lower.replace(re, to);
  if (out.length === 0) return s;
  return restoreCase(s, out);
}

export function restoreCase(original: string, lower: string): string {
  if (original === original.toUpperCase()) return lower.toUpperCase();
  if (original === original.toLowerCase()) return lower;
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
