/**
 * Shared machinery of the data-shape profiles (civil-register-de, historical, febrl-like): a profile
 * makes all records of one entity at a time (first = the original); the stream holds them in a bounded
 * shuffle window and emits a random pending record at a time, so duplicates are not adjacent and memory
 * is O(shuffleWindow), never O(records). One seeded PRNG drives everything: a seed reproduces the output.
 */
import { readFileSync } from 'node:fs';
import { AliasTable, Rng } from '../rng.js';

export const DATA_DIR = new URL('../data/profiles/', import.meta.url);

/** Rows of a TSV file in data/profiles/ (comment lines starting with '#' and blank lines skipped). */
export function readProfileTsv(name: string): string[][] {
  return readFileSync(new URL(name, DATA_DIR), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t').map((s) => s.trim()));
}

/** Weighted table from rows of [value, weight, ...]; weight column index `w`. */
export function weighted<T>(rows: readonly T[], weightOf: (r: T) => number): AliasTable<T> {
  return new AliasTable(rows, rows.map(weightOf));
}

export interface ProfileEntity {
  /** Rows (values in the profile's data-column order, without record_id and entity_id); first = original. */
  rows: string[][];
}

export interface ProfileDef {
  name: string;
  /** Data columns after record_id and entity_id. */
  columns: readonly string[];
  /** `idres resolve --map` spec: idres field (canonical or attribute name) -> column. */
  mapping: Readonly<Record<string, string>>;
  /** Standardization hints for idres (phone country, date reading). */
  standardize: { defaultCountry: string; dateLocale: 'US' | 'EU' };
  /** A factory called once per stream: returns the per-entity maker bound to the stream's PRNG. */
  start(rng: Rng): (entityIndex: number) => ProfileEntity;
}

export interface ProfileOptions {
  records: number;
  seed?: number | string;
  /** Records held in the shuffle window; <= 1 disables shuffling. Default 10000. */
  shuffleWindow?: number;
}

export interface ProfileStats {
  records: number;
  entities: number;
  entitiesWithDuplicates: number;
  largestCluster: number;
}

/** One output record: ids plus data values in the profile's column order. */
export interface ProfileRecord {
  record_id: string;
  entity_id: string;
  values: string[];
}

/**
 * Streaming generator over a profile. Pending rows live in one array (swap-remove on emit); entities are
 * created while fewer than shuffleWindow rows are pending. The last entity is cut so exactly
 * `records` rows come out.
 */
export class ProfileStream implements IterableIterator<ProfileRecord> {
  readonly stats: ProfileStats = { records: 0, entities: 0, entitiesWithDuplicates: 0, largestCluster: 0 };
  private readonly rng: Rng;
  private readonly make: (k: number) => ProfileEntity;
  private readonly window: number;
  private readonly total: number;
  private readonly pendingRows: string[][] = [];
  private readonly pendingEntity: string[] = [];
  private created = 0;

  constructor(readonly profile: ProfileDef, opts: ProfileOptions) {
    if (!(opts.records >= 0) || !Number.isInteger(opts.records)) throw new Error('records must be a non-negative integer');
    this.rng = new Rng(opts.seed ?? 1);
    this.make = profile.start(this.rng);
    this.window = Math.max(1, opts.shuffleWindow ?? 10_000);
    this.total = opts.records;
  }

  /** Rows generated but not yet emitted (bounded by shuffleWindow plus one entity's records). */
  get pending(): number {
    return this.pendingRows.length;
  }

  private fill(): void {
    while (this.pendingRows.length < this.window && this.created < this.total) {
      const k = this.stats.entities;
      let rows = this.make(k).rows;
      if (rows.length > this.total - this.created) rows = rows.slice(0, this.total - this.created);
      const id = `e${k + 1}`;
      this.stats.entities++;
      if (rows.length > 1) this.stats.entitiesWithDuplicates++;
      if (rows.length > this.stats.largestCluster) this.stats.largestCluster = rows.length;
      for (const r of rows) {
        this.pendingRows.push(r);
        this.pendingEntity.push(id);
      }
      this.created += rows.length;
    }
  }

  next(): IteratorResult<ProfileRecord> {
    this.fill();
    const n = this.pendingRows.length;
    if (n === 0) return { done: true, value: undefined };
    // Window 1 = no shuffling: emit in creation order (an entity's records stay adjacent).
    const i = this.window > 1 ? this.rng.int(n) : 0;
    const values = this.pendingRows[i] as string[];
    const entity = this.pendingEntity[i] as string;
    if (this.window > 1) {
      this.pendingRows[i] = this.pendingRows[n - 1] as string[];
      this.pendingEntity[i] = this.pendingEntity[n - 1] as string;
      this.pendingRows.pop();
      this.pendingEntity.pop();
    } else {
      this.pendingRows.shift();
      this.pendingEntity.shift();
    }
    this.stats.records++;
    return { done: false, value: { record_id: `r${this.stats.records}`, entity_id: entity, values } };
  }

  [Symbol.iterator](): IterableIterator<ProfileRecord> {
    return this;
  }
}

// ---------------------------------------------------------------------------------------------
// small helpers shared by the profiles

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
export { pad2 };

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** A uniformly random real calendar date with year in [y0, y1]. */
export function randomDate(rng: Rng, y0: number, y1: number): [number, number, number] {
  const y = rng.range(y0, y1);
  const m = rng.range(1, 12);
  return [y, m, rng.range(1, daysInMonth(y, m))];
}

export function isValidDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Zipf-like weights 1/k^s for k = 1..n (index 0 = size 1). */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
}

/** Pick an element of `arr` other than `not` (arr must hold another value). */
export function pickOther<T>(rng: Rng, arr: readonly T[], not: T): T {
  for (let i = 0; i < 100; i++) {
    const v = rng.pick(arr);
    if (v !== not) return v;
  }
  return arr.find((v) => v !== not) ?? not;
}
