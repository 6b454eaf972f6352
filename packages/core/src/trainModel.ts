import { blockingKeys, candidatePairs, type BlockingRule } from './blocking.js';
import { IdresError } from './errors.js';
import { compileComparison, FieldIndex, loadModel, type PreparedRecord, MODEL_FORMAT, MODEL_VERSION, TF_VALUE_SEP, tfTableKey, validateSettings, type ComparisonParameters, type ModelJson, type TfTable } from './model.js';
import { carriesEvidence, DEFAULT_SETTINGS, type ComparisonSpec, type LevelSpec, type MatchSettings } from './settings.js';
import { learnBlockingRules, type LearnBlockingOptions } from './learnBlockingRules.js';

type Values = Readonly<Record<string, string>>;

export interface TrainOptions {
  settings?: MatchSettings;
  /** PRNG seed for u sampling; same seed + data -> same model. */
  seed?: number;
  /** Random pairs sampled to estimate u. */
  maxPairsForU?: number;
  /** Maximum EM iterations per training blocking rule. */
  emIterations?: number;
  /** Pairs per training rule used for EM (sampled when exceeded). */
  maxPairsForEm?: number;
  /** Blocks larger than this are skipped when generating pairs (hot-block guard). */
  maxBlockSize?: number;
  /** Provenance stored in the model. */
  trainedOn?: ModelJson['trainedOn'];
  /** Overrides for reproducible output (tests). */
  createdAt?: string;
  /**
   * Prediction blocking rules added from the data once m, u and the prior are known (learnBlockingRules): the
   * candidate rules that reach likely matches the settings' rules miss. On by default; false keeps the settings'
   * rules as given.
   */
  learnBlocking?: false | LearnBlockingOptions;
}

/** Small fast seeded PRNG (mulberry32): reproducible sampling without a dependency. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** All keys a comparison reads or depends on, so training can skip comparisons a blocking rule conditions on. */
export function comparisonFields(spec: ComparisonSpec): Set<string> {
  const out = new Set<string>(spec.dependsOn);
  const visit = (l: LevelSpec): void => {
    if ('fields' in l) l.fields.forEach((f) => out.add(f));
    if ('field' in l) out.add(l.field);
    if (l.kind === 'crossEqual' || l.kind === 'crossJaroWinkler') out.add(l.otherField);
    if (l.kind === 'all') l.of.forEach(visit);
  };
  spec.levels.forEach(visit);
  return out;
}

const clampP = (p: number): number => Math.min(1, Math.max(1e-9, p));

/** Term-frequency tables for every tf-adjusted exact level field. */
function buildTfTables(records: ReadonlyArray<Values>, settings: MatchSettings): Record<string, TfTable> {
  const keys = new Map<string, readonly string[]>();
  for (const c of settings.comparisons) for (const l of c.levels) if (l.kind === 'exact' && l.tf === true && l.fields.length > 0) keys.set(tfTableKey(l.fields), l.fields);
  const out: Record<string, TfTable> = {};
  for (const [f, fs] of keys) {
    const counts = new Map<string, number>();
    let n = 0;
    for (const r of records) {
      let v = '';
      let missing = false;
      for (let i = 0; i < fs.length; i++) {
        const x = r[fs[i] as string];
        if (x === undefined || x.length === 0) { missing = true; break; }
        v = i === 0 ? x : v + TF_VALUE_SEP + x;
      }
      if (missing) continue;
      n++;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (n === 0) continue;
    const sorted = [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const top = sorted.slice(0, settings.tfTopN);
    const frequencies: Record<string, number> = {};
    for (const [v, c] of top) frequencies[v] = c / n;
    const truncated = sorted.length > top.length;
    const last = top[top.length - 1];
    // Unlisted values are at most as common as the rarest listed one; when nothing was cut, treat them as seen once.
    const floor = truncated && last ? last[1] / n : 1 / n;
    out[f] = { frequencies, floor };
  }
  return out;
}

/** Level index matrix for pairs: out[p * C + c]. */
type Cmp = (a: PreparedRecord, b: PreparedRecord) => number;

function levelMatrix(records: ReadonlyArray<PreparedRecord>, pairs: ReadonlyArray<readonly [number, number]>, cmp: ReadonlyArray<Cmp>): Uint8Array {
  const C = cmp.length;
  const out = new Uint8Array(pairs.length * C);
  for (let p = 0; p < pairs.length; p++) {
    const [i, j] = pairs[p] as readonly [number, number];
    const a = records[i] as PreparedRecord;
    const b = records[j] as PreparedRecord;
    for (let c = 0; c < C; c++) out[p * C + c] = (cmp[c] as Cmp)(a, b);
  }
  return out;
}

function samplePairs(n: number, max: number, rand: () => number): Array<[number, number]> {
  const total = (n * (n - 1)) / 2;
  const pairs: Array<[number, number]> = [];
  if (total <= max) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
    return pairs;
  }
  for (let k = 0; k < max; k++) {
    const i = Math.floor(rand() * n);
    let j = Math.floor(rand() * (n - 1));
    if (j >= i) j++;
    pairs.push(i < j ? [i, j] : [j, i]);
  }
  return pairs;
}

function estimateU(specs: readonly ComparisonSpec[], levels: Uint8Array, nPairs: number): number[][] {
  const C = specs.length;
  return specs.map((spec, c) => {
    const counts = new Array<number>(spec.levels.length).fill(0);
    for (let p = 0; p < nPairs; p++) (counts[levels[p * C + c] as number] as number)++;
    const observed = spec.levels.some((l, k) => carriesEvidence(l) && (counts[k] ?? 0) > 0);
    // No data for this field at all: fall back to a conservative prior instead of a uniform (meaningless) u.
    if (!observed) return priorU(spec.levels);
    return normaliseNonNull(spec.levels, counts, 1);
  });
}


/** Probabilities over non-null levels with additive smoothing; null levels get 1 (they carry no evidence). */
function normaliseNonNull(levels: readonly LevelSpec[], counts: readonly number[], pseudo: number): number[] {
  let total = 0;
  let k = 0;
  levels.forEach((l, i) => { if (carriesEvidence(l)) { total += counts[i] ?? 0; k++; } });
  return levels.map((l, i) => (!carriesEvidence(l) ? 1 : clampP(((counts[i] ?? 0) + pseudo) / (total + pseudo * k))));
}

/** Prior u for a field never seen in training: agreement levels rare among non-matches, 'else' common. */
function priorU(levels: readonly LevelSpec[]): number[] {
  const raw = levels.map((l, i) => (!carriesEvidence(l) ? 0 : l.kind === 'else' ? 0.9 : 0.001 * 5 ** i));
  const s = raw.reduce((x, y) => x + y, 0);
  return levels.map((l, i) => (!carriesEvidence(l) ? 1 : clampP((raw[i] ?? 0) / s)));
}

/** Starting m: decreasing over levels (earlier levels are stronger agreement). */
function initialM(levels: readonly LevelSpec[]): number[] {
  const raw = levels.map((l, i) => (!carriesEvidence(l) ? 0 : l.kind === 'else' ? 0.05 : 0.9 ** (i * 3)));
  const s = raw.reduce((x, y) => x + y, 0);
  return levels.map((l, i) => (!carriesEvidence(l) ? 1 : clampP((raw[i] ?? 0) / s)));
}

interface EmResult { m: number[][]; active: boolean[]; lambda: number; expectedMatches: number; iterations: number; pairs: number; posterior: Float64Array }

/**
 * EM for m and λ with u fixed, over pairs from one blocking rule; comparisons the rule conditions on stay
 * inactive. With `h` (the household class, fixed) the non-matches are a mixture of random pairs (u) and
 * same-household pairs (h), so households in the rule's blocks are not mistaken for matches.
 */
function runEm(specs: readonly ComparisonSpec[], levels: Uint8Array, nPairs: number, u: number[][], active: boolean[], mInit: number[][], maxIter: number, h?: number[][]): EmResult {
  const C = specs.length;
  const m = mInit.map((r) => [...r]);
  let lambda = 0.3;
  let hShare = h ? 0.1 : 0;
  let expected = 0;
  let it = 0;
  const post = new Float64Array(nPairs);
  // log(h/u) per pair over active comparisons: fixed during the session.
  let hu: Float64Array | undefined;
  if (h) {
    const lh = specs.map((s, c) => s.levels.map((l, k) => (!carriesEvidence(l) || !active[c] ? 0 : Math.log(((h[c] as number[])[k] as number) / ((u[c] as number[])[k] as number)))));
    hu = new Float64Array(nPairs);
    for (let p = 0; p < nPairs; p++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += (lh[c] as number[])[levels[p * C + c] as number] as number;
      hu[p] = s;
    }
  }
  for (; it < maxIter; it++) {
    const lw = specs.map((s, c) => s.levels.map((l, k) => (!carriesEvidence(l) || !active[c] ? 0 : Math.log((m[c]?.[k] ?? 1) / (u[c]?.[k] ?? 1)))));
    const uShare = Math.max(1e-9, 1 - lambda - hShare);
    const prior = Math.log(lambda / uShare);
    const hPrior = hu ? Math.log(Math.max(1e-12, hShare) / uShare) : 0;
    expected = 0;
    let expectedH = 0;
    for (let p = 0; p < nPairs; p++) {
      let s = prior;
      for (let c = 0; c < C; c++) s += (lw[c] as number[])[levels[p * C + c] as number] as number;
      if (hu) {
        // Three classes: posteriors relative to the random class (log-odds s for match, x for household).
        const x = hPrior + (hu[p] as number);
        const mx = Math.max(0, s, x);
        const em = Math.exp(s - mx);
        const eh = Math.exp(x - mx);
        const z = Math.exp(-mx) + em + eh;
        post[p] = em / z;
        expected += em / z;
        expectedH += eh / z;
        continue;
      }
      const q = s > 40 ? 1 : s < -40 ? 0 : 1 / (1 + Math.exp(-s));
      post[p] = q;
      expected += q;
    }
    let maxDelta = Math.abs(expected / nPairs - lambda);
    lambda = Math.min(1 - 1e-6, Math.max(1e-6, expected / nPairs));
    if (hu) hShare = Math.min(1 - lambda - 1e-6, Math.max(1e-9, expectedH / nPairs));
    for (let c = 0; c < C; c++) {
      if (!active[c]) continue;
      const spec = specs[c] as ComparisonSpec;
      const counts = new Array<number>(spec.levels.length).fill(0);
      for (let p = 0; p < nPairs; p++) (counts[levels[p * C + c] as number] as number) += post[p] as number;
      const next = normaliseNonNull(spec.levels, counts, 0.01);
      next.forEach((v, k) => { maxDelta = Math.max(maxDelta, Math.abs(v - (m[c]?.[k] ?? 0))); });
      m[c] = next;
    }
    if (maxDelta < 1e-5) { it++; break; }
  }
  return { m, active, lambda, expectedMatches: expected, iterations: it, pairs: nPairs, posterior: post };
}

/** λ for blocked pairs with m and u fixed (EM on the mixing weight only). */
function estimateBlockedLambda(specs: readonly ComparisonSpec[], levels: Uint8Array, nPairs: number, m: number[][], u: number[][], iters: number, active?: readonly boolean[]): { lambda: number; posterior: Float64Array } {
  const C = specs.length;
  const lw = specs.map((s, c) => s.levels.map((l, k) => (!carriesEvidence(l) || active?.[c] === false ? 0 : Math.log((m[c]?.[k] ?? 1) / (u[c]?.[k] ?? 1)))));
  const base = new Float64Array(nPairs);
  for (let p = 0; p < nPairs; p++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += (lw[c] as number[])[levels[p * C + c] as number] as number;
    base[p] = s;
  }
  let lambda = 0.1;
  const post = new Float64Array(nPairs);
  for (let it = 0; it < iters; it++) {
    const prior = Math.log(lambda / (1 - lambda));
    let e = 0;
    for (let p = 0; p < nPairs; p++) {
      const s = prior + (base[p] as number);
      const q = s > 40 ? 1 : s < -40 ? 0 : 1 / (1 + Math.exp(-s));
      post[p] = q;
      e += q;
    }
    const next = Math.min(1 - 1e-6, Math.max(1e-9, e / Math.max(1, nPairs)));
    if (Math.abs(next - lambda) < 1e-7) { lambda = next; break; }
    lambda = next;
  }
  return { lambda, posterior: post };
}

interface HouseholdFit { h: number[][]; lambda: number; expectedPairs: number; pairs: number; iterations: number; matchShare: number }

/**
 * The household class: EM on the pairs of the household rule (non-matches there mostly share a household)
 * with the match distribution m held fixed; the other class's level distribution h is estimated. h starts at
 * u and is smoothed towards u (a Dirichlet prior of strength `alpha` pairs), so a level never seen among
 * household pairs is not more likely for households than for random pairs.
 */
function fitHousehold(specs: readonly ComparisonSpec[], levels: Uint8Array, nPairs: number, m: number[][], u: number[][], maxIter: number, alpha: number): HouseholdFit {
  const C = specs.length;
  const logM = specs.map((s, c) => s.levels.map((l, k) => (!carriesEvidence(l) ? 0 : Math.log((m[c] as number[])[k] as number))));
  const baseM = new Float64Array(nPairs);
  for (let p = 0; p < nPairs; p++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += (logM[c] as number[])[levels[p * C + c] as number] as number;
    baseM[p] = s;
  }
  let h = u.map((r) => [...r]);
  let share = 0.5;
  let it = 0;
  let expectedH = 0;
  const q = new Float64Array(nPairs);
  for (; it < maxIter; it++) {
    const logH = specs.map((s, c) => s.levels.map((l, k) => (!carriesEvidence(l) ? 0 : Math.log((h[c] as number[])[k] as number))));
    const prior = Math.log(share / (1 - share));
    let sumM = 0;
    for (let p = 0; p < nPairs; p++) {
      let sh = 0;
      for (let c = 0; c < C; c++) sh += (logH[c] as number[])[levels[p * C + c] as number] as number;
      const x = prior + (baseM[p] as number) - sh;
      const v = x > 40 ? 1 : x < -40 ? 0 : 1 / (1 + Math.exp(-x));
      q[p] = v;
      sumM += v;
    }
    const nextShare = Math.min(1 - 1e-6, Math.max(1e-6, sumM / nPairs));
    let maxDelta = Math.abs(nextShare - share);
    share = nextShare;
    expectedH = nPairs - sumM;
    h = specs.map((spec, c) => {
      const counts = new Array<number>(spec.levels.length).fill(0);
      for (let p = 0; p < nPairs; p++) (counts[levels[p * C + c] as number] as number) += 1 - (q[p] as number);
      let total = 0;
      spec.levels.forEach((l, k) => { if (carriesEvidence(l)) total += counts[k] as number; });
      const next = spec.levels.map((l, k) => (!carriesEvidence(l) ? 1 : clampP(((counts[k] as number) + alpha * ((u[c] as number[])[k] as number)) / (total + alpha))));
      next.forEach((v, k) => { maxDelta = Math.max(maxDelta, Math.abs(v - ((h[c] as number[])[k] as number))); });
      return next;
    });
    if (maxDelta < 1e-5) { it++; break; }
  }
  return { h, lambda: 0, expectedPairs: expectedH, pairs: nPairs, iterations: it, matchShare: share };
}

/**
 * One m per comparison from the sessions that estimated it: per level the median across sessions (the mean of
 * the middle two for an even count), renormalised. A median, not a mean, because one session whose blocking rule
 * is shared by non-matches (a family email shared by a household) can take those for matches and skew its m
 * badly; with three or more sessions its estimate is outvoted instead of averaged in.
 * With `expectedMatches` (each session's), a session takes part in a level's median only if it expects at least
 * one match at that level by the pooled estimate (its matches × the matches-weighted mean m): a session of 70
 * matches says nothing about a level one match in 150 reaches, and its 0 would otherwise outvote the session of
 * 500 that saw it. When no session qualifies, all take part.
 */
export function combineSessions(levels: readonly LevelSpec[], estimates: ReadonlyArray<readonly number[]>, expectedMatches?: readonly number[]): number[] {
  const e = expectedMatches ?? estimates.map(() => Number.POSITIVE_INFINITY);
  const totalE = e.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const med = levels.map((l, k) => {
    if (!carriesEvidence(l)) return 0;
    const pooled = totalE > 0 ? estimates.reduce((a, est, s) => a + (est[k] as number) * (e[s] as number), 0) / totalE : 0;
    const informed = estimates.filter((_, s) => (e[s] as number) * pooled >= 1);
    return median((informed.length > 0 ? informed : estimates).map((est) => est[k] as number));
  });
  const total = med.reduce((a, b) => a + b, 0);
  return levels.map((l, k) => (!carriesEvidence(l) ? 1 : clampP((med[k] as number) / total)));
}

interface RecaptureSession { rule: BlockingRule; pairs: ReadonlyArray<readonly [number, number]>; fullN: number; run: EmResult | undefined }

/**
 * How many matching pairs the file holds, without labels: Lincoln-Petersen capture-recapture over pairs of
 * training rules on disjoint fields. Rule A's EM finds M_A matches among its pairs, B's M_B, and A's posteriors
 * give M_AB, the matches that agree on both; if a match's agreeing on A says nothing of its agreeing on B
 * (a typo in the name is independent of a typo in the DOB), all matches number M_A * M_B / M_AB. The median over
 * all such rule pairs (both directions). Unlike scaling the match rate among blocked pairs, this never asks
 * the model to score pairs that share a blocking key it does not know about, where namesakes and households
 * look like matches (on a 1M-record file that overstated the prior ninefold).
 */
export function matchCountByRecapture(records: ReadonlyArray<Values>, sessions: readonly RecaptureSession[]): { matches: number | undefined; estimates: Array<{ a: string; b: string; matches: number }> } {
  const holds = (rule: BlockingRule, x: Values, y: Values): boolean => rule.fields.every((f) => { const v = x[f]; return v !== undefined && v.length > 0 && v === y[f]; });
  const estimates: Array<{ a: string; b: string; matches: number }> = [];
  for (const A of sessions) {
    if (!A.run || A.pairs.length === 0) continue;
    const scale = A.fullN / A.pairs.length;
    const mA = A.run.lambda * A.fullN;
    for (const B of sessions) {
      if (B === A || !B.run || B.rule.fields.some((f) => A.rule.fields.includes(f))) continue;
      const mB = B.run.lambda * B.fullN;
      let mAB = 0;
      A.pairs.forEach(([i, j], p) => { if (holds(B.rule, records[i] as Values, records[j] as Values)) mAB += A.run?.posterior[p] ?? 0; });
      mAB *= scale;
      // Too few matches in the overlap to divide by.
      if (mAB < 20 || mA < 20 || mB < 20) continue;
      estimates.push({ a: A.rule.name, b: B.rule.name, matches: Math.round((mA * mB) / mAB) });
    }
  }
  return { matches: estimates.length === 0 ? undefined : median(estimates.map((e) => e.matches)), estimates };
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const xs = [...values].sort((a, b) => a - b);
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/** Per comparison: true unless it reads or depends on one of `fields` (pairs agreeing on them say nothing of it). */
function activeOutside(specs: readonly ComparisonSpec[], fields: readonly string[]): boolean[] {
  return specs.map((s) => ![...comparisonFields(s)].some((f) => fields.includes(f)));
}

function rulePairs(records: ReadonlyArray<Values>, rules: readonly BlockingRule[], maxBlockSize: number): Array<[number, number]> {
  const keys = records.map((r) => blockingKeys(r, rules));
  return candidatePairs(keys, { maxBlockSize }).pairs;
}

function subsample<T>(xs: T[], max: number, rand: () => number): T[] {
  if (xs.length <= max) return xs;
  // Partial Fisher-Yates: unbiased sample of `max` items.
  const a = xs.slice();
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a.slice(0, max);
}

/**
 * Unsupervised Fellegi-Sunter training (no labels): u from random pairs, m by EM on pairs from each training
 * blocking rule (Splink's approach), λ from the blocked-pair match rate scaled to all pairs, tf tables for
 * common values. `records` are StandardizedRecord.values.
 */
export function trainModel(records: ReadonlyArray<Record<string, string>>, opts: TrainOptions = {}): ModelJson {
  const settings: MatchSettings = opts.settings ?? DEFAULT_SETTINGS;
  try {
    validateSettings(settings);
  } catch (e) {
    throw new IdresError('SETTINGS_INVALID', e instanceof Error ? e.message : 'invalid settings', { cause: e });
  }
  const n = records.length;
  if (n < 2) throw new IdresError('INPUT_INVALID', `need at least 2 records to train, got ${n}`);
  const rand = mulberry32(opts.seed ?? 42);
  const maxBlockSize = opts.maxBlockSize ?? 1000;
  const specs = settings.comparisons;
  const fieldIndex = new FieldIndex();
  const cmp = specs.map((s) => compileComparison(s, fieldIndex));
  const prepared = records.map((r) => fieldIndex.prepare(r));
  const C = specs.length;

  // u from random pairs.
  const uPairs = samplePairs(n, opts.maxPairsForU ?? 300_000, rand);
  const u = estimateU(specs, levelMatrix(prepared, uPairs, cmp), uPairs.length);

  // m by EM per training rule. Each rule's pairs and level matrix are built once and reused by both rounds.
  const mInit = specs.map((s) => initialM(s.levels));
  const sessions = settings.blockingRulesForTraining.map((rule) => {
    const active = activeOutside(specs, rule.fields);
    const all = rulePairs(records, [rule], maxBlockSize);
    const pairs = subsample(all, opts.maxPairsForEm ?? 200_000, rand);
    const skip = pairs.length < 10 || !active.some(Boolean);
    return { rule, active, n: pairs.length, fullN: all.length, pairs, skip, levels: skip ? new Uint8Array(0) : levelMatrix(prepared, pairs, cmp) };
  });
  // The last EM result per session (the final m's), for the prior.
  const lastRuns = new Map<number, EmResult>();
  const estimateM = (h: number[][] | undefined): { m: number[][]; emRuns: Array<Record<string, unknown>>; notEstimated: string[] } => {
    const estimates: number[][][] = specs.map(() => []);
    const sessionMatches: number[][] = specs.map(() => []);
    const emRuns: Array<Record<string, unknown>> = [];
    for (const [si, ses] of sessions.entries()) {
      if (ses.skip) {
        emRuns.push({ rule: ses.rule.name, pairs: ses.n, skipped: true });
        continue;
      }
      const res = runEm(specs, ses.levels, ses.n, u, ses.active, mInit, opts.emIterations ?? 50, h);
      lastRuns.set(si, res);
      emRuns.push({ rule: ses.rule.name, pairs: ses.n, iterations: res.iterations, lambda: res.lambda, expectedMatches: Math.round(res.expectedMatches), withHousehold: h !== undefined });
      if (res.expectedMatches < 5) continue;
      for (let c = 0; c < C; c++) {
        if (!ses.active[c]) continue;
        (estimates[c] as number[][]).push(res.m[c] as number[]);
        (sessionMatches[c] as number[]).push(res.expectedMatches);
      }
    }
    const notEstimated: string[] = [];
    const mOut = specs.map((s, c) => {
      const es = estimates[c] as number[][];
      if (es.length === 0) { notEstimated.push(s.name); return mInit[c] as number[]; }
      return combineSessions(s.levels, es, sessionMatches[c]);
    });
    return { m: mOut, emRuns, notEstimated };
  };
  let est = estimateM(undefined);
  let m = est.m;
  const totalPairs = (n * (n - 1)) / 2;

  // Household class (optional): EM with m fixed on the household rule's pairs; then m again with households
  // as a known third class in every session (so twins and siblings do not teach m), then h again.
  let household: HouseholdFit | undefined;
  let householdRun: Record<string, unknown> | undefined;
  const hRules = settings.householdRules ?? [];
  const hRuleName = hRules.map((r) => r.name).join('|');
  if (hRules.length > 0) {
    const hp = subsample(rulePairs(records, hRules, maxBlockSize), opts.maxPairsForEm ?? 200_000, rand);
    if (hp.length >= 10) {
      const hLevels = levelMatrix(prepared, hp, cmp);
      const fitH = (mm: number[][]): HouseholdFit | undefined => {
        const fit = fitHousehold(specs, hLevels, hp.length, mm, u, opts.emIterations ?? 50, 10);
        // Too few household pairs to say anything (e.g. no shared addresses in the data): stay two-class.
        if (fit.expectedPairs < 5) return undefined;
        fit.lambda = Math.min(0.5, Math.max(1e-12, fit.expectedPairs / totalPairs));
        return fit;
      };
      household = fitH(m);
      if (household) {
        est = estimateM(household.h);
        m = est.m;
        household = fitH(m);
      }
      householdRun = { rule: hRuleName, pairs: hp.length, used: household !== undefined, ...(household ? { iterations: household.iterations, matchShare: household.matchShare, expectedHouseholdPairs: Math.round(household.expectedPairs) } : {}) };
    } else householdRun = { rule: hRuleName, pairs: hp.length, used: false };
  }
  const { emRuns, notEstimated } = est;

  // λ: the number of matching pairs in the file over all pairs. Counted by capture-recapture across training
  // sessions when possible (see matchCountByRecapture); else the match rate among prediction-blocked pairs.
  const recapture = matchCountByRecapture(records, sessions.map((ses, si) => ({ rule: ses.rule, pairs: ses.pairs, fullN: ses.fullN, run: lastRuns.get(si) })));
  let blockedPairs = 0;
  let blockedLambda: number | undefined;
  let prior: number;
  if (recapture.matches !== undefined) prior = Math.min(0.5, Math.max(1e-12, recapture.matches / totalPairs));
  else {
    const blocked = rulePairs(records, settings.blockingRules, maxBlockSize);
    blockedPairs = blocked.length;
    blockedLambda = blocked.length > 0 ? estimateBlockedLambda(specs, levelMatrix(prepared, blocked, cmp), blocked.length, m, u, 100).lambda : 1e-6;
    prior = Math.min(0.5, Math.max(1e-12, (blockedLambda * blocked.length) / totalPairs));
  }

  // u among non-matches that agree on a comparison's dependsOn fields: pairs blocked on those fields, each
  // weighted by its posterior of being a non-match (comparisons on those fields, and this one, sit out).
  const uDep = specs.map((s, c): number[] | undefined => {
    const dep = s.dependsOn;
    if (dep === undefined || dep.length === 0) return undefined;
    const pairs = subsample(rulePairs(records, [{ name: `depends_${s.name}`, fields: dep }], maxBlockSize), opts.maxPairsForEm ?? 200_000, rand);
    if (pairs.length < 10) return undefined;
    const lv = levelMatrix(prepared, pairs, cmp);
    const active = activeOutside(specs, dep).map((a, oc) => a && oc !== c);
    const { posterior } = estimateBlockedLambda(specs, lv, pairs.length, m, u, 100, active);
    const counts = new Array<number>(s.levels.length).fill(0);
    for (let p = 0; p < pairs.length; p++) (counts[lv[p * C + c] as number] as number) += 1 - (posterior[p] as number);
    return normaliseNonNull(s.levels, counts, 1);
  });
  const comparisons: ComparisonParameters[] = specs.map((s, c) => ({
    name: s.name,
    levels: s.levels.map((l, k) => {
      const lp: ComparisonParameters['levels'][number] = { label: l.label, m: (m[c] as number[])[k] as number, u: (u[c] as number[])[k] as number };
      if (household) lp.h = (household.h[c] as number[])[k] as number;
      const ud = uDep[c];
      if (ud !== undefined && carriesEvidence(l)) lp.uGivenDependsOn = ud[k] as number;
      return lp;
    }),
  }));
  const json: ModelJson = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    trainedOn: { records: n, ...(opts.trainedOn ?? {}) },
    settings,
    prior,
    threshold: settings.threshold,
    ...(household ? { household: { lambda: household.lambda, rule: hRuleName, expectedPairs: Math.round(household.expectedPairs) } } : {}),
    comparisons,
    tfTables: buildTfTables(records, settings),
    training: {
      method: 'unsupervised: u from random pairs, m by EM per training blocking rule (median across rules), lambda by capture-recapture across rules (else from blocked pairs); prediction blocking rules added where they reach likely matches the given rules miss, and given ones dropped whose own comparisons hardly ever find one (training.blocking)',
      seed: opts.seed ?? 42,
      uPairs: uPairs.length,
      emRuns,
      notEstimated,
      matchPairsEstimate: Math.round(prior * totalPairs),
      recapture: recapture.estimates,
      ...(blockedLambda !== undefined ? { blockedPairs, blockedLambda, expectedMatchesInBlockedPairs: Math.round(blockedLambda * blockedPairs) } : {}),
      ...(householdRun ? { household: householdRun } : {}),
    },
  };
  loadModel(json); // self-check: a trained model must always load
  if (opts.learnBlocking === false) return json;
  const learned = learnBlockingRules(records, json, { maxBlockSize, ...opts.learnBlocking });
  if (learned.added.length > 0 || learned.dropped.length > 0) json.settings = { ...settings, blockingRules: learned.rules };
  json.training = { ...json.training, blocking: { expectedMatches: learned.expectedMatches, candidates: learned.candidates, added: learned.added, dropped: learned.dropped } };
  return json;
}
