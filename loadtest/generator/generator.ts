/**
 * Synthetic person-record generator with ground truth (entity_id).
 *
 * Entities are created one household group at a time; each entity owes a cluster of
 * 1..maxCluster records (the first rendered clean, the rest corrupted). Entities wait in a
 * bounded shuffle window (about shuffleWindow records owed); each call emits the next record
 * of a randomly chosen waiting entity, rendered lazily. Memory is O(shuffleWindow), never
 * O(records). Everything is driven by one seeded PRNG, so a seed reproduces the output.
 */
import { AliasTable, Rng } from './rng.js';
import { loadTables, type Tables, type ZipRow } from './tables.js';
import { digitTranspose, digitTypo, ocr, phonetic, typo } from './corrupt.js';

/** Output columns, in order (canonical idres field names plus truth and source). */
export const COLUMNS = [
  'record_id', 'entity_id', 'source', 'given_name', 'middle_name', 'family_name', 'dob', 'gender',
  'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state',
  'postcode', 'country',
] as const;

export type Column = (typeof COLUMNS)[number];

/** One generated record. Missing values are empty strings. */
export type SyntheticRecord = Record<Column, string>;

export type ClusterDistribution = 'geometric' | 'zipf' | 'uniform';

export interface GeneratorOptions {
  /** Total number of records to produce. */
  records: number;
  /** PRNG seed (number or string). Default 1. */
  seed?: number | string;
  /**
   * Expected fraction of records that are duplicates of another record of the same entity,
   * i.e. (records - entities) / records. Default 0.3.
   */
  dupRate?: number;
  /** Largest number of records per entity. Default 6. */
  maxCluster?: number;
  /** Distribution of the number of extra records of an entity that has duplicates. Default geometric. */
  clusterDist?: ClusterDistribution;
  /** Geometric success probability (default 0.5) or zipf exponent (default 2). */
  clusterParam?: number;
  /** Probability that a new group is a multi-person household (shared address + family name). Default 0.08. */
  householdRate?: number;
  /** Probability that a household with children has twins. Default 0.15. */
  twinRate?: number;
  /** Records held in the shuffle window so duplicates are not adjacent; <= 1 disables shuffling. Default 10000. */
  shuffleWindow?: number;
  /** Date ages are computed against (YYYY-MM-DD). Default 2026-11-22. */
  referenceDate?: string;
}

export interface GeneratorStats {
  records: number;
  entities: number;
  /** Entities with two or more records. */
  entitiesWithDuplicates: number;
  /** Multi-person households generated. */
  households: number;
  /** Twin pairs generated (distinct entities with same DOB, surname and address). */
  twinPairs: number;
  /** Probability that an entity gets duplicates, derived from dupRate and the cluster distribution. */
  entityDupProbability: number;
}

// ---------------------------------------------------------------------------------------------
// static tables

// Pre-rendered number strings: avoid number->string conversions on the hot path.
const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(String(i).padStart(2, '0'));
const PAD3: string[] = [];
for (let i = 0; i < 1000; i++) PAD3.push(String(i).padStart(3, '0'));
const PAD4: string[] = [];
for (let i = 0; i < 10000; i++) PAD4.push(String(i).padStart(4, '0'));
const NUM: string[] = [];
for (let i = 0; i < 100000; i++) NUM.push(String(i));

const STREET_TYPES = new AliasTable(
  ['St', 'Ave', 'Rd', 'Dr', 'Ln', 'Blvd', 'Ct', 'Way', 'Pl', 'Cir', 'Ter', 'Pkwy', 'Hwy'],
  [25, 18, 15, 14, 8, 4, 6, 5, 4, 3, 2, 1, 1],
);
const STREET_TYPE_FULL: Record<string, string> = {
  St: 'Street', Ave: 'Avenue', Rd: 'Road', Dr: 'Drive', Ln: 'Lane', Blvd: 'Boulevard', Ct: 'Court',
  Way: 'Way', Pl: 'Place', Cir: 'Circle', Ter: 'Terrace', Pkwy: 'Parkway', Hwy: 'Highway',
};
const DIRECTIONS = ['N', 'S', 'E', 'W'];
const DIRECTION_FULL: Record<string, string> = { N: 'North', S: 'South', E: 'East', W: 'West' };

const EMAIL_PROVIDERS = new AliasTable(
  ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com', 'comcast.net',
    'msn.com', 'att.net', 'live.com', 'verizon.net', 'protonmail.com', 'sbcglobal.net', 'me.com'],
  [45, 15, 8, 7, 5, 6, 3, 2, 2, 2, 1, 1, 1, 1],
);

/** Adult age bands [from, to] with approximate US population weights. */
const ADULT_AGES = new AliasTable<readonly [number, number]>(
  [[18, 24], [25, 29], [30, 34], [35, 39], [40, 44], [45, 49], [50, 54], [55, 59], [60, 64], [65, 69],
    [70, 74], [75, 79], [80, 84], [85, 99]],
  [9.4, 7.0, 6.9, 6.6, 6.3, 6.1, 6.4, 6.5, 6.2, 5.3, 4.3, 2.9, 1.9, 2.0],
);

type DobFormat = 'iso' | 'us' | 'compact';
type PhoneFormat = 'digits' | 'paren' | 'dash' | 'dot' | 'intl';

interface SourceProfile {
  name: string;
  dobFormat: DobFormat;
  ssnP: number;
  ssnDashP: number;
  phoneP: number;
  phoneFormat: PhoneFormat;
  emailP: number;
  /** probabilities of rendering the middle name in full / as initial (rest: omitted) */
  middleFullP: number;
  middleInitialP: number;
  upperP: number;
  lowerP: number;
  genderP: number;
  genderWords: boolean;
  streetTypeFullP: number;
  /** probability that the house number is folded into address_line1 (house_number left empty) */
  numberInLine1P: number;
  dobP: number;
}

const SOURCES = new AliasTable<SourceProfile>(
  [
    { name: 'crm', dobFormat: 'iso', ssnP: 0.3, ssnDashP: 0.8, phoneP: 0.85, phoneFormat: 'paren', emailP: 0.8, middleFullP: 0.1, middleInitialP: 0.6, upperP: 0, lowerP: 0, genderP: 0.6, genderWords: false, streetTypeFullP: 0.1, numberInLine1P: 0, dobP: 0.95 },
    { name: 'dmv', dobFormat: 'iso', ssnP: 0.9, ssnDashP: 0.2, phoneP: 0.5, phoneFormat: 'digits', emailP: 0.1, middleFullP: 0.9, middleInitialP: 0.05, upperP: 0.9, lowerP: 0, genderP: 1, genderWords: false, streetTypeFullP: 0.05, numberInLine1P: 0, dobP: 1 },
    { name: 'web', dobFormat: 'iso', ssnP: 0.05, ssnDashP: 0.5, phoneP: 0.6, phoneFormat: 'dash', emailP: 1, middleFullP: 0.05, middleInitialP: 0.1, upperP: 0.02, lowerP: 0.1, genderP: 0.3, genderWords: false, streetTypeFullP: 0.3, numberInLine1P: 0.2, dobP: 0.8 },
    { name: 'ehr', dobFormat: 'compact', ssnP: 0.75, ssnDashP: 1, phoneP: 0.9, phoneFormat: 'intl', emailP: 0.4, middleFullP: 0.5, middleInitialP: 0.4, upperP: 0.5, lowerP: 0, genderP: 1, genderWords: true, streetTypeFullP: 0.2, numberInLine1P: 0, dobP: 1 },
    { name: 'billing', dobFormat: 'us', ssnP: 0.2, ssnDashP: 0.5, phoneP: 0.9, phoneFormat: 'dot', emailP: 0.7, middleFullP: 0.1, middleInitialP: 0.5, upperP: 0.1, lowerP: 0, genderP: 0.2, genderWords: false, streetTypeFullP: 0.4, numberInLine1P: 0.7, dobP: 0.9 },
    { name: 'callcenter', dobFormat: 'iso', ssnP: 0.1, ssnDashP: 0, phoneP: 1, phoneFormat: 'digits', emailP: 0.3, middleFullP: 0, middleInitialP: 0.1, upperP: 0, lowerP: 0, genderP: 0.5, genderWords: false, streetTypeFullP: 0.5, numberInLine1P: 0.3, dobP: 0.85 },
  ],
  [30, 20, 20, 15, 10, 5],
);

// ---------------------------------------------------------------------------------------------
// person model

interface Person {
  entity: number;
  given: string;
  middle: string;
  family: string;
  gender: 'M' | 'F';
  /** entity id string, e.g. "e42" */
  eid: string;
  /** days since 1970-01-01, and the same as calendar fields (kept in sync by setDob) */
  dobDays: number;
  dobY: number;
  dobM: number;
  dobD: number;
  age: number;
  ssn: string;
  phone: string;
  email: string;
  house: string;
  predir: string;
  street: string;
  stype: string;
  unit: string;
  zip: ZipRow;
  /** records of this entity still to emit (while it waits in the shuffle window) */
  left: number;
  /** records emitted so far (the first is rendered clean, the rest are corrupted duplicates) */
  emitted: number;
}

/** Days since epoch -> [y, m, d] (Howard Hinnant's civil_from_days). */
export function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function setDob(p: Person, days: number): void {
  // civilFromDays inlined (no array allocation on the hot path).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  p.dobDays = days;
  p.dobY = yoe + era * 400 + (m <= 2 ? 1 : 0);
  p.dobM = m;
  p.dobD = doy - Math.floor((153 * mp + 2) / 5) + 1;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days before the reference date covered by the formatted-DOB cache. */
const DOB_CACHE_DAYS = 150 * 366;

// SSN space: area 001-899 except 666 (898 values) x group 01-99 x serial 0001-9999.
const SSN_SPACE = 898 * 99 * 9999;
const SSN_BITS = 30; // 2^30 > SSN_SPACE

/** Seeded Feistel permutation over [0, 2^30) with cycle walking into [0, SSN_SPACE): unique SSN per entity. */
class SsnPermutation {
  private readonly keys: Uint32Array;
  constructor(rng: Rng) {
    this.keys = new Uint32Array(4);
    for (let i = 0; i < 4; i++) this.keys[i] = rng.u32();
  }
  private permute(x: number): number {
    const half = SSN_BITS / 2;
    const mask = (1 << half) - 1;
    let l = x >>> half;
    let r = x & mask;
    for (let i = 0; i < 4; i++) {
      let f = Math.imul(r ^ (this.keys[i] as number), 0x9e3779b1);
      f ^= f >>> 15;
      f = Math.imul(f, 0x85ebca6b);
      f ^= f >>> 13;
      const nl = r;
      r = (l ^ f) & mask;
      l = nl;
    }
    return (l << half) | r;
  }
  ssnFor(index: number): string {
    let x = index % SSN_SPACE;
    for (;;) {
      x = this.permute(x);
      if (x < SSN_SPACE) {
        const serial = (x % 9999) + 1;
        const rest = Math.floor(x / 9999);
        const group = (rest % 99) + 1;
        let area = Math.floor(rest / 99) + 1;
        if (area >= 666) area += 1;
        const s = (PAD3[area] as string) + (PAD2[group] as string) + (PAD4[serial] as string);
        // Numbers publicly misused/never valid (Woolworth wallet card, advertising).
        if (s !== '078051120' && s !== '219099999') return s;
      }
    }
  }
}

/** True if a 9-digit SSN (dashes allowed) is valid by SSA structural rules. */
export function isValidSsn(ssn: string): boolean {
  const m = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(ssn);
  if (!m) return false;
  const area = Number(m[1]);
  return area !== 0 && area !== 666 && area < 900 && m[2] !== '00' && m[3] !== '0000';
}

/** True for a valid-looking 10-digit NANP number (NPA and NXX start 2-9, NXX not N11). */
export function isValidNanp(phone10: string): boolean {
  return /^[2-9]\d{2}[2-9](?!11)\d{2}\d{4}$/.test(phone10);
}


// ---------------------------------------------------------------------------------------------

type Op =
  | 'typo_given' | 'typo_family' | 'ocr' | 'phonetic_given' | 'phonetic_family' | 'nickname'
  | 'nickname_quoted' | 'swap_names' | 'middle_initial' | 'drop_middle' | 'dob_swap_dm' | 'dob_typo'
  | 'ssn_typo' | 'ssn_transpose' | 'missing' | 'moved' | 'new_phone' | 'phone_typo' | 'email_change'
  | 'email_typo' | 'surname_change' | 'address_typo' | 'zip_typo' | 'unit_change';

const OPS = new AliasTable<Op>(
  ['typo_given', 'typo_family', 'ocr', 'phonetic_given', 'phonetic_family', 'nickname', 'nickname_quoted',
    'swap_names', 'middle_initial', 'drop_middle', 'dob_swap_dm', 'dob_typo', 'ssn_typo', 'ssn_transpose',
    'missing', 'moved', 'new_phone', 'phone_typo', 'email_change', 'email_typo', 'surname_change',
    'address_typo', 'zip_typo', 'unit_change'],
  [10, 10, 5, 4, 5, 7, 1, 2, 4, 4, 3, 4, 3, 2, 10, 6, 5, 3, 5, 2, 2, 4, 2, 2],
);
const OPS_PER_DUP = new AliasTable([0, 1, 2, 3, 4], [0.08, 0.42, 0.3, 0.14, 0.06]);
const MISSABLE: readonly Column[] = [
  'middle_name', 'dob', 'ssn', 'phone', 'email', 'address_line2', 'house_number', 'gender', 'postcode', 'city',
];
const OCR_FIELDS: readonly Column[] = ['given_name', 'family_name', 'ssn', 'phone', 'dob', 'postcode', 'house_number', 'address_line1'];

const NON_ALPHA = /[^a-z]/;
const NON_ALPHA_G = /[^a-z]/g;
/** Lower-case letters only (for e-mail local parts). */
function alphaLower(s: string): string {
  const l = s.toLowerCase();
  return NON_ALPHA.test(l) ? l.replace(NON_ALPHA_G, '') : l;
}

function upper(s: string): string {
  return s.toUpperCase();
}

/** 0 = as is, 1 = upper, 2 = lower */
function applyCase(s: string, mode: number): string {
  return mode === 0 || s === '' ? s : mode === 1 ? upper(s) : s.toLowerCase();
}

/** A record with every column empty, keys in COLUMNS order (one hidden class for all records). */
export function emptyRecord(): SyntheticRecord {
  return {
    record_id: '', entity_id: '', source: '', given_name: '', middle_name: '', family_name: '', dob: '', gender: '',
    ssn: '', phone: '', email: '', house_number: '', address_line1: '', address_line2: '', city: '', state: '',
    postcode: '', country: '',
  };
}

function clusterExtraTable(dist: ClusterDistribution, maxCluster: number, param: number): AliasTable<number> {
  const ws = clusterWeights(dist, maxCluster, param);
  return new AliasTable(ws.map((_, i) => i + 1), ws);
}

export class SyntheticGenerator implements IterableIterator<SyntheticRecord> {
  readonly options: Required<GeneratorOptions>;
  readonly stats: GeneratorStats;
  private readonly rng: Rng;
  private readonly t: Tables;
  private readonly ssnPerm: SsnPermutation;
  private readonly extra: AliasTable<number>;
  private readonly dupP: number;
  private readonly refDays: number;
  private readonly zipsByState: Map<string, ZipRow[]>;
  /** Entities whose records are not all emitted yet (the shuffle window). */
  private readonly pending: Person[] = [];
  /** Records still owed by the entities in `pending`. */
  private pendingRecords = 0;
  // Packed arrays ('' = not cached yet), not sparse ones, so they keep fast elements.
  private readonly dobIso: string[] = new Array<string>(DOB_CACHE_DAYS).fill('');
  private readonly dobUs: string[] = new Array<string>(DOB_CACHE_DAYS).fill('');
  private readonly dobCompact: string[] = new Array<string>(DOB_CACHE_DAYS).fill('');
  private head = 0; // FIFO read position when shuffling is disabled
  private created = 0;
  private emitted = 0;
  private entities = 0;

  constructor(opts: GeneratorOptions) {
    const o: Required<GeneratorOptions> = {
      records: opts.records,
      seed: opts.seed ?? 1,
      dupRate: opts.dupRate ?? 0.3,
      maxCluster: opts.maxCluster ?? 6,
      clusterDist: opts.clusterDist ?? 'geometric',
      clusterParam: opts.clusterParam ?? (opts.clusterDist === 'zipf' ? 2 : 0.5),
      householdRate: opts.householdRate ?? 0.08,
      twinRate: opts.twinRate ?? 0.15,
      shuffleWindow: opts.shuffleWindow ?? 10_000,
      referenceDate: opts.referenceDate ?? '2026-11-22',
    };
    if (!Number.isInteger(o.records) || o.records < 0) throw new Error('records must be a non-negative integer');
    if (!(o.dupRate >= 0 && o.dupRate < 1)) throw new Error('dupRate must be in [0, 1)');
    if (!Number.isInteger(o.maxCluster) || o.maxCluster < 1) throw new Error('maxCluster must be an integer >= 1');
    const ref = /^(\d{4})-(\d{2})-(\d{2})$/.exec(o.referenceDate);
    if (!ref) throw new Error('referenceDate must be YYYY-MM-DD');
    this.options = o;
    this.refDays = daysFromCivil(Number(ref[1]), Number(ref[2]), Number(ref[3]));
    this.rng = new Rng(o.seed);
    this.t = loadTables();
    this.ssnPerm = new SsnPermutation(this.rng.fork());
    this.zipsByState = new Map();
    for (const z of this.t.zips) {
      const list = this.zipsByState.get(z.state) ?? [];
      list.push(z);
      this.zipsByState.set(z.state, list);
    }
    if (o.maxCluster >= 2 && o.dupRate > 0) {
      this.extra = clusterExtraTable(o.clusterDist, o.maxCluster, o.clusterParam);
      const ws = clusterWeights(o.clusterDist, o.maxCluster, o.clusterParam);
      let mean = 0;
      let total = 0;
      for (let k = 1; k <= ws.length; k++) {
        mean += k * (ws[k - 1] as number);
        total += ws[k - 1] as number;
      }
      mean /= total;
      // dupRate = p*mean / (1 + p*mean)  =>  p = dupRate / ((1 - dupRate) * mean)
      this.dupP = Math.min(1, o.dupRate / ((1 - o.dupRate) * mean));
    } else {
      this.extra = new AliasTable([0], [1]);
      this.dupP = 0;
    }
    this.stats = {
      records: 0, entities: 0, entitiesWithDuplicates: 0, households: 0, twinPairs: 0,
      entityDupProbability: this.dupP,
    };
  }

  /** Records currently owed by entities waiting in the shuffle window (bounded: the memory footprint). */
  get bufferedRecords(): number {
    return this.pendingRecords;
  }

  [Symbol.iterator](): IterableIterator<SyntheticRecord> {
    return this;
  }

  next(): IteratorResult<SyntheticRecord, undefined> {
    const r = this.nextRecord();
    return r ? { value: r, done: false } : { value: undefined, done: true };
  }

  /** Next record, or null when all records have been produced. */
  nextRecord(): SyntheticRecord | null {
    const rec = emptyRecord();
    if (!this.nextInto(rec)) return null;
    rec.record_id = `r${this.emitted}`;
    return rec;
  }

  /** Number of records emitted so far (the last record's id is `r${recordNumber}`). */
  get recordNumber(): number {
    return this.emitted;
  }

  /**
   * Fill `rec` with the next record (every column except `record_id`, which is `r${recordNumber}`)
   * without allocating a record object; false at the end. Consumes the PRNG exactly like
   * nextRecord(), so both paths give the same records for a seed. Used by the file writers.
   */
  nextInto(rec: SyntheticRecord): boolean {
    const total = this.options.records;
    const pending = this.pending;
    let e: Person;
    if (this.options.shuffleWindow > 1) {
      // Keep ~shuffleWindow records owed in the window; emit the next record of a random entity.
      // Records are rendered lazily, so the window holds only Person objects.
      while (this.pendingRecords < this.options.shuffleWindow && this.created < total) this.makeGroup();
      const n = pending.length;
      if (n === 0) return false;
      const i = this.rng.int(n);
      e = pending[i] as Person;
      if (e.left === 1) {
        pending[i] = pending[n - 1] as Person;
        pending.pop();
      }
    } else {
      if (this.head >= pending.length) {
        pending.length = 0;
        this.head = 0;
        while (pending.length === 0 && this.created < total) this.makeGroup();
        if (pending.length === 0) return false;
      }
      e = pending[this.head] as Person;
      if (e.left === 1) this.head++;
    }
    if (e.emitted === 0) this.render(e, rec);
    else this.duplicate(e, rec);
    e.emitted++;
    e.left--;
    this.pendingRecords--;
    this.emitted++;
    this.stats.records = this.emitted;
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // groups and entities

  private makeGroup(): void {
    const rng = this.rng;
    if (!rng.chance(this.options.householdRate)) {
      const age = rng.chance(0.05) ? rng.range(0, 17) : this.adultAge();
      this.emitEntity(this.newPerson(rng.chance(0.5) ? 'M' : 'F', age, null));
      return;
    }
    // Household: shared family name, address and (often) landline; distinct entities.
    this.stats.households++;
    const headAge = rng.range(25, 80);
    const headGender: 'M' | 'F' = rng.chance(0.5) ? 'M' : 'F';
    const head = this.newPerson(headGender, headAge, null);
    const members: Person[] = [head];
    const sharedPhone = rng.chance(0.5);
    if (rng.chance(0.65)) {
      const g: 'M' | 'F' = rng.chance(0.95) ? (headGender === 'M' ? 'F' : 'M') : headGender;
      const spouse = this.newPerson(g, Math.max(18, headAge + rng.range(-6, 6)), head);
      if (rng.chance(0.2)) spouse.family = this.t.surnames.sample(rng);
      if (sharedPhone) spouse.phone = head.phone;
      members.push(spouse);
    }
    const maxChildAge = Math.min(headAge - 18, 30);
    if (maxChildAge >= 0 && headAge < 70) {
      const nKids = [0, 1, 1, 2, 2, 2, 3, 3, 4][rng.int(9)] as number;
      const minChildAge = Math.max(0, headAge - 45);
      const kids: Person[] = [];
      for (let i = 0; i < nKids && minChildAge <= maxChildAge; i++) {
        const kid = this.newPerson(rng.chance(0.5) ? 'M' : 'F', rng.range(minChildAge, maxChildAge), head);
        // "Junior": son carries father's given name -> same name & address, different DOB/SSN.
        if (kid.gender === 'M' && headGender === 'M' && i === 0 && rng.chance(0.1)) {
          kid.given = head.given;
          kid.email = kid.age >= 13 ? this.makeEmail(kid) : '';
        }
        if (kid.age < 14 || (sharedPhone && rng.chance(0.5))) kid.phone = head.phone;
        kids.push(kid);
        members.push(kid);
      }
      const first = kids[0];
      if (first && rng.chance(this.options.twinRate)) {
        const twinGender: 'M' | 'F' = rng.chance(0.5) ? first.gender : first.gender === 'M' ? 'F' : 'M';
        const twin = this.newPerson(twinGender, first.age, head);
        setDob(twin, first.dobDays);
        twin.age = first.age;
        let guard = 0;
        while (twin.given === first.given && guard++ < 10) twin.given = this.givenName(twin.gender);
        twin.email = this.makeEmail(twin);
        if (first.phone === head.phone) twin.phone = head.phone;
        members.push(twin);
        this.stats.twinPairs++;
      }
    }
    for (const m of members) this.emitEntity(m);
  }

  private adultAge(): number {
    const [lo, hi] = ADULT_AGES.sample(this.rng);
    return this.rng.range(lo, hi);
  }

  private givenName(g: 'M' | 'F'): string {
    return (g === 'M' ? this.t.male : this.t.female).sample(this.rng);
  }

  /** A new entity; if `household` is given, it shares that person's family name and address. */
  private newPerson(gender: 'M' | 'F', age: number, household: Person | null): Person {
    const rng = this.rng;
    const entity = ++this.entities;
    this.stats.entities = entity;
    const given = this.givenName(gender);
    const middle = rng.chance(0.72) ? (rng.chance(0.9) ? this.givenName(gender) : this.t.surnames.sample(rng)) : '';
    const dobDays = this.refDays - age * 365 - Math.floor(age / 4) - rng.int(365) - 1;
    const p: Person = {
      entity,
      given,
      middle: middle === given ? '' : middle,
      family: household ? household.family : this.t.surnames.sample(rng),
      gender,
      eid: `e${entity}`,
      dobDays: 0,
      dobY: 0,
      dobM: 0,
      dobD: 0,
      age,
      ssn: this.ssnPerm.ssnFor(entity - 1),
      phone: '',
      email: '',
      house: '',
      predir: '',
      street: '',
      stype: '',
      unit: '',
      zip: household ? household.zip : rng.pick(this.t.zips),
      left: 0,
      emitted: 0,
    };
    setDob(p, dobDays);
    if (household) {
      p.house = household.house;
      p.predir = household.predir;
      p.street = household.street;
      p.stype = household.stype;
      p.unit = household.unit;
    } else this.newAddress(p, p.zip);
    p.phone = this.newPhone(p.zip.areaCode);
    p.email = age >= 13 ? this.makeEmail(p) : '';
    return p;
  }

  private newAddress(p: Person, zip: ZipRow): void {
    const rng = this.rng;
    const digits = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5][rng.int(12)] as number;
    const lo = digits === 1 ? 1 : Math.pow(10, digits - 1);
    p.house = NUM[rng.range(lo, Math.pow(10, digits) - 1)] as string;
    p.predir = rng.chance(0.1) ? rng.pick(DIRECTIONS) : '';
    p.street = rng.chance(0.12) ? this.t.surnames.sample(rng) : this.t.streets.sample(rng);
    p.stype = STREET_TYPES.sample(rng);
    p.unit = rng.chance(0.18) ? this.newUnit() : '';
    p.zip = zip;
  }

  private newUnit(): string {
    const rng = this.rng;
    switch (rng.int(6)) {
      case 0:
      case 1:
        return `Apt ${rng.range(1, 40)}`;
      case 2:
        return `Apt ${rng.range(1, 20)}${'ABCDEF'[rng.int(6)]}`;
      case 3:
        return `Unit ${rng.range(1, 300)}`;
      case 4:
        return `# ${rng.range(100, 999)}`;
      default:
        return rng.chance(0.3) ? `Ste ${rng.range(100, 500)}` : `Apt ${rng.range(1, 12)}, Rear`;
    }
  }

  private newPhone(areaCode: string): string {
    const rng = this.rng;
    let nxx = rng.range(200, 999);
    while (nxx % 100 === 11) nxx = rng.range(200, 999);
    return areaCode + (PAD3[nxx] as string) + (PAD4[rng.int(10000)] as string);
  }

  private makeEmail(p: Person): string {
    const rng = this.rng;
    const nicks = this.t.nicknames.get(p.given);
    const g = alphaLower(nicks && rng.chance(0.15) ? rng.pick(nicks) : p.given) || 'user';
    const f = alphaLower(p.family) || 'mail';
    const yy = PAD2[p.dobY % 100] as string;
    const n = NUM[rng.range(1, 999)] as string;
    let local: string;
    switch (rng.int(12)) {
      case 0: case 1: case 2: local = `${g}.${f}`; break;
      case 3: local = `${g}${f}`; break;
      case 4: local = `${g[0]}${f}`; break;
      case 5: local = `${g}_${f}`; break;
      case 6: local = `${g}${f[0]}${n}`; break;
      case 7: local = `${f}.${g}`; break;
      case 8: local = `${g}${yy}`; break;
      case 9: local = `${g}.${f}${yy}`; break;
      case 10: local = `${g[0]}${f}${n}`; break;
      default: local = `${g}.${f}${n}`;
    }
    return `${local}@${EMAIL_PROVIDERS.sample(rng)}`;
  }

  private emitEntity(p: Person): void {
    const remaining = this.options.records - this.created;
    if (remaining <= 0) return;
    let size = 1;
    if (this.dupP > 0 && this.rng.chance(this.dupP)) size = 1 + this.extra.sample(this.rng);
    if (size > remaining) size = remaining;
    if (size > 1) this.stats.entitiesWithDuplicates++;
    p.left = size;
    this.pending.push(p);
    this.pendingRecords += size;
    this.created += size;
  }

  // -------------------------------------------------------------------------------------------
  // rendering

  private render(p: Person, r: SyntheticRecord): void {
    const rng = this.rng;
    const src = SOURCES.sample(rng);
    const cm = rng.float() < src.upperP ? 1 : rng.float() < src.lowerP ? 2 : 0;
    let middle = '';
    if (p.middle) {
      const u = rng.float();
      if (u < src.middleFullP) middle = applyCase(p.middle, cm);
      else if (u < src.middleFullP + src.middleInitialP) middle = applyCase(p.middle.charAt(0), cm);
    }
    let dob = '';
    if (rng.float() < src.dobP) {
      dob = this.dobString(p, src.dobFormat);
    }
    const gender = rng.float() < src.genderP ? (src.genderWords ? (p.gender === 'M' ? 'male' : 'female') : p.gender) : '';
    let ssn = '';
    if (p.ssn && rng.float() < src.ssnP) {
      const s = p.ssn;
      ssn = rng.float() < src.ssnDashP && s.length === 9 ? `${s.slice(0, 3)}-${s.slice(3, 5)}-${s.slice(5)}` : s;
    }
    const phone = p.phone && rng.float() < src.phoneP ? formatPhone(p.phone, src.phoneFormat) : '';
    const email = p.email && rng.float() < src.emailP ? (cm === 1 && rng.float() < 0.3 ? upper(p.email) : p.email) : '';
    const full = rng.float() < src.streetTypeFullP;
    const stype = full ? (STREET_TYPE_FULL[p.stype] ?? p.stype) : p.stype;
    const line1 = p.predir ? `${full ? DIRECTION_FULL[p.predir] : p.predir} ${p.street} ${stype}` : `${p.street} ${stype}`;
    const folded = rng.float() < src.numberInLine1P;
    r.entity_id = p.eid;
    r.source = src.name;
    r.given_name = applyCase(p.given, cm);
    r.middle_name = middle;
    r.family_name = applyCase(p.family, cm);
    r.dob = dob;
    r.gender = gender;
    r.ssn = ssn;
    r.phone = phone;
    r.email = email;
    r.house_number = folded ? '' : p.house;
    r.address_line1 = applyCase(folded ? `${p.house} ${line1}` : line1, cm);
    r.address_line2 = applyCase(p.unit, cm);
    r.city = cm === 1 ? p.zip.cityUpper : p.zip.city;
    r.state = p.zip.state;
    r.postcode = p.zip.zip;
    r.country = 'US';
  }

  /** Formatted DOB, cached per (day, format) for the ~150 years before the reference date. */
  private dobString(p: Person, f: DobFormat): string {
    const k = p.dobDays - this.refDays + DOB_CACHE_DAYS;
    const cache = f === 'iso' ? this.dobIso : f === 'us' ? this.dobUs : this.dobCompact;
    if (k >= 0 && k < DOB_CACHE_DAYS) {
      const hit = cache[k] as string;
      if (hit !== '') return hit;
    }
    const y = p.dobY;
    const mm = PAD2[p.dobM] as string;
    const dd = PAD2[p.dobD] as string;
    const yyyy = y >= 0 && y < 10000 ? (PAD4[y] as string) : String(y);
    const s = f === 'iso' ? `${yyyy}-${mm}-${dd}` : f === 'us' ? `${mm}/${dd}/${yyyy}` : yyyy + mm + dd;
    if (k >= 0 && k < DOB_CACHE_DAYS) cache[k] = s;
    return s;
  }

  private duplicate(base: Person, r: SyntheticRecord): void {
    const rng = this.rng;
    const nOps = OPS_PER_DUP.sample(rng);
    const ops: Op[] = [];
    for (let i = 0; i < nOps; i++) ops.push(OPS.sample(rng));
    // Phase 1: semantic changes on a copy of the person.
    const p: Person = { ...base };
    for (const op of ops) {
      switch (op) {
        case 'nickname': {
          const nicks = this.t.nicknames.get(p.given);
          const formal = this.t.formalOf.get(p.given);
          if (nicks) p.given = rng.pick(nicks);
          else if (formal) p.given = rng.pick(formal);
          else p.given = typo(rng, p.given);
          break;
        }
        case 'swap_names': {
          const g = p.given;
          p.given = p.family;
          p.family = g;
          break;
        }
        case 'middle_initial':
          p.middle = p.middle.charAt(0);
          break;
        case 'drop_middle':
          p.middle = '';
          break;
        case 'dob_swap_dm': {
          const y = p.dobY, m = p.dobM, d = p.dobD;
          setDob(p, d <= 12 && d !== m ? daysFromCivil(y, d, m) : this.dobTypo(p.dobDays));
          break;
        }
        case 'dob_typo':
          setDob(p, this.dobTypo(p.dobDays));
          break;
        case 'moved': {
          const sameState = rng.chance(0.7) ? this.zipsByState.get(p.zip.state) : undefined;
          this.newAddress(p, sameState ? rng.pick(sameState) : rng.pick(this.t.zips));
          if (rng.chance(0.4)) p.phone = this.newPhone(p.zip.areaCode);
          break;
        }
        case 'new_phone':
          p.phone = this.newPhone(rng.chance(0.6) ? p.zip.areaCode : rng.pick(this.t.zips).areaCode);
          break;
        case 'email_change':
          p.email = p.age >= 13 ? this.makeEmail(p) : '';
          break;
        case 'surname_change':
          if (p.gender === 'F' && p.age >= 20) {
            const other = this.t.surnames.sample(rng);
            p.family = rng.chance(0.3) ? `${base.family}-${other}` : other;
          } else p.family = typo(rng, p.family);
          break;
        case 'unit_change':
          p.unit = p.unit ? '' : this.newUnit();
          break;
        default:
          break;
      }
    }
    // Phase 2: character-level damage on the rendered record.
    this.render(p, r);
    for (const op of ops) {
      switch (op) {
        case 'typo_given':
          r.given_name = typo(rng, r.given_name);
          break;
        case 'typo_family':
          r.family_name = typo(rng, r.family_name);
          break;
        case 'phonetic_given':
          r.given_name = phonetic(rng, r.given_name);
          break;
        case 'phonetic_family':
          r.family_name = phonetic(rng, r.family_name);
          break;
        case 'nickname_quoted': {
          const nicks = this.t.nicknames.get(base.given);
          if (nicks && r.given_name) r.given_name = `${r.given_name} "${rng.pick(nicks)}"`;
          else r.given_name = typo(rng, r.given_name);
          break;
        }
        case 'ocr': {
          const f = rng.pick(OCR_FIELDS);
          r[f] = ocr(rng, r[f]);
          break;
        }
        case 'ssn_typo':
          r.ssn = digitTypo(rng, r.ssn);
          break;
        case 'ssn_transpose':
          r.ssn = digitTranspose(rng, r.ssn);
          break;
        case 'phone_typo':
          r.phone = digitTypo(rng, r.phone);
          break;
        case 'email_typo': {
          const at = r.email.indexOf('@');
          if (at > 1) r.email = rng.chance(0.7) ? typo(rng, r.email.slice(0, at)) + r.email.slice(at) : r.email.slice(0, at + 1) + typo(rng, r.email.slice(at + 1));
          break;
        }
        case 'address_typo':
          if (rng.chance(0.5) && r.house_number) r.house_number = digitTypo(rng, r.house_number);
          else r.address_line1 = typo(rng, r.address_line1);
          break;
        case 'zip_typo':
          r.postcode = rng.chance(0.5) ? digitTypo(rng, r.postcode) : digitTranspose(rng, r.postcode);
          break;
        case 'missing': {
          const f = rng.pick(MISSABLE);
          r[f] = '';
          break;
        }
        default:
          break;
      }
    }
  }

  private dobTypo(days: number): number {
    const rng = this.rng;
    const [y, m, d] = civilFromDays(days);
    const u = rng.float();
    if (u < 0.35) {
      const ny = y + (rng.chance(0.5) ? 1 : -1);
      return daysFromCivil(ny, m, Math.min(d, daysInMonth(ny, m)));
    }
    if (u < 0.65) return days + (rng.chance(0.5) ? 1 : -1) * rng.range(1, 2);
    if (u < 0.8) {
      const nm = m === 12 ? 11 : m + 1;
      return daysFromCivil(y, nm, Math.min(d, daysInMonth(y, nm)));
    }
    // one digit of the year's last two changes (e.g. 1967 -> 1961)
    const ny = y - (y % 10) + ((y % 10) + rng.range(1, 9)) % 10;
    return daysFromCivil(ny, m, Math.min(d, daysInMonth(ny, m)));
  }
}

function clusterWeights(dist: ClusterDistribution, maxCluster: number, param: number): number[] {
  const ws: number[] = [];
  for (let k = 1; k <= maxCluster - 1; k++) {
    if (dist === 'geometric') ws.push(param * Math.pow(1 - param, k - 1));
    else if (dist === 'zipf') ws.push(1 / Math.pow(k, param));
    else ws.push(1);
  }
  return ws;
}

function formatPhone(d: string, f: PhoneFormat): string {
  const a = d.slice(0, 3);
  const b = d.slice(3, 6);
  const c = d.slice(6);
  switch (f) {
    case 'paren':
      return `(${a}) ${b}-${c}`;
    case 'dash':
      return `${a}-${b}-${c}`;
    case 'dot':
      return `${a}.${b}.${c}`;
    case 'intl':
      return `+1 ${a} ${b} ${c}`;
    default:
      return d;
  }
}

/** Create a generator; iterate it (sync) or call nextRecord() until null. */
export function createGenerator(opts: GeneratorOptions): SyntheticGenerator {
  return new SyntheticGenerator(opts);
}
