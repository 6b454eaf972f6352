/**
 * Scoring kernel: the model's comparisons compiled to one straight-line JavaScript function per model
 * (generated source, `new Function`), so the per-pair hot path has no closure calls, no megamorphic call
 * sites and no per-pair allocation. Only field positions and numbers (weights, thresholds) go into the
 * generated source, never strings from the model, so a model file cannot inject code.
 *
 * The kernel returns exactly what the interpreted path (CompiledLevel.test closures) returns: the same
 * level is chosen for every comparison (same predicates, same pure string metrics) and the weights are
 * summed in the same order, so the float result is bit-identical.
 */
import type { ComparisonSpec, LevelSpec } from './settings.js';
import { damerauLevenshtein, jaroWinkler } from './stringMetrics.js';
import { nicknameKeysIntersect } from './nicknames.js';
import { daysWithin, partialDateAgrees } from './dateLevels.js';

/** Field position lookup (FieldIndex.of). */
type FieldOf = (field: string) => number;

export interface KernelLevel {
  weight: number;
  hDelta: number;
  isNull: boolean;
  /** Slot of the record's precomputed term-frequency weight for this level, or -1. */
  tfSlot: number;
}

/** Per-record precomputation attached to a prepared record (see attachFeatures). */
export interface RecordFeatures {
  /** The kernel the features were computed for (a record prepared for another model is not trusted). */
  readonly owner: object;
  /** Term-frequency weight of this record's value for each tf level slot; NaN until first needed. */
  readonly tf: number[];
}

export const FEATURES = '__idresFeatures';

export type WeightKernel = (a: readonly string[], b: readonly string[]) => number;
/** Writes the chosen level index of each comparison into `out`. */
export type LevelKernel = (a: readonly string[], b: readonly string[], out: Int32Array) => void;

function num(x: number): string {
  // String(x) round-trips every finite double exactly; parenthesised for negative values.
  if (!Number.isFinite(x)) throw new Error(`non-finite constant ${x}`);
  return `(${String(x)})`;
}

function int(x: number): string {
  if (!Number.isInteger(x) || x < 0) throw new Error(`bad index ${x}`);
  return String(x);
}

/** Helpers referenced by the generated code (passed in as parameters, never globals). */
function yearAt(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 1000 + (s.charCodeAt(at + 1) - 48) * 100 + (s.charCodeAt(at + 2) - 48) * 10 + (s.charCodeAt(at + 3) - 48);
}

function yearsWithin(x: string, y: string, n: number): boolean {
  if (x.length < 4 || y.length < 4) return false;
  const dy = yearAt(x, 0) - yearAt(y, 0);
  return dy <= n && dy >= -n;
}

function dateTransposed(x: string, y: string): boolean {
  if (x.length !== 10 || y.length !== 10) return false;
  return x.startsWith(y.slice(0, 4)) && x.charCodeAt(5) === y.charCodeAt(8) && x.charCodeAt(6) === y.charCodeAt(9)
    && x.charCodeAt(8) === y.charCodeAt(5) && x.charCodeAt(9) === y.charCodeAt(6);
}

function crossJaroWinkler(x: string, y: string, xo: string, yo: string, t: number): boolean {
  if (x.length === 0 || y.length === 0 || xo.length === 0 || yo.length === 0) return false;
  if (x.charCodeAt(0) !== yo.charCodeAt(0) || y.charCodeAt(0) !== xo.charCodeAt(0)) return false;
  return jaroWinkler(x, yo) >= t && jaroWinkler(y, xo) >= t;
}

function tokenOverlap(x: string, y: string): boolean {
  return x.length > 0 && y.length > 0 && nicknameKeysIntersect(x, y);
}

function dl(x: string, y: string, d: number): boolean {
  return x.length > 0 && y.length > 0 && damerauLevenshtein(x, y, d) <= d;
}

const HELPER_NAMES = ['JW', 'YW', 'DT', 'CJW', 'TOK', 'DL', 'PD', 'TFW', 'HD', 'OWNER', 'DW'] as const;

/**
 * Boolean expression for one level over `a`, `b` (string arrays). `jwVar(f)` names the per-comparison
 * memo variable of a Jaro-Winkler field (-1 until computed for this pair).
 */
function levelExpr(spec: LevelSpec, fieldOf: FieldOf, jwVar: (f: number) => string): string {
  const A = (f: number): string => `a${int(f)}`;
  const B = (f: number): string => `b${int(f)}`;
  switch (spec.kind) {
    case 'null': {
      const fs = spec.fields.map(fieldOf);
      if (spec.mode === 'all') return `!(${fs.map((f) => `(${A(f)}.length > 0 && ${B(f)}.length > 0)`).join(' || ')})`;
      return `(${fs.map((f) => `${A(f)}.length === 0 || ${B(f)}.length === 0`).join(' || ')})`;
    }
    case 'exact': {
      const fs = spec.fields.map(fieldOf);
      return `(${fs.map((f) => `${A(f)}.length > 0 && ${A(f)} === ${B(f)}`).join(' && ')})`;
    }
    case 'anyEqual': {
      const fs = spec.fields.map(fieldOf);
      return `(${fs.map((f) => `(${A(f)}.length > 0 && (${fs.map((g) => `${A(f)} === ${B(g)}`).join(' || ')}))`).join(' || ')})`;
    }
    case 'tokenOverlap': {
      const f = fieldOf(spec.field);
      return `TOK(${A(f)}, ${B(f)})`;
    }
    case 'jaroWinkler': {
      const f = fieldOf(spec.field);
      const v = jwVar(f);
      return `(${A(f)}.length > 0 && ${B(f)}.length > 0 && (${v} >= 0 ? ${v} : (${v} = JW(${A(f)}, ${B(f)}))) >= ${num(spec.threshold)})`;
    }
    case 'damerauLevenshtein': {
      const f = fieldOf(spec.field);
      return `DL(${A(f)}, ${B(f)}, ${num(spec.maxDistance)})`;
    }
    case 'crossEqual': {
      const f = fieldOf(spec.field);
      const o = fieldOf(spec.otherField);
      return `(${A(f)}.length > 0 && ${B(f)}.length > 0 && ${A(f)} === ${B(o)} && ${B(f)} === ${A(o)})`;
    }
    case 'crossJaroWinkler': {
      const f = fieldOf(spec.field);
      const o = fieldOf(spec.otherField);
      return `CJW(${A(f)}, ${B(f)}, ${A(o)}, ${B(o)}, ${num(spec.threshold)})`;
    }
    case 'dateTransposed': {
      const f = fieldOf(spec.field);
      return `DT(${A(f)}, ${B(f)})`;
    }
    case 'partialDate': {
      const [y, m, d] = spec.fields.map(fieldOf) as [number, number, number];
      // The precision is one of two fixed literals (validated), never model text.
      const p = spec.precision === 'month' ? "'month'" : "'year'";
      return `PD(${A(y)}, ${A(m)}, ${A(d)}, ${B(y)}, ${B(m)}, ${B(d)}, ${p})`;
    }
    case 'yearsWithin': {
      const f = fieldOf(spec.field);
      return `YW(${A(f)}, ${B(f)}, ${num(spec.years)})`;
    }
    case 'daysWithin': {
      const f = fieldOf(spec.field);
      return `DW(${A(f)}, ${B(f)}, ${num(spec.days)})`;
    }
    case 'all':
      return `(${spec.of.map((l) => levelExpr(l, fieldOf, jwVar)).join(' && ')})`;
    case 'else':
      return 'true';
  }
}

export interface KernelInput {
  specs: readonly ComparisonSpec[];
  levels: ReadonlyArray<readonly KernelLevel[]>;
  /** Per comparison: weights used instead when the records agree on all `fields` (uGivenDependsOn). */
  dependent: ReadonlyArray<{ fields: readonly number[]; weights: readonly number[] } | undefined>;
  fieldOf: FieldOf;
  deterministic: ReadonlyArray<readonly number[]>;
  priorWeight: number;
  householdPriorWeight: number;
  /** Term-frequency weight of `a` for a slot, computed from the model tables (records without features). */
  tfWeight: (slot: number, a: readonly string[]) => number;
  householdDiscount: (hPrior: number, hEvidence: number) => number;
}

export interface Kernel {
  weight: WeightKernel;
  levels: LevelKernel;
  owner: object;
}

/** Compile the model's comparisons into its kernels. Throws when code generation is unavailable. */
export function buildKernel(input: KernelInput): Kernel {
  const owner = {};
  const body = (mode: 'weight' | 'levels'): string => {
    const out: string[] = [];
    out.push(`const ft = a.${FEATURES};`);
    out.push('const tf = ft !== undefined && ft.owner === OWNER ? ft.tf : null;');
    if (mode === 'weight') {
      // Deterministic rules first (same as deterministicHit): all fields present and equal.
      for (const fs of input.deterministic) {
        if (fs.length === 0) continue;
        out.push(`if (${fs.map((f) => `a[${int(f)}].length > 0 && a[${int(f)}] === b[${int(f)}]`).join(' && ')}) return Infinity;`);
      }
      out.push(`let w = ${num(input.priorWeight)};`);
      out.push('let d = 0;');
    }
    input.specs.forEach((spec, ci) => {
      const jwVars = new Map<number, string>();
      const jwVar = (f: number): string => {
        let v = jwVars.get(f);
        if (v === undefined) jwVars.set(f, (v = `jw${ci}_${int(f)}`));
        return v;
      };
      const exprs = spec.levels.map((l) => levelExpr(l, input.fieldOf, jwVar));
      const used = new Set<number>();
      for (const e of exprs) for (const m of e.matchAll(/\b[ab](\d+)\b/g)) used.add(Number(m[1]));
      const loads = [...used].map((f) => `const a${int(f)} = a[${int(f)}], b${int(f)} = b[${int(f)}];`).join(' ');
      const decl = loads + ' ' + [...jwVars.values()].map((v) => `let ${v} = -1;`).join(' ');
      const lv = input.levels[ci] as readonly KernelLevel[];
      const dep = mode === 'weight' ? input.dependent[ci] : undefined;
      out.push(`c${ci}: { ${decl}`);
      if (dep !== undefined) out.push(`  const dep${ci} = ${dep.fields.map((f) => `a[${int(f)}].length > 0 && a[${int(f)}] === b[${int(f)}]`).join(' && ')};`);
      exprs.forEach((e, li) => {
        const l = lv[li] as KernelLevel;
        if (mode === 'levels') {
          out.push(`  if (${e}) { out[${ci}] = ${li}; break c${ci}; }`);
          return;
        }
        const add: string[] = [];
        if (dep !== undefined && !l.isNull) add.push(`if (dep${ci}) w += ${num(dep.weights[li] as number)}; else`);
        if (l.tfSlot >= 0) add.push(`{ if (tf !== null) { let t = tf[${int(l.tfSlot)}]; if (t !== t) tf[${int(l.tfSlot)}] = t = TFW(${int(l.tfSlot)}, a); w += t; } else w += TFW(${int(l.tfSlot)}, a); }`);
        else if (!l.isNull) add.push(`w += ${num(l.weight)};`);
        // Null levels add weight 0 and hDelta 0 (x + 0 === x): nothing to do.
        if (!l.isNull) add.push(`d += ${num(l.hDelta)};`);
        out.push(`  if (${e}) { ${add.join(' ')} break c${ci}; }`);
      });
      if (mode === 'levels') out.push(`  out[${ci}] = ${spec.levels.length - 1};`);
      out.push('}');
    });
    if (mode === 'weight') {
      const hp = input.householdPriorWeight;
      if (hp === Number.NEGATIVE_INFINITY) out.push('return w;');
      else out.push(`return w - HD(${num(hp)}, w - ${num(input.priorWeight)} + d);`);
    }
    return out.join('\n');
  };
  const helpers = [jaroWinkler, yearsWithin, dateTransposed, crossJaroWinkler, tokenOverlap, dl, partialDateAgrees, input.tfWeight, input.householdDiscount, owner, daysWithin];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = (params: string, src: string): unknown => new Function(...HELPER_NAMES, `'use strict'; return function (${params}) {\n${src}\n};`)(...helpers);
  return {
    weight: make('a, b', body('weight')) as WeightKernel,
    levels: make('a, b, out', body('levels')) as LevelKernel,
    owner,
  };
}

/**
 * One shared string object per distinct field value, so that equal values of two prepared records are
 * usually the same object and `===` is a pointer comparison instead of a character loop (measured: the
 * single biggest cost of scoring blocked pairs, which mostly agree). Bounded: when full it starts over,
 * which only costs speed (equality never depends on identity).
 */
const POOL_MAX = 100_000;
let pool = new Map<string, string>();

export function shareString(s: string): string {
  if (s.length === 0) return '';
  const t = pool.get(s);
  if (t !== undefined) return t;
  if (pool.size >= POOL_MAX) pool = new Map();
  pool.set(s, s);
  return s;
}
