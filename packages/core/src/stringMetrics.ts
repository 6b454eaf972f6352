/**
 * String metrics used by comparisons, hand-written over reusable typed buffers. Measured against the npm
 * packages in the scoring loop (loadtest/engineBench.ts era, random pairs, given-name comparison):
 * 'jaro-winkler' allocates arrays and an options object per call and made the comparison ~30% slower;
 * 'damerau-levenshtein' allocates a full matrix per call (~4x slower) and gives up on distances above 4.
 */

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/**
 * Jaro-Winkler similarity in [0,1] (Winkler boost for a common prefix of up to 4 when Jaro > 0.7);
 * 0 when either string is empty.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la <= 32 && lb <= 32) return jaroWinklerBits(a, b, la, lb);
  return jaroWinklerArrays(a, b, la, lb);
}

/** Positions of each char code in the current `b` (bit j set: b[j] is that code); all zero between calls. */
const positions = new Int32Array(65536);

/**
 * Bit-parallel Jaro-Winkler for strings of at most 32 UTF-16 units. The same greedy matching as
 * jaroWinklerArrays (each char of a takes the first unmatched equal char of b inside the window, which is
 * the lowest set bit of positions & ~matched & window), so m and t, and hence the result, are identical.
 */
function jaroWinklerBits(a: string, b: string, la: number, lb: number): number {
  const pos = positions;
  for (let j = 0; j < lb; j++) {
    const c = b.charCodeAt(j);
    pos[c] = (pos[c] as number) | (1 << j);
  }
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matchedB = 0;
  let matchedA = 0;
  let m = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > range ? i - range : 0;
    const hi = i + range + 1 < lb ? i + range + 1 : lb;
    if (lo >= hi) continue;
    // Bits lo..hi-1 (hi <= 32).
    const win = (hi === 32 ? -1 : (1 << hi) - 1) & ~((1 << lo) - 1);
    const cand = (pos[a.charCodeAt(i)] as number) & ~matchedB & win;
    if (cand !== 0) {
      matchedB |= cand & -cand;
      matchedA |= 1 << i;
      m++;
    }
  }
  for (let j = 0; j < lb; j++) pos[b.charCodeAt(j)] = 0;
  if (m === 0) return 0;
  let t = 0;
  let rest = matchedB;
  let ra = matchedA;
  while (ra !== 0) {
    const i = 31 - Math.clz32(ra & -ra);
    const k = 31 - Math.clz32(rest & -rest);
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    ra &= ra - 1;
    rest &= rest - 1;
  }
  return winklerBoost(a, b, la, lb, (m / la + m / lb + (m - t / 2) / m) / 3);
}

/** Winkler's prefix boost over a Jaro similarity: up to 4 common leading characters, only above 0.7. */
function winklerBoost(a: string, b: string, la: number, lb: number, j: number): number {
  if (j <= 0.7) return j;
  let l = 0;
  const max = Math.min(4, la, lb);
  while (l < max && a.charCodeAt(l) === b.charCodeAt(l)) l++;
  return j + l * 0.1 * (1 - j);
}

/** Jaro-Winkler over flag arrays, any length (the original implementation). */
export function jaroWinklerArrays(a: string, b: string, la: number, lb: number): number {
  if (la > flagsA.length) flagsA = new Uint8Array(la * 2);
  if (lb > flagsB.length) flagsB = new Uint8Array(lb * 2);
  const fa = flagsA;
  const fb = flagsB;
  fa.fill(0, 0, la);
  fb.fill(0, 0, lb);
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let m = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > range ? i - range : 0;
    const hi = i + range + 1 < lb ? i + range + 1 : lb;
    const c = a.charCodeAt(i);
    for (let j = lo; j < hi; j++) {
      if (fb[j] === 0 && b.charCodeAt(j) === c) { fa[i] = 1; fb[j] = 1; m++; break; }
    }
  }
  if (m === 0) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (fa[i] === 0) continue;
    while (fb[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  return winklerBoost(a, b, la, lb, (m / la + m / lb + (m - t / 2) / m) / 3);
}

let rowPrev2 = new Int32Array(64);
let rowPrev = new Int32Array(64);
let rowCur = new Int32Array(64);

/**
 * Damerau-Levenshtein distance, optimal-string-alignment variant (adjacent transpositions count 1).
 * `max` lets callers stop early: the result is min(distance, max + 1).
 */
export function damerauLevenshtein(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (max === 1) return withinOneEdit(a, b) ? 1 : 2;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (lb + 1 > rowCur.length) {
    rowPrev2 = new Int32Array((lb + 1) * 2);
    rowPrev = new Int32Array((lb + 1) * 2);
    rowCur = new Int32Array((lb + 1) * 2);
  }
  let p2 = rowPrev2;
  let p = rowPrev;
  let c = rowCur;
  for (let j = 0; j <= lb; j++) p[j] = j;
  for (let i = 1; i <= la; i++) {
    c[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = (p[j] as number) + 1;
      const ins = (c[j - 1] as number) + 1;
      if (ins < v) v = ins;
      const sub = (p[j - 1] as number) + cost;
      if (sub < v) v = sub;
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        const tr = (p2[j - 2] as number) + 1;
        if (tr < v) v = tr;
      }
      c[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = p2;
    p2 = p;
    p = c;
    c = t;
  }
  const d = p[lb] as number;
  return d > max ? max + 1 : d;
}

/**
 * True when a and b (already known to differ) are one OSA edit apart: one substitution, insertion,
 * deletion or adjacent transposition. Linear time; the DP is only needed for larger distances.
 */
function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  const min = la < lb ? la : lb;
  while (i < min && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    // Substitution at i, or transposition of i and i+1; the rest must be identical.
    if (sameTail(a, i + 1, b, i + 1)) return true;
    return i + 1 < la && a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && sameTail(a, i + 2, b, i + 2);
  }
  // Insertion/deletion at i.
  return la > lb ? sameTail(a, i + 1, b, i) : sameTail(a, i, b, i + 1);
}

/** a.slice(i) === b.slice(j), without allocating. */
function sameTail(a: string, i: number, b: string, j: number): boolean {
  const la = a.length;
  const lb = b.length;
  if (i > la) i = la;
  if (j > lb) j = lb;
  if (la - i !== lb - j) return false;
  for (; i < la; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}
