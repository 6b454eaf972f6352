/**
 * Small, fast, seedable PRNG (sfc32, Chris Doty-Humphrey's Small Fast Counter),
 * seeded through splitmix32. Deterministic across platforms; never uses Math.random.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    let s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    const sm = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    // Keep the state int32 (`| 0`) so V8 stores the fields as small integers, not boxed doubles.
    this.a = sm() | 0;
    this.b = sm() | 0;
    this.c = sm() | 0;
    this.d = sm() | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1): u32() / 2^32 (the same step, written out so hot callers inline one level). */
  float(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new Error('pick from empty array');
    return arr[Math.floor(this.float() * arr.length)] as T;
  }

  /** Derive an independent child generator (e.g. per worker / per stream). */
  fork(): Rng {
    return new Rng(this.u32());
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Walker/Vose alias table: O(1) sampling from a discrete weighted distribution. */
export class AliasTable<T> {
  readonly values: readonly T[];
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;

  constructor(values: readonly T[], weights: readonly number[]) {
    const n = values.length;
    if (n === 0 || n !== weights.length) throw new Error('AliasTable: bad input');
    this.values = values;
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0)) throw new Error('AliasTable: negative weight');
      total += w;
    }
    const scaled = new Float64Array(n);
    for (let i = 0; i < n; i++) scaled[i] = ((weights[i] as number) * n) / total;
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) ((scaled[i] as number) < 1 ? small : large).push(i);
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s] as number;
      this.alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  /** Probability of keeping column i (else its alias). */
  probAt(i: number): number {
    return this.prob[i] as number;
  }

  aliasAt(i: number): number {
    return this.alias[i] as number;
  }

  sampleIndex(rng: Rng): number {
    const u = rng.float() * this.values.length;
    const i = Math.floor(u);
    return u - i < (this.prob[i] as number) ? i : (this.alias[i] as number);
  }

  sample(rng: Rng): T {
    return this.values[this.sampleIndex(rng)] as T;
  }
}
