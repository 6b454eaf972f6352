import jaroWinklerLib from 'jaro-winkler';

/**
 * String metrics used by comparisons. Jaro-Winkler comes from the 'jaro-winkler' package (standard Winkler
 * boost above 0.7, prefix up to 4; measured as fast as a hand-written version). Damerau-Levenshtein is
 * hand-written over reusable typed buffers: the 'damerau-levenshtein' package allocates a full matrix per
 * call, measured ~4x slower, and gives up on distances above 4.
 */

/** Jaro-Winkler similarity in [0,1]; 0 when either string is empty. */
export function jaroWinkler(a: string, b: string): number {
  return jaroWinklerLib(a, b);
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
