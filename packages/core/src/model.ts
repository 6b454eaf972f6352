import { IdresError } from './errors.js';
import { carriesEvidence, type ComparisonSpec, type LevelSpec, type MatchSettings } from './settings.js';
import { damerauLevenshtein, jaroWinkler } from './stringMetrics.js';
import { nicknameKeysIntersect } from './nicknames.js';
import { daysWithin, partialDateAgrees } from './dateLevels.js';
import { buildKernel, FEATURES, shareString, type Kernel, type KernelLevel, type RecordFeatures } from './scoringKernel.js';

type Values = Readonly<Record<string, string>>;

export const MODEL_FORMAT = 'idres-match-model';
export const MODEL_VERSION = 1;

export interface LevelParameters {
  label: string;
  /** P(level | match); 1 for the null level. */
  m: number;
  /** P(level | non-match); 1 for the null level. */
  u: number;
  /** P(level | same household, different person), when the model has a household class; 1 for null. */
  h?: number;
  /**
   * For comparisons with `dependsOn`: P(level | non-match that agrees on all the dependsOn fields), used instead
   * of u for such pairs (two different Anna Smiths have similar emails far more often than two random people).
   */
  uGivenDependsOn?: number;
}

export interface ComparisonParameters {
  name: string;
  levels: LevelParameters[];
}

/** Key of the tf table for an exact level: its field, or its fields joined with '+' (values joined with U+001F). */
export function tfTableKey(fields: readonly string[]): string {
  return fields.join('+');
}

export const TF_VALUE_SEP = '\u001f';

export interface TfTable {
  /** Relative frequency of the most common values (among records with a value). */
  frequencies: Record<string, number>;
  /** Frequency assumed for values not in the table. */
  floor: number;
}

/** Versioned, serialisable Fellegi-Sunter model. */
export interface ModelJson {
  format: typeof MODEL_FORMAT;
  version: number;
  createdAt: string;
  /** Free-form provenance: what data it was trained on (never labels). */
  trainedOn?: { description?: string; records?: number; [k: string]: unknown };
  settings: MatchSettings;
  /** λ: probability that two random records match. */
  prior: number;
  threshold: number;
  /** Parallel to settings.comparisons; each level parallel to the spec's levels. */
  comparisons: ComparisonParameters[];
  /**
   * Third class "same household, different person" (see MatchSettings.householdRules): its share of all pairs.
   * Levels then carry h. Absent: a plain two-class Fellegi-Sunter model.
   */
  household?: { lambda: number; rule: string; expectedPairs: number };
  /** Keyed by the field of the tf-adjusted exact level (several fields: tfTableKey). */
  tfTables: Record<string, TfTable>;
  training?: Record<string, unknown>;
}

export interface ExplanationTerm {
  comparison: string;
  level: string;
  /**
   * log2(m/u), with term-frequency adjustment where the level uses it; the prior term is log2(λ/(1-λ)).
   * Includes `household` when set.
   */
  weight: number;
  /**
   * Models with a household class: the share (<= 0) of the household discount carried by this term. The
   * discount, log2(1 + odds that a different person of the same household would agree like this), is spread
   * over the comparisons in proportion to how strongly each agreement also points to a household.
   */
  household?: number;
}

export interface PairScore {
  probability: number;
  matchWeight: number;
  deterministicRule?: string;
  explanation: ExplanationTerm[];
}

/**
 * A record in the model's dense form: one string per field the model reads ('' when missing). Built once
 * per record with prepareRecord so that pair scoring does array reads instead of megamorphic keyed lookups.
 */
export type PreparedRecord = readonly string[];

type LevelPredicate = (a: PreparedRecord, b: PreparedRecord) => boolean;

/** Maps field names to positions in PreparedRecord; grows while compiling. */
export class FieldIndex {
  readonly names: string[] = [];
  private readonly pos = new Map<string, number>();
  of(field: string): number {
    let i = this.pos.get(field);
    if (i === undefined) {
      i = this.names.length;
      this.pos.set(field, i);
      this.names.push(field);
    }
    return i;
  }
  prepare(values: Values): string[] {
    // Built by push so the array is PACKED (no hole checks on every element load in the scoring loop).
    const out: string[] = [];
    for (let i = 0; i < this.names.length; i++) out.push(values[this.names[i] as string] ?? '');
    return out;
  }
}

interface CompiledLevel {
  label: string;
  test: LevelPredicate;
  isNull: boolean;
  weight: number;
  /** For tf-adjusted exact levels: value -> weight override. tfIndex is the field; tfFields when several. */
  tfIndex: number;
  tfFields: readonly number[] | undefined;
  tfWeights: Map<string, number> | undefined;
  tfFloorWeight: number;
  /** log2(h/m): added to the level's (tf) weight gives log2(h/u), the household-vs-random evidence. */
  hDelta: number;
  /** Slot of this level in a prepared record's term-frequency weights (RecordFeatures.tf), or -1. */
  tfSlot: number;
}

interface CompiledComparison {
  name: string;
  levels: CompiledLevel[];
  /** When the model has uGivenDependsOn: the dependsOn fields, and per level log2(m / uGivenDependsOn). */
  dep: { fields: readonly number[]; weights: readonly number[] } | undefined;
}

/**
 * The weight of level `k` given the dependsOn fields, when the comparison has them and both records agree on all
 * of them (present and equal); undefined otherwise, and the level's own weight applies.
 */
function dependentWeight(c: CompiledComparison, k: number, a: PreparedRecord, b: PreparedRecord): number | undefined {
  const dep = c.dep;
  if (dep === undefined) return undefined;
  for (let i = 0; i < dep.fields.length; i++) {
    const f = dep.fields[i] as number;
    const x = a[f] as string;
    if (x.length === 0 || x !== b[f]) return undefined;
  }
  return dep.weights[k] as number;
}

/** Compiled, fast form of a model. Treat as opaque. */
export interface MatchModel {
  readonly json: ModelJson;
  readonly fields: FieldIndex;
  readonly comparisons: readonly CompiledComparison[];
  readonly deterministic: ReadonlyArray<{ name: string; fields: readonly number[] }>;
  readonly priorWeight: number;
  /** log2(λ_household / λ_random); -Infinity without a household class. */
  readonly householdPriorWeight: number;
  readonly threshold: number;
  /** Generated straight-line scoring code (scoringKernel.ts); undefined where code generation is disabled. */
  readonly kernel?: Kernel | undefined;
  /** Levels with term-frequency tables, by tfSlot. */
  readonly tfLevels: readonly CompiledLevel[];
}

/** Four ASCII digits at `at` as a number (dates are ISO YYYY-MM-DD after standardization). */
function yearAt(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 1000 + (s.charCodeAt(at + 1) - 48) * 100 + (s.charCodeAt(at + 2) - 48) * 10 + (s.charCodeAt(at + 3) - 48);
}

/** Per-comparison memo so several Jaro-Winkler levels on one field compute the similarity once per pair. */
interface JwMemo { x: string; y: string; v: number }

/** Compile one declarative level into a predicate over prepared records. */
export function compileLevel(spec: LevelSpec, fields: FieldIndex, jwMemo: JwMemo = { x: '', y: '', v: 0 }): LevelPredicate {
  switch (spec.kind) {
    case 'null': {
      const fs = spec.fields.map((f) => fields.of(f));
      if (spec.mode === 'all') {
        // Null only when no field is present on both sides.
        return (a, b) => {
          for (let i = 0; i < fs.length; i++) {
            const f = fs[i] as number;
            if ((a[f] as string).length > 0 && (b[f] as string).length > 0) return false;
          }
          return true;
        };
      }
      if (fs.length === 1) {
        const f = fs[0] as number;
        return (a, b) => (a[f] as string).length === 0 || (b[f] as string).length === 0;
      }
      return (a, b) => fs.some((f) => (a[f] as string).length === 0 || (b[f] as string).length === 0);
    }
    case 'exact': {
      const fs = spec.fields.map((f) => fields.of(f));
      if (fs.length === 1) {
        const f = fs[0] as number;
        return (a, b) => {
          const x = a[f] as string;
          return x.length > 0 && x === b[f];
        };
      }
      return (a, b) => fs.every((f) => (a[f] as string).length > 0 && a[f] === b[f]);
    }
    case 'anyEqual': {
      const fs = spec.fields.map((f) => fields.of(f));
      return (a, b) => {
        for (let i = 0; i < fs.length; i++) {
          const x = a[fs[i] as number] as string;
          if (x.length === 0) continue;
          for (let j = 0; j < fs.length; j++) if (x === b[fs[j] as number]) return true;
        }
        return false;
      };
    }
    case 'tokenOverlap': {
      const f = fields.of(spec.field);
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        return x.length > 0 && y.length > 0 && nicknameKeysIntersect(x, y);
      };
    }
    case 'jaroWinkler': {
      const f = fields.of(spec.field);
      const t = spec.threshold;
      const memo = jwMemo;
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        if (x.length === 0 || y.length === 0) return false;
        // Same strings as the previous level of this comparison (usually the same pair): reuse.
        if (memo.x === x && memo.y === y) return memo.v >= t;
        const v = jaroWinkler(x, y);
        memo.x = x;
        memo.y = y;
        memo.v = v;
        return v >= t;
      };
    }
    case 'damerauLevenshtein': {
      const f = fields.of(spec.field);
      const d = spec.maxDistance;
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        return x.length > 0 && y.length > 0 && damerauLevenshtein(x, y, d) <= d;
      };
    }
    case 'crossEqual': {
      const f = fields.of(spec.field);
      const o = fields.of(spec.otherField);
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        return x.length > 0 && y.length > 0 && x === b[o] && y === a[o];
      };
    }
    case 'crossJaroWinkler': {
      const f = fields.of(spec.field);
      const o = fields.of(spec.otherField);
      const t = spec.threshold;
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        const xo = a[o] as string;
        const yo = b[o] as string;
        if (x.length === 0 || y.length === 0 || xo.length === 0 || yo.length === 0) return false;
        // Cheap reject first (most pairs reaching this level are unrelated names): crossed initials must agree.
        if (x.charCodeAt(0) !== yo.charCodeAt(0) || y.charCodeAt(0) !== xo.charCodeAt(0)) return false;
        return jaroWinkler(x, yo) >= t && jaroWinkler(y, xo) >= t;
      };
    }
    case 'dateTransposed': {
      const f = fields.of(spec.field);
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        if (x.length !== 10 || y.length !== 10) return false;
        // YYYY-MM-DD: same year, month of one is the day of the other.
        return x.startsWith(y.slice(0, 4)) && x.charCodeAt(5) === y.charCodeAt(8) && x.charCodeAt(6) === y.charCodeAt(9)
          && x.charCodeAt(8) === y.charCodeAt(5) && x.charCodeAt(9) === y.charCodeAt(6);
      };
    }
    case 'partialDate': {
      const [y, m, d] = spec.fields.map((f) => fields.of(f)) as [number, number, number];
      const p = spec.precision;
      return (a, b) => partialDateAgrees(a[y] as string, a[m] as string, a[d] as string, b[y] as string, b[m] as string, b[d] as string, p);
    }
    case 'daysWithin': {
      const f = fields.of(spec.field);
      const n = spec.days;
      return (a, b) => daysWithin(a[f] as string, b[f] as string, n);
    }
    case 'yearsWithin': {
      const f = fields.of(spec.field);
      const n = spec.years;
      return (a, b) => {
        const x = a[f] as string;
        const y = b[f] as string;
        if (x.length < 4 || y.length < 4) return false;
        const dy = yearAt(x, 0) - yearAt(y, 0);
        return dy <= n && dy >= -n;
      };
    }
    case 'all': {
      const tests = spec.of.map((l) => compileLevel(l, fields));
      return (a, b) => {
        for (let i = 0; i < tests.length; i++) if (!(tests[i] as LevelPredicate)(a, b)) return false;
        return true;
      };
    }
    case 'else':
      return () => true;
  }
}

/** Compile a comparison's levels; Jaro-Winkler levels on the same field share one memo. */
export function compileLevels(spec: ComparisonSpec, fields: FieldIndex): LevelPredicate[] {
  const memos = new Map<string, JwMemo>();
  return spec.levels.map((l) => {
    if (l.kind !== 'jaroWinkler') return compileLevel(l, fields);
    let m = memos.get(l.field);
    if (!m) memos.set(l.field, (m = { x: '', y: '', v: 0 }));
    return compileLevel(l, fields, m);
  });
}

/** Level index of a pair for one comparison (first level whose predicate holds). */
export function compileComparison(spec: ComparisonSpec, fields: FieldIndex): (a: PreparedRecord, b: PreparedRecord) => number {
  const tests = compileLevels(spec, fields);
  const n = tests.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) if ((tests[i] as LevelPredicate)(a, b)) return i;
    return n - 1;
  };
}

// ---------- validation ----------

const LEVEL_KINDS = new Set(['null', 'exact', 'anyEqual', 'tokenOverlap', 'jaroWinkler', 'damerauLevenshtein', 'crossEqual', 'crossJaroWinkler', 'dateTransposed', 'partialDate', 'yearsWithin', 'daysWithin', 'all', 'else']);

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
const isStrArr = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const isProb = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 1;

function invalid(msg: string): never {
  throw new IdresError('MODEL_INVALID', `invalid model: ${msg}`);
}

function validateLevel(l: unknown, where: string): void {
  if (!isObj(l) || typeof l.kind !== 'string' || !LEVEL_KINDS.has(l.kind) || typeof l.label !== 'string') invalid(`${where}: bad level`);
  if (l.neutral !== undefined && typeof l.neutral !== 'boolean') invalid(`${where}: neutral`);
  switch (l.kind) {
    case 'null':
      if (!isStrArr(l.fields) || l.fields.length === 0) invalid(`${where}: fields`);
      if (l.mode !== undefined && l.mode !== 'any' && l.mode !== 'all') invalid(`${where}: null mode`);
      break;
    case 'exact': case 'anyEqual':
      if (!isStrArr(l.fields) || l.fields.length === 0) invalid(`${where}: fields`);
      break;
    case 'all':
      if (!Array.isArray(l.of) || l.of.length === 0) invalid(`${where}: all.of`);
      l.of.forEach((sub: unknown, k: number) => {
        validateLevel(sub, `${where}.of[${k}]`);
        const kind = (sub as { kind: string }).kind;
        if (kind === 'null' || kind === 'else') invalid(`${where}.of[${k}]: ${kind} inside all`);
      });
      break;
    case 'jaroWinkler':
      if (typeof l.field !== 'string' || typeof l.threshold !== 'number' || l.threshold < 0 || l.threshold > 1) invalid(`${where}: jaroWinkler`);
      break;
    case 'damerauLevenshtein':
      if (typeof l.field !== 'string' || typeof l.maxDistance !== 'number' || l.maxDistance < 0) invalid(`${where}: damerauLevenshtein`);
      break;
    case 'partialDate':
      if (!isStrArr(l.fields) || l.fields.length !== 3 || (l.precision !== 'year' && l.precision !== 'month')) invalid(`${where}: partialDate`);
      break;
    case 'yearsWithin':
      if (typeof l.field !== 'string' || typeof l.years !== 'number') invalid(`${where}: yearsWithin`);
      break;
    case 'daysWithin':
      if (typeof l.field !== 'string' || typeof l.days !== 'number' || !Number.isFinite(l.days)) invalid(`${where}: daysWithin`);
      break;
    case 'crossEqual':
      if (typeof l.field !== 'string' || typeof l.otherField !== 'string') invalid(`${where}: crossEqual`);
      break;
    case 'crossJaroWinkler':
      if (typeof l.field !== 'string' || typeof l.otherField !== 'string' || typeof l.threshold !== 'number' || l.threshold < 0 || l.threshold > 1) invalid(`${where}: crossJaroWinkler`);
      break;
    case 'tokenOverlap': case 'dateTransposed':
      if (typeof l.field !== 'string') invalid(`${where}: field`);
      break;
    default:
      break;
  }
}

/** Validate settings shape; throws IdresError('MODEL_INVALID'). */
export function validateSettings(s: unknown): asserts s is MatchSettings {
  if (!isObj(s)) invalid('settings missing');
  if (!Array.isArray(s.comparisons) || s.comparisons.length === 0) invalid('settings.comparisons');
  s.comparisons.forEach((c: unknown, i: number) => {
    if (!isObj(c) || typeof c.name !== 'string' || !Array.isArray(c.levels) || c.levels.length < 2) invalid(`comparison ${i}`);
    c.levels.forEach((l: unknown, j: number) => validateLevel(l, `comparison ${String(c.name)} level ${j}`));
    const last = c.levels[c.levels.length - 1] as { kind?: unknown };
    if (last.kind !== 'else') invalid(`comparison ${String(c.name)}: last level must be 'else'`);
    if (c.dependsOn !== undefined && !isStrArr(c.dependsOn)) invalid(`comparison ${String(c.name)}: dependsOn`);
  });
  const isRule = (r: unknown): boolean => isObj(r) && typeof r.name === 'string' && isStrArr(r.fields);
  for (const key of ['deterministicRules', 'blockingRulesForTraining', 'blockingRules'] as const) {
    const rules = s[key];
    if (!Array.isArray(rules) || !rules.every(isRule)) invalid(`settings.${key}`);
  }
  if (s.householdRules !== undefined && !(Array.isArray(s.householdRules) && s.householdRules.every(isRule))) invalid('settings.householdRules');
  if (!isProb(s.threshold)) invalid('settings.threshold');
  if (typeof s.tfTopN !== 'number' || s.tfTopN < 0) invalid('settings.tfTopN');
}

function validateModelJson(j: unknown): asserts j is ModelJson {
  if (!isObj(j)) invalid('not an object');
  if (j.format !== MODEL_FORMAT) invalid(`format must be '${MODEL_FORMAT}'`);
  if (j.version !== MODEL_VERSION) invalid(`unsupported version ${String(j.version)}`);
  if (typeof j.createdAt !== 'string') invalid('createdAt');
  validateSettings(j.settings);
  if (!isProb(j.prior) || j.prior >= 1) invalid('prior must be in (0,1)');
  if (!isProb(j.threshold)) invalid('threshold must be in (0,1]');
  const settings = j.settings;
  if (!Array.isArray(j.comparisons) || j.comparisons.length !== settings.comparisons.length) invalid('comparisons must parallel settings.comparisons');
  j.comparisons.forEach((c: unknown, i: number) => {
    const spec = settings.comparisons[i] as ComparisonSpec;
    if (!isObj(c) || c.name !== spec.name || !Array.isArray(c.levels) || c.levels.length !== spec.levels.length) invalid(`parameters for comparison ${spec.name}`);
    c.levels.forEach((l: unknown, k: number) => {
      if (!isObj(l) || !isProb(l.m) || !isProb(l.u)) invalid(`m/u for ${spec.name} level ${k}`);
      if (j.household !== undefined && !isProb(l.h)) invalid(`h for ${spec.name} level ${k}`);
      if (l.uGivenDependsOn !== undefined && (!isProb(l.uGivenDependsOn) || spec.dependsOn === undefined)) invalid(`uGivenDependsOn for ${spec.name} level ${k}`);
    });
  });
  if (j.household !== undefined) {
    const h = j.household as unknown;
    if (!isObj(h) || !isProb(h.lambda) || h.lambda >= 1 || typeof h.rule !== 'string' || typeof h.expectedPairs !== 'number') invalid('household');
  }
  if (!isObj(j.tfTables)) invalid('tfTables');
  for (const [f, t] of Object.entries(j.tfTables)) {
    if (!isObj(t) || !isObj(t.frequencies) || !isProb(t.floor)) invalid(`tfTables.${f}`);
    for (const v of Object.values(t.frequencies)) if (!isProb(v)) invalid(`tfTables.${f} frequency`);
  }
}

/** Validate and compile a model. Throws IdresError code 'MODEL_INVALID' on any problem. */
export function loadModel(json: unknown): MatchModel {
  validateModelJson(json);
  const fields = new FieldIndex();
  const tfLevels: CompiledLevel[] = [];
  const comparisons: CompiledComparison[] = json.settings.comparisons.map((spec, ci) => {
    const params = json.comparisons[ci] as ComparisonParameters;
    const tests = compileLevels(spec, fields);
    const hasDep = spec.dependsOn !== undefined && spec.dependsOn.length > 0 && params.levels.every((p, li) => !carriesEvidence(spec.levels[li]!) || p.uGivenDependsOn !== undefined);
    return {
      name: spec.name,
      dep: hasDep ? { fields: (spec.dependsOn ?? []).map((f) => fields.of(f)), weights: params.levels.map((p, li) => (!carriesEvidence(spec.levels[li]!) ? 0 : Math.log2(p.m / (p.uGivenDependsOn ?? p.u)))) } : undefined,
      levels: spec.levels.map((l, li) => {
        const p = params.levels[li] as LevelParameters;
        const isNull = !carriesEvidence(l); // no evidence: missing data or a neutral level
        const hDelta = isNull || p.h === undefined || json.household === undefined ? 0 : Math.log2(p.h / p.m);
        const cl: CompiledLevel = { label: l.label, test: tests[li] as LevelPredicate, isNull, weight: isNull ? 0 : Math.log2(p.m / p.u), tfIndex: -1, tfFields: undefined, tfWeights: undefined, tfFloorWeight: 0, hDelta, tfSlot: -1 };
        if (l.kind === 'exact' && l.tf === true) {
          const table = json.tfTables[tfTableKey(l.fields)];
          if (table) {
            const w = new Map<string, number>();
            for (const [v, f] of Object.entries(table.frequencies)) w.set(v, Math.log2(p.m / f));
            cl.tfIndex = fields.of(l.fields[0] as string);
            if (l.fields.length > 1) cl.tfFields = l.fields.map((f) => fields.of(f));
            cl.tfWeights = w;
            cl.tfFloorWeight = Math.log2(p.m / table.floor);
            cl.tfSlot = tfLevels.length;
            tfLevels.push(cl);
          }
        }
        return cl;
      }),
    };
  });
  const prior = json.prior;
  const deterministic = json.settings.deterministicRules.map((r) => ({ name: r.name, fields: r.fields.map((f) => fields.of(f)) }));
  const priorWeight = Math.log2(prior / (1 - prior));
  const householdPriorWeight = json.household === undefined ? Number.NEGATIVE_INFINITY : Math.log2(json.household.lambda / Math.max(1e-12, 1 - prior - json.household.lambda));
  let kernel: Kernel | undefined;
  try {
    kernel = buildKernel({
      specs: json.settings.comparisons,
      levels: comparisons.map((c) => c.levels as KernelLevel[]),
      dependent: comparisons.map((c) => c.dep),
      fieldOf: (f) => fields.of(f),
      deterministic: deterministic.map((r) => r.fields),
      priorWeight,
      householdPriorWeight,
      tfWeight: (slot, a) => levelWeight(tfLevels[slot] as CompiledLevel, a),
      householdDiscount,
    });
  } catch {
    // Code generation disallowed (--disallow-code-generation-from-strings): the interpreted path is used.
    kernel = undefined;
  }
  return { json, fields, comparisons, deterministic, priorWeight, householdPriorWeight, threshold: json.threshold, kernel, tfLevels };
}

/**
 * Dense form of a record for this model. Do it once per record when scoring it against many others
 * (matchWeightPrepared / scorePrepared); scorePair does it on every call.
 */
export function prepareRecord(model: MatchModel, values: Values, opts?: { shareStrings?: boolean }): PreparedRecord {
  const out = model.fields.prepare(values);
  // Optional: one shared string object per distinct value, so agreeing fields compare by pointer. Costs a
  // few µs per record (hashing every value); pays off when each record is scored against many others.
  if (opts?.shareStrings === true) for (let i = 0; i < out.length; i++) out[i] = shareString(out[i] as string);
  const kernel = model.kernel;
  if (kernel !== undefined) {
    // Term-frequency weights of this record's values: filled on first use (NaN = not yet), so preparing a
    // record stays cheap when it is scored only once or twice.
    const n = model.tfLevels.length;
    const tf: number[] = [];
    for (let s = 0; s < n; s++) tf.push(Number.NaN);
    const features: RecordFeatures = { owner: kernel.owner, tf };
    Object.defineProperty(out, FEATURES, { value: features, enumerable: false, writable: false, configurable: false });
  }
  return out;
}

/** Term-frequency value of a record for a tf level: the field, or the level's fields joined. */
export function tfValue(a: PreparedRecord, index: number, several: readonly number[] | undefined): string {
  if (several === undefined) return a[index] as string;
  let k = a[several[0] as number] as string;
  for (let i = 1; i < several.length; i++) k += TF_VALUE_SEP + (a[several[i] as number] as string);
  return k;
}

function levelWeight(l: CompiledLevel, a: PreparedRecord): number {
  if (l.tfWeights === undefined) return l.weight;
  return l.tfWeights.get(tfValue(a, l.tfIndex, l.tfFields)) ?? l.tfFloorWeight;
}

function deterministicHit(model: MatchModel, a: PreparedRecord, b: PreparedRecord): string | undefined {
  const rules = model.deterministic;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as { name: string; fields: readonly number[] };
    let ok = rule.fields.length > 0;
    for (const f of rule.fields) {
      const x = a[f] as string;
      if (x.length === 0 || x !== b[f]) { ok = false; break; }
    }
    if (ok) return rule.name;
  }
  return undefined;
}

export function probabilityFromWeight(w: number): number {
  return 1 / (1 + 2 ** -w);
}

/**
 * Household discount K = log2(1 + 2^x), x = log2(λ_h/λ_u) + Σ log2(h/u): how much of the evidence a different
 * person of the same household explains as well. Zero for a two-class model.
 */
function householdDiscount(hPrior: number, hEvidence: number): number {
  const x = hPrior + hEvidence;
  if (!(x > -60)) return 0;
  if (x > 60) return x;
  return Math.log2(1 + 2 ** x);
}

/**
 * Score prepared records with the waterfall explanation (prior first, then one term per comparison). With a
 * household class each term also carries its share of the household discount (ExplanationTerm.household).
 */
export function scorePrepared(model: MatchModel, a: PreparedRecord, b: PreparedRecord): PairScore {
  const kernel = model.kernel;
  if (kernel === undefined) return scorePreparedInterpreted(model, a, b);
  const n = model.comparisons.length;
  if (levelBuf.length < n) levelBuf = new Int32Array(n * 2);
  const chosen = levelBuf;
  kernel.levels(a, b, chosen);
  const explanation: ExplanationTerm[] = [{ comparison: 'prior', level: 'lambda', weight: model.priorWeight }];
  let w = model.priorWeight;
  let hEvidence = 0;
  const hTerms: number[] = [];
  for (let ci = 0; ci < n; ci++) {
    const c = model.comparisons[ci] as CompiledComparison;
    const k = chosen[ci] as number;
    const l = c.levels[k] as CompiledLevel;
    const lw = dependentWeight(c, k, a, b) ?? (l.tfSlot >= 0 ? tfWeightOf(model, l, a) : l.weight);
    w += lw;
    const hw = l.isNull ? 0 : lw + l.hDelta;
    hEvidence += hw;
    hTerms.push(hw);
    explanation.push({ comparison: c.name, level: l.label, weight: lw });
  }
  return finishScore(model, a, b, w, hEvidence, hTerms, explanation);
}

let levelBuf = new Int32Array(16);

/** Term-frequency weight of a's value for a tf level: precomputed by prepareRecord when available. */
function tfWeightOf(model: MatchModel, l: CompiledLevel, a: PreparedRecord): number {
  const f = (a as unknown as Record<string, RecordFeatures | undefined>)[FEATURES];
  if (f !== undefined && model.kernel !== undefined && f.owner === model.kernel.owner) {
    let v = f.tf[l.tfSlot] as number;
    if (v !== v) f.tf[l.tfSlot] = v = levelWeight(l, a);
    return v;
  }
  return levelWeight(l, a);
}

/**
 * scorePrepared by evaluating each level's compiled predicate in turn (the original implementation). Used
 * when code generation is unavailable, and by the tests as the reference for the generated kernel.
 */
export function scorePreparedInterpreted(model: MatchModel, a: PreparedRecord, b: PreparedRecord): PairScore {
  const explanation: ExplanationTerm[] = [{ comparison: 'prior', level: 'lambda', weight: model.priorWeight }];
  let w = model.priorWeight;
  let hEvidence = 0;
  const hTerms: number[] = [];
  for (const c of model.comparisons) {
    const levels = c.levels;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i] as CompiledLevel;
      if (l.test(a, b)) {
        const lw = dependentWeight(c, i, a, b) ?? levelWeight(l, a);
        w += lw;
        const hw = l.isNull ? 0 : lw + l.hDelta;
        hEvidence += hw;
        hTerms.push(hw);
        explanation.push({ comparison: c.name, level: l.label, weight: lw });
        break;
      }
    }
  }
  return finishScore(model, a, b, w, hEvidence, hTerms, explanation);
}

function finishScore(model: MatchModel, a: PreparedRecord, b: PreparedRecord, w: number, hEvidence: number, hTerms: number[], explanation: ExplanationTerm[]): PairScore {
  const k = householdDiscount(model.householdPriorWeight, hEvidence);
  if (k > 0) {
    // Spread the discount over the terms whose agreement also points to a household, pro rata.
    let pos = 0;
    for (const hw of hTerms) if (hw > 0) pos += hw;
    for (let t = 0; t < hTerms.length; t++) {
      const hw = hTerms[t] as number;
      const term = explanation[t + 1] as ExplanationTerm;
      const share = pos > 0 ? (hw > 0 ? -k * (hw / pos) : 0) : -k / hTerms.length;
      if (share !== 0) {
        term.household = share;
        term.weight += share;
      }
    }
    w -= k;
  }
  const rule = deterministicHit(model, a, b);
  const out: PairScore = { probability: rule !== undefined ? 1 : probabilityFromWeight(w), matchWeight: w, explanation };
  if (rule !== undefined) out.deterministicRule = rule;
  return out;
}

/** Score a pair of StandardizedRecord.values with its waterfall explanation. */
export function scorePair(model: MatchModel, a: Values, b: Values): PairScore {
  return scorePrepared(model, model.fields.prepare(a), model.fields.prepare(b));
}

/**
 * probabilityFromWeight(matchWeightPrepared(model, a, b)) >= threshold: the service's "worth explaining"
 * test, as one call.
 */
export function exceedsThreshold(model: MatchModel, a: PreparedRecord, b: PreparedRecord, threshold: number): boolean {
  return probabilityFromWeight(matchWeightPrepared(model, a, b)) >= threshold;
}

/**
 * Match weight only, no explanation: the bulk-scoring hot path. Deterministic matches return +Infinity
 * (probability 1).
 */
export function matchWeightPrepared(model: MatchModel, a: PreparedRecord, b: PreparedRecord): number {
  const kernel = model.kernel;
  return kernel !== undefined ? kernel.weight(a, b) : matchWeightInterpreted(model, a, b);
}

/**
 * matchWeightPrepared by evaluating each level's compiled predicate in turn (the original implementation).
 * Used when code generation is unavailable, and by the tests as the reference for the generated kernel.
 */
export function matchWeightInterpreted(model: MatchModel, a: PreparedRecord, b: PreparedRecord): number {
  if (model.deterministic.length > 0 && deterministicHit(model, a, b) !== undefined) return Number.POSITIVE_INFINITY;
  let w = model.priorWeight;
  let d = 0;
  const cs = model.comparisons;
  for (let ci = 0; ci < cs.length; ci++) {
    const c = cs[ci] as CompiledComparison;
    const levels = c.levels;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i] as CompiledLevel;
      if (l.test(a, b)) {
        w += dependentWeight(c, i, a, b) ?? levelWeight(l, a);
        d += l.hDelta;
        break;
      }
    }
  }
  const hp = model.householdPriorWeight;
  // Household evidence = Σ(level weight + hDelta) = (w - prior) + d.
  return hp === Number.NEGATIVE_INFINITY ? w : w - householdDiscount(hp, w - model.priorWeight + d);
}

/** matchWeightPrepared for StandardizedRecord.values (prepares both records per call). */
export function matchWeight(model: MatchModel, a: Values, b: Values): number {
  return matchWeightPrepared(model, model.fields.prepare(a), model.fields.prepare(b));
}
