/**
 * Synthetic person-record generator with ground truth (entity_id).
 *
 * Entities are created one household group at a time; each entity owes a cluster of
 * 1..maxCluster records (the first rendered clean, the rest corrupted). Entities wait in a
 * bounded shuffle window (about shuffleWindow records owed); each call emits the next record
 * of a randomly chosen waiting entity, rendered lazily. Memory is O(shuffleWindow), never
 * O(records). Everything is driven by one seeded PRNG, so a seed reproduces the output.
 *
 * Speed: entity state lives in typed arrays (slots reused as entities finish), text is held as
 * ids of pre-encoded table strings, and a record is rendered as bytes straight into the caller's
 * buffer (one CSV line); strings are built only for the rare character-level corruptions.
 */
import { AliasTable, Rng } from './rng.js';
import { loadByteTables, loadTables, type ByteTables, type Lexicon } from './tables.js';
import { digitTransposeBytes, digitTypoBytes, ocr, phonetic, typo, typoBytes } from './corrupt.js';

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

/** ASCII bytes of a constant string. */
function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const STREET_TYPES = new AliasTable(
  ['St', 'Ave', 'Rd', 'Dr', 'Ln', 'Blvd', 'Ct', 'Way', 'Pl', 'Cir', 'Ter', 'Pkwy', 'Hwy'],
  [25, 18, 15, 14, 8, 4, 6, 5, 4, 3, 2, 1, 1],
);
const STREET_TYPE_FULL: Record<string, string> = {
  St: 'Street', Ave: 'Avenue', Rd: 'Road', Dr: 'Drive', Ln: 'Lane', Blvd: 'Boulevard', Ct: 'Court',
  Way: 'Way', Pl: 'Place', Cir: 'Circle', Ter: 'Terrace', Pkwy: 'Parkway', Hwy: 'Highway',
};
const STYPE_SHORT_B = STREET_TYPES.values.map(ascii);
const STYPE_FULL_B = STREET_TYPES.values.map((t) => ascii(STREET_TYPE_FULL[t] ?? t));
const DIRECTIONS_B = ['N', 'S', 'E', 'W'].map(ascii);
const DIRECTIONS_FULL_B = ['North', 'South', 'East', 'West'].map(ascii);

const EMAIL_PROVIDERS = new AliasTable(
  ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com', 'comcast.net',
    'msn.com', 'att.net', 'live.com', 'verizon.net', 'protonmail.com', 'sbcglobal.net', 'me.com'],
  [45, 15, 8, 7, 5, 6, 3, 2, 2, 2, 1, 1, 1, 1],
);
const EMAIL_PROVIDERS_B = EMAIL_PROVIDERS.values.map(ascii);
const USER_B = ascii('user');
const MAIL_B = ascii('mail');
const MALE_B = ascii('male');
const FEMALE_B = ascii('female');

/** Adult age bands [from, to] with approximate US population weights. */
const ADULT_AGES = new AliasTable<readonly [number, number]>(
  [[18, 24], [25, 29], [30, 34], [35, 39], [40, 44], [45, 49], [50, 54], [55, 59], [60, 64], [65, 69],
    [70, 74], [75, 79], [80, 84], [85, 99]],
  [9.4, 7.0, 6.9, 6.6, 6.3, 6.1, 6.4, 6.5, 6.2, 5.3, 4.3, 2.9, 1.9, 2.0],
);

const DOB_ISO = 0;
const DOB_US = 1;
const DOB_COMPACT = 2;
const PHONE_DIGITS = 0;
const PHONE_PAREN = 1;
const PHONE_DASH = 2;
const PHONE_DOT = 3;
const PHONE_INTL = 4;

interface SourceProfile {
  name: string;
  /** DOB_ISO | DOB_US | DOB_COMPACT */
  dobFormat: number;
  ssnP: number;
  ssnDashP: number;
  phoneP: number;
  /** PHONE_* */
  phoneFormat: number;
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
  /** `name` as bytes */
  bytes: Uint8Array;
}

function source(p: Omit<SourceProfile, 'bytes'>): SourceProfile {
  return { ...p, bytes: ascii(p.name) };
}

const SOURCES = new AliasTable<SourceProfile>(
  [
    source({ name: 'crm', dobFormat: DOB_ISO, ssnP: 0.3, ssnDashP: 0.8, phoneP: 0.85, phoneFormat: PHONE_PAREN, emailP: 0.8, middleFullP: 0.1, middleInitialP: 0.6, upperP: 0, lowerP: 0, genderP: 0.6, genderWords: false, streetTypeFullP: 0.1, numberInLine1P: 0, dobP: 0.95 }),
    source({ name: 'dmv', dobFormat: DOB_ISO, ssnP: 0.9, ssnDashP: 0.2, phoneP: 0.5, phoneFormat: PHONE_DIGITS, emailP: 0.1, middleFullP: 0.9, middleInitialP: 0.05, upperP: 0.9, lowerP: 0, genderP: 1, genderWords: false, streetTypeFullP: 0.05, numberInLine1P: 0, dobP: 1 }),
    source({ name: 'web', dobFormat: DOB_ISO, ssnP: 0.05, ssnDashP: 0.5, phoneP: 0.6, phoneFormat: PHONE_DASH, emailP: 1, middleFullP: 0.05, middleInitialP: 0.1, upperP: 0.02, lowerP: 0.1, genderP: 0.3, genderWords: false, streetTypeFullP: 0.3, numberInLine1P: 0.2, dobP: 0.8 }),
    source({ name: 'ehr', dobFormat: DOB_COMPACT, ssnP: 0.75, ssnDashP: 1, phoneP: 0.9, phoneFormat: PHONE_INTL, emailP: 0.4, middleFullP: 0.5, middleInitialP: 0.4, upperP: 0.5, lowerP: 0, genderP: 1, genderWords: true, streetTypeFullP: 0.2, numberInLine1P: 0, dobP: 1 }),
    source({ name: 'billing', dobFormat: DOB_US, ssnP: 0.2, ssnDashP: 0.5, phoneP: 0.9, phoneFormat: PHONE_DOT, emailP: 0.7, middleFullP: 0.1, middleInitialP: 0.5, upperP: 0.1, lowerP: 0, genderP: 0.2, genderWords: false, streetTypeFullP: 0.4, numberInLine1P: 0.7, dobP: 0.9 }),
    source({ name: 'callcenter', dobFormat: DOB_ISO, ssnP: 0.1, ssnDashP: 0, phoneP: 1, phoneFormat: PHONE_DIGITS, emailP: 0.3, middleFullP: 0, middleInitialP: 0.1, upperP: 0, lowerP: 0, genderP: 0.5, genderWords: false, streetTypeFullP: 0.5, numberInLine1P: 0.3, dobP: 0.85 }),
  ],
  [30, 20, 20, 15, 10, 5],
);

// ---------------------------------------------------------------------------------------------
// calendar

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

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// ---------------------------------------------------------------------------------------------
// SSNs and phones

// SSN space: area 001-899 except 666 (898 values) x group 01-99 x serial 0001-9999.
const SSN_SPACE = 898 * 99 * 9999;
const SSN_BITS = 30; // 2^30 > SSN_SPACE

/** Seeded Feistel permutation over [0, 2^30) with cycle walking into [0, SSN_SPACE): unique SSN per entity. */
class SsnPermutation {
  private readonly k0: number;
  private readonly k1: number;
  private readonly k2: number;
  private readonly k3: number;
  constructor(rng: Rng) {
    this.k0 = rng.u32() | 0;
    this.k1 = rng.u32() | 0;
    this.k2 = rng.u32() | 0;
    this.k3 = rng.u32() | 0;
  }
  private permute(x: number): number {
    const half = SSN_BITS / 2;
    const mask = (1 << half) - 1;
    let l = x >>> half;
    let r = x & mask;
    for (let i = 0; i < 4; i++) {
      const k = i === 0 ? this.k0 : i === 1 ? this.k1 : i === 2 ? this.k2 : this.k3;
      let f = Math.imul(r ^ k, 0x9e3779b1);
      f ^= f >>> 15;
      f = Math.imul(f, 0x85ebca6b);
      f ^= f >>> 13;
      const nl = r;
      r = (l ^ f) & mask;
      l = nl;
    }
    return (l << half) | r;
  }
  /** The SSN of entity `index` as a 9-digit number (AAAGGSSSS). */
  ssnFor(index: number): number {
    let x = index % SSN_SPACE;
    for (;;) {
      x = this.permute(x);
      if (x < SSN_SPACE) {
        const serial = (x % 9999) + 1;
        const rest = Math.floor(x / 9999);
        const group = (rest % 99) + 1;
        let area = Math.floor(rest / 99) + 1;
        if (area >= 666) area += 1;
        const s = area * 1_000_000 + group * 10_000 + serial;
        // Numbers publicly misused/never valid (Woolworth wallet card, advertising).
        if (s !== 78_051_120 && s !== 219_099_999) return s;
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
// byte writers (all output is ASCII)

/** '00'..'99' as byte pairs. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Decimal digits of a non-negative integer at `p`; returns the new position. */
function putUint(buf: Uint8Array, p: number, v: number): number {
  if (v > 0x7fffffff) {
    const s = String(v);
    for (let i = 0; i < s.length; i++) buf[p + i] = s.charCodeAt(i);
    return p + s.length;
  }
  const n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
  return putPad(buf, p, v, n);
}

/** Exactly `n` decimal digits of `v` (0 <= v < 2^31, zero-padded) at `p`; integer math, two digits a step. */
function putPad(buf: Uint8Array, p: number, v: number, n: number): number {
  let x = v | 0;
  let q = p + n;
  while (q - p >= 2) {
    const d = (x / 100) | 0;
    const r = (x - d * 100) << 1;
    buf[--q] = DIGIT_PAIRS[r + 1]!;
    buf[--q] = DIGIT_PAIRS[r]!;
    x = d;
  }
  if (q > p) buf[p] = 48 + (x % 10);
  return p + n;
}

function putBytes(buf: Uint8Array, p: number, b: Uint8Array): number {
  const n = b.length;
  for (let i = 0; i < n; i++) buf[p + i] = b[i]!;
  return p + n;
}

/** Upper- (mode 1) or lower-case (mode 2) the ASCII letters of buf[a, b) in place. */
function caseRange(buf: Uint8Array, a: number, b: number, mode: number): void {
  if (mode === 1) {
    for (let i = a; i < b; i++) {
      const c = buf[i]!;
      if (c >= 97 && c <= 122) buf[i] = c - 32;
    }
  } else if (mode === 2) {
    for (let i = a; i < b; i++) {
      const c = buf[i]!;
      if (c >= 65 && c <= 90) buf[i] = c + 32;
    }
  }
}

/** Lower-case letters only (for e-mail local parts). */
function alphaLower(s: string): string {
  return s.toLowerCase().replace(/[^a-z]/g, '');
}

// ---------------------------------------------------------------------------------------------
// person model: one slot per entity in the shuffle window, fields in typed arrays

const NO_EMAIL = 255;
/** the e-mail is the string override `emailS` (scratch slot only) */
const EMAIL_STRING = 254;

// Field offsets within a slot (SLOT_INTS int32s per entity, contiguous: one slot is two cache lines;
// the first 16 hold what is read first when a random entity is picked).
// Names are Lexicon word ids (middle -1 = none); middleInit 1 = the middle name was cut to its
// initial; female 0/1; ssn a 9-digit number AAAGGSSSS; phoneHi = NPA * 1000 + NXX, phoneLo the
// 4-digit line; e-mail = pattern 0..11 (or NO_EMAIL / EMAIL_STRING), given/family word ids, number,
// 2-digit year, provider; predir -1 or a DIRECTIONS index; unitKind 0 = no unit, else UNIT_*;
// left/emitted = records of the entity still owed / already emitted (the first is clean).
const P_left = 0;
const P_emitted = 1;
const P_entity = 2;
const P_zip = 3;
const P_given = 4;
const P_middle = 5;
const P_family = 6;
const P_middleInit = 7;
const P_female = 8;
const P_dobY = 9;
const P_dobM = 10;
const P_dobD = 11;
const P_ssn = 12;
const P_phoneHi = 13;
const P_phoneLo = 14;
const P_ePat = 15;
const P_eG = 16;
const P_eF = 17;
const P_eN = 18;
const P_eYY = 19;
const P_eProv = 20;
const P_house = 21;
const P_predir = 22;
const P_street = 23;
const P_stype = 24;
const P_unitKind = 25;
const P_unitNum = 26;
const P_unitLetter = 27;
const P_age = 28;
const P_dobDays = 29;
const SLOT_SHIFT = 5;
const SLOT_INTS = 1 << SLOT_SHIFT;

/** Entity slots in one Int32Array (array of structs, for cache locality on random slot access). */
class People {
  cap = 0;
  d = new Int32Array(0);

  grow(cap: number): void {
    const d = new Int32Array(cap * SLOT_INTS);
    d.set(this.d);
    this.d = d;
    this.cap = cap;
  }

  copy(from: number, to: number): void {
    this.d.copyWithin(to << SLOT_SHIFT, from << SLOT_SHIFT, (from + 1) << SLOT_SHIFT);
  }

  setDob(s: number, days: number): void {
    // civilFromDays inlined (no array allocation on the hot path).
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const m = mp < 10 ? mp + 3 : mp - 9;
    const b = s << SLOT_SHIFT;
    const D = this.d;
    D[b + P_dobDays] = days;
    D[b + P_dobY] = yoe + era * 400 + (m <= 2 ? 1 : 0);
    D[b + P_dobM] = m;
    D[b + P_dobD] = doy - Math.floor((153 * mp + 2) / 5) + 1;
  }
}

/**
 * An AliasTable over table strings, sampling word ids: probability, own id and alias id of each
 * column in one 32-byte cell (one cache miss per draw instead of three). Same draws and results
 * as ids[table.sampleIndex(rng)].
 */
class WordSampler {
  private readonly cells: Float64Array;
  private readonly n: number;
  constructor(table: AliasTable<string>, ids: Int32Array) {
    this.n = ids.length;
    this.cells = new Float64Array(this.n * 4);
    for (let i = 0; i < this.n; i++) {
      this.cells[4 * i] = table.probAt(i);
      this.cells[4 * i + 1] = ids[i]!;
      this.cells[4 * i + 2] = ids[table.aliasAt(i)]!;
    }
  }
  sample(rng: Rng): number {
    const u = rng.float() * this.n;
    const i = Math.floor(u);
    const o = i << 2;
    return u - i < this.cells[o]! ? this.cells[o + 1]! : this.cells[o + 2]!;
  }
}

let cachedSamplers: { male: WordSampler; female: WordSampler; surnames: WordSampler; streets: WordSampler } | undefined;

function wordSamplers(): { male: WordSampler; female: WordSampler; surnames: WordSampler; streets: WordSampler } {
  if (!cachedSamplers) {
    const t = loadTables();
    const bt = loadByteTables();
    cachedSamplers = {
      male: new WordSampler(t.male, bt.maleIds),
      female: new WordSampler(t.female, bt.femaleIds),
      surnames: new WordSampler(t.surnames, bt.surnameIds),
      streets: new WordSampler(t.streets, bt.streetIds),
    };
  }
  return cachedSamplers;
}

/** Number of children of a household (uniform pick), and of digits of a house number. */
const KIDS = [0, 1, 1, 2, 2, 2, 3, 3, 4];
const HOUSE_DIGITS = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5];
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** Unit kinds: `Apt N`, `Apt NL`, `Unit N`, `# N`, `Ste N`, `Apt N, Rear`. */
const UNIT_APT = 1;
const UNIT_APT_LETTER = 2;
const UNIT_UNIT = 3;
const UNIT_HASH = 4;
const UNIT_STE = 5;
const UNIT_REAR = 6;
const APT_B = ascii('Apt ');
const UNIT_B = ascii('Unit ');
const HASH_B = ascii('# ');
const STE_B = ascii('Ste ');
const REAR_B = ascii(', Rear');

/** The scratch slot a duplicate's modified person is built in. */
const CUR = 0;

// ---------------------------------------------------------------------------------------------
// duplicates

// Semantic changes (applied to a copy of the person before rendering) ...
const OP_NICKNAME = 0;
const OP_SWAP_NAMES = 1;
const OP_MIDDLE_INITIAL = 2;
const OP_DROP_MIDDLE = 3;
const OP_DOB_SWAP_DM = 4;
const OP_DOB_TYPO = 5;
const OP_MOVED = 6;
const OP_NEW_PHONE = 7;
const OP_EMAIL_CHANGE = 8;
const OP_SURNAME_CHANGE = 9;
const OP_UNIT_CHANGE = 10;
// ... and character-level damage to one rendered field.
const OP_TYPO = 11;
const OP_PHONETIC = 12;
const OP_NICKNAME_QUOTED = 13;
const OP_OCR = 14;
const OP_DIGIT_TYPO = 15;
const OP_DIGIT_TRANSPOSE = 16;
const OP_EMAIL_TYPO = 17;
const OP_ADDRESS_TYPO = 18;
const OP_ZIP_TYPO = 19;
const OP_MISSING = 20;

// Column indices.
const F_RECORD = 0;
const F_ENTITY = 1;
const F_SOURCE = 2;
const F_GIVEN = 3;
const F_MIDDLE = 4;
const F_FAMILY = 5;
const F_DOB = 6;
const F_GENDER = 7;
const F_SSN = 8;
const F_PHONE = 9;
const F_EMAIL = 10;
const F_HOUSE = 11;
const F_LINE1 = 12;
const F_LINE2 = 13;
const F_CITY = 14;
const F_STATE = 15;
const F_POSTCODE = 16;
const F_COUNTRY = 17;
const NO_FIELD = -1;
const F_RANDOM_OCR = -2;
const F_RANDOM_MISSING = -3;
const F_HOUSE_OR_LINE1 = -4;

/** Operation kinds: [op, target field]; weights as before (mean 1.7 per duplicate). */
const OPS = new AliasTable<readonly [number, number]>(
  [
    [OP_TYPO, F_GIVEN], [OP_TYPO, F_FAMILY], [OP_OCR, F_RANDOM_OCR], [OP_PHONETIC, F_GIVEN], [OP_PHONETIC, F_FAMILY],
    [OP_NICKNAME, NO_FIELD], [OP_NICKNAME_QUOTED, F_GIVEN], [OP_SWAP_NAMES, NO_FIELD], [OP_MIDDLE_INITIAL, NO_FIELD],
    [OP_DROP_MIDDLE, NO_FIELD], [OP_DOB_SWAP_DM, NO_FIELD], [OP_DOB_TYPO, NO_FIELD], [OP_DIGIT_TYPO, F_SSN],
    [OP_DIGIT_TRANSPOSE, F_SSN], [OP_MISSING, F_RANDOM_MISSING], [OP_MOVED, NO_FIELD], [OP_NEW_PHONE, NO_FIELD],
    [OP_DIGIT_TYPO, F_PHONE], [OP_EMAIL_CHANGE, NO_FIELD], [OP_EMAIL_TYPO, F_EMAIL], [OP_SURNAME_CHANGE, NO_FIELD],
    [OP_ADDRESS_TYPO, F_HOUSE_OR_LINE1], [OP_ZIP_TYPO, F_POSTCODE], [OP_UNIT_CHANGE, NO_FIELD],
  ],
  [10, 10, 5, 4, 5, 7, 1, 2, 4, 4, 3, 4, 3, 2, 10, 6, 5, 3, 5, 2, 2, 4, 2, 2],
);
const OP_CODE = Int32Array.from(OPS.values, (v) => v[0]);
const OP_TARGET = Int32Array.from(OPS.values, (v) => v[1]);
const OPS_PER_DUP = new AliasTable([0, 1, 2, 3, 4], [0.08, 0.42, 0.3, 0.14, 0.06]);
const MAX_OPS = 4;
const MISSABLE = [F_MIDDLE, F_DOB, F_SSN, F_PHONE, F_EMAIL, F_LINE2, F_HOUSE, F_GENDER, F_POSTCODE, F_CITY];
const OCR_FIELDS = [F_GIVEN, F_FAMILY, F_SSN, F_PHONE, F_DOB, F_POSTCODE, F_HOUSE, F_LINE1];

/** A record with every column empty, keys in COLUMNS order (one hidden class for all records). */
export function emptyRecord(): SyntheticRecord {
  return {
    record_id: '', entity_id: '', source: '', given_name: '', middle_name: '', family_name: '', dob: '', gender: '',
    ssn: '', phone: '', email: '', house_number: '', address_line1: '', address_line2: '', city: '', state: '',
    postcode: '', country: '',
  };
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

/** Longest possible rendered record is far below this (names <= 20 chars, <= 4 corruptions). */
export const MAX_RECORD_BYTES = 4096;

export class SyntheticGenerator implements IterableIterator<SyntheticRecord> {
  readonly options: Required<GeneratorOptions>;
  readonly stats: GeneratorStats;
  /**
   * After renderNext(): true if the rendered bytes contain a character CSV must quote or JSON must
   * escape (a quoted nickname, `Apt 3, Rear`); the caller then re-encodes the record from its fields.
   */
  special = false;
  /** After renderNext(): start and end offset of each column's bytes (COLUMNS order). */
  readonly fieldStart = new Int32Array(COLUMNS.length);
  readonly fieldEnd = new Int32Array(COLUMNS.length);
  private readonly rng: Rng;
  private readonly bt: ByteTables;
  private readonly lex: Lexicon;
  /** Lexicon word cells (length byte, then the bytes) and their log2 size */
  private readonly cells: Uint8Array;
  private readonly shift: number;
  private readonly zipCells: Uint8Array;
  private readonly zipShift: number;
  /** some table string needs quoting: every record takes the careful path */
  private readonly tablesSpecial: boolean;
  private readonly ssnPerm: SsnPermutation;
  private readonly male: WordSampler;
  private readonly female: WordSampler;
  private readonly surnames: WordSampler;
  private readonly streets: WordSampler;
  private readonly extra: AliasTable<number>;
  private readonly dupP: number;
  private readonly refDays: number;
  private readonly P = new People();
  /** Slots of the entities whose records are not all emitted yet (the shuffle window). */
  private pending = new Int32Array(1024);
  private pendingLen = 0;
  /** Records still owed by the entities in `pending`. */
  private pendingRecords = 0;
  private freeSlots = new Int32Array(1024);
  private freeLen = 0;
  /** next never-used slot (slot 0 is the scratch slot CUR) */
  private nextSlot = 1;
  private readonly members: number[] = [];
  private head = 0; // FIFO read position when shuffling is disabled
  /** sink for early loads (keeps them from being optimized away) */
  private touch = 0;
  private created = 0;
  private emitted = 0;
  private entities = 0;
  // The duplicate being rendered: operations, their target columns, a bit mask of targeted columns,
  // and string overrides for names / e-mail that no longer are table strings (typos, hyphenation).
  private nOps = 0;
  private readonly opCode = new Int32Array(MAX_OPS);
  private readonly opField = new Int32Array(MAX_OPS);
  private opMask = 0;
  private givenS: string | null = null;
  private familyS: string | null = null;
  private emailS = '';
  private baseGiven = 0;
  private baseFamily = 0;
  /** scratch for the record-object API */
  private scratch: Buffer = Buffer.alloc(MAX_RECORD_BYTES * 2);

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
    this.bt = loadByteTables();
    this.lex = this.bt.lex;
    this.cells = this.lex.cells;
    this.shift = this.lex.shift;
    this.zipCells = this.bt.zipCells;
    this.zipShift = this.bt.zipShift;
    this.tablesSpecial = this.bt.zipSpecial || this.lex.special.some((x) => x !== 0);
    this.ssnPerm = new SsnPermutation(this.rng.fork());
    const samplers = wordSamplers();
    this.male = samplers.male;
    this.female = samplers.female;
    this.surnames = samplers.surnames;
    this.streets = samplers.streets;
    this.P.grow(1024);
    if (o.maxCluster >= 2 && o.dupRate > 0) {
      const ws = clusterWeights(o.clusterDist, o.maxCluster, o.clusterParam);
      this.extra = new AliasTable(ws.map((_, i) => i + 1), ws);
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
    return this.nextInto(rec) ? rec : null;
  }

  /** Number of records emitted so far (the last record's id is `r${recordNumber}`). */
  get recordNumber(): number {
    return this.emitted;
  }

  /**
   * Fill `rec` with the next record (every column, record_id = `r${recordNumber}`) without
   * allocating a record object; false at the end. Consumes the PRNG exactly like renderNext(), so
   * both give the same records for a seed.
   */
  nextInto(rec: SyntheticRecord): boolean {
    const end = this.renderNext(this.scratch, 0);
    if (end < 0) return false;
    this.lastRecord(this.scratch, rec);
    return true;
  }

  /**
   * Decode the record last rendered by renderNext() into `buf` into `rec` (all columns).
   * Must be called before `buf` is overwritten.
   */
  lastRecord(buf: Buffer, rec: SyntheticRecord): void {
    const fs = this.fieldStart;
    const fe = this.fieldEnd;
    for (let i = 0; i < COLUMNS.length; i++) rec[COLUMNS[i] as Column] = buf.toString('latin1', fs[i], fe[i]);
  }

  /**
   * Render the next record at `buf[pos]` as one CSV line: the 18 columns unquoted, comma-separated,
   * newline-terminated, ASCII. Returns the end offset, or -1 at the end of the data. `buf` needs
   * MAX_RECORD_BYTES of room at `pos`. Afterwards fieldStart/fieldEnd locate each column, and if
   * `special` is set the line must not be used as is (a field needs CSV quoting / JSON escaping).
   */
  renderNext(buf: Uint8Array, pos: number): number {
    const total = this.options.records;
    let e: number;
    if (this.options.shuffleWindow > 1) {
      // Keep ~shuffleWindow records owed in the window; emit the next record of a random entity.
      // Records are rendered lazily, so the window holds only entity slots.
      while (this.pendingRecords < this.options.shuffleWindow && this.created < total) this.makeGroup();
      const n = this.pendingLen;
      if (n === 0) return -1;
      const i = this.rng.int(n);
      e = this.pending[i]!;
      if (this.P.d[(e << SLOT_SHIFT) + P_left] === 1) {
        this.pending[i] = this.pending[n - 1]!;
        this.pendingLen = n - 1;
      }
    } else {
      if (this.head >= this.pendingLen) {
        this.pendingLen = 0;
        this.head = 0;
        while (this.pendingLen === 0 && this.created < total) this.makeGroup();
        if (this.pendingLen === 0) return -1;
      }
      e = this.pending[this.head]!;
      if (this.P.d[(e << SLOT_SHIFT) + P_left] === 1) this.head++;
    }
    this.special = this.tablesSpecial;
    const D = this.P.d; // after makeGroup(), which may grow the slot array
    // Start the likely cache misses now, in parallel (the slot's second line, then its ZIP cell),
    // instead of one after another when rendering reaches those fields.
    this.touch = D[(e << SLOT_SHIFT) + 16]! + this.zipCells[D[(e << SLOT_SHIFT) + P_zip]! << this.zipShift]!;
    let end: number;
    if (D[(e << SLOT_SHIFT) + P_emitted] === 0) end = this.render(e, buf, pos);
    else end = this.duplicate(e, buf, pos);
    D[(e << SLOT_SHIFT) + P_emitted] = D[(e << SLOT_SHIFT) + P_emitted]! + 1;
    const left = D[(e << SLOT_SHIFT) + P_left]! - 1;
    D[(e << SLOT_SHIFT) + P_left] = left;
    if (left === 0) this.freeSlots[this.freeLen++] = e;
    this.pendingRecords--;
    this.emitted++;
    this.stats.records = this.emitted;
    return end;
  }

  // -------------------------------------------------------------------------------------------
  // groups and entities

  private readonly householdTruth: number[] = [];

  private makeGroup(): void {
    const rng = this.rng;
    if (!rng.chance(this.options.householdRate)) {
      const age = rng.chance(0.05) ? rng.range(0, 17) : this.adultAge();
      this.emitEntity(this.newPerson(rng.chance(0.5) ? 0 : 1, age, -1));
      return;
    }
    // Household: shared family name, address and (often) landline; distinct entities.
    this.stats.households++;
    const firstEntity = this.entities + 1;
    const headAge = rng.range(25, 80);
    const headFemale = rng.chance(0.5) ? 0 : 1;
    const head = this.newPerson(headFemale, headAge, -1);
    const members = this.members;
    members.length = 0;
    members.push(head);
    const sharedPhone = rng.chance(0.5);
    if (rng.chance(0.65)) {
      const g = rng.chance(0.95) ? 1 - headFemale : headFemale;
      const spouse = this.newPerson(g, Math.max(18, headAge + rng.range(-6, 6)), head);
      const D = this.P.d;
      if (rng.chance(0.2)) D[(spouse << SLOT_SHIFT) + P_family] = this.surname();
      if (sharedPhone) this.copyPhone(head, spouse);
      members.push(spouse);
    }
    const maxChildAge = Math.min(headAge - 18, 30);
    if (maxChildAge >= 0 && headAge < 70) {
      const nKids = KIDS[rng.int(KIDS.length)]!;
      const minChildAge = Math.max(0, headAge - 45);
      let first = -1;
      for (let i = 0; i < nKids && minChildAge <= maxChildAge; i++) {
        const kid = this.newPerson(rng.chance(0.5) ? 0 : 1, rng.range(minChildAge, maxChildAge), head);
        const D = this.P.d;
        // "Junior": son carries father's given name -> same name & address, different DOB/SSN.
        if (D[(kid << SLOT_SHIFT) + P_female] === 0 && headFemale === 0 && i === 0 && rng.chance(0.1)) {
          D[(kid << SLOT_SHIFT) + P_given] = D[(head << SLOT_SHIFT) + P_given]!;
          if (D[(kid << SLOT_SHIFT) + P_age]! >= 13) this.makeEmail(kid);
          else D[(kid << SLOT_SHIFT) + P_ePat] = NO_EMAIL;
        }
        if (D[(kid << SLOT_SHIFT) + P_age]! < 14 || (sharedPhone && rng.chance(0.5))) this.copyPhone(head, kid);
        if (first < 0) first = kid;
        members.push(kid);
      }
      if (first >= 0 && rng.chance(this.options.twinRate)) {
        let D = this.P.d;
        const twinFemale = rng.chance(0.5) ? D[(first << SLOT_SHIFT) + P_female]! : 1 - D[(first << SLOT_SHIFT) + P_female]!;
        const twin = this.newPerson(twinFemale, D[(first << SLOT_SHIFT) + P_age]!, head);
        D = this.P.d;
        this.P.setDob(twin, D[(first << SLOT_SHIFT) + P_dobDays]!);
        D[(twin << SLOT_SHIFT) + P_age] = D[(first << SLOT_SHIFT) + P_age]!;
        let guard = 0;
        while (D[(twin << SLOT_SHIFT) + P_given] === D[(first << SLOT_SHIFT) + P_given] && guard++ < 10) D[(twin << SLOT_SHIFT) + P_given] = this.givenName(twinFemale);
        this.makeEmail(twin);
        if (D[(first << SLOT_SHIFT) + P_phoneHi] === D[(head << SLOT_SHIFT) + P_phoneHi] && D[(first << SLOT_SHIFT) + P_phoneLo] === D[(head << SLOT_SHIFT) + P_phoneLo]) this.copyPhone(head, twin);
        members.push(twin);
        this.stats.twinPairs++;
      }
    }
    // Household truth: the members are the consecutive entities created above (a head alone is no household).
    if (members.length > 1) this.householdTruth.push(firstEntity, this.entities);
    for (let i = 0; i < members.length; i++) this.emitEntity(members[i] as number);
  }

  /**
   * Multi-person households generated so far, as [first entity, last entity] number pairs (their members are
   * consecutive entities): the truth household detection is measured against. Not part of the records.
   */
  householdRanges(): readonly number[] {
    return this.householdTruth;
  }

  private copyPhone(from: number, to: number): void {
    this.P.d[(to << SLOT_SHIFT) + P_phoneHi] = this.P.d[(from << SLOT_SHIFT) + P_phoneHi]!;
    this.P.d[(to << SLOT_SHIFT) + P_phoneLo] = this.P.d[(from << SLOT_SHIFT) + P_phoneLo]!;
  }

  private adultAge(): number {
    const [lo, hi] = ADULT_AGES.sample(this.rng);
    return this.rng.range(lo, hi);
  }

  private givenName(female: number): number {
    return (female === 0 ? this.male : this.female).sample(this.rng);
  }

  private surname(): number {
    return this.surnames.sample(this.rng);
  }

  private allocSlot(): number {
    if (this.freeLen > 0) return this.freeSlots[--this.freeLen]!;
    const s = this.nextSlot++;
    if (s >= this.P.cap) {
      const cap = this.P.cap * 2;
      this.P.grow(cap);
      const pending = new Int32Array(cap);
      pending.set(this.pending);
      this.pending = pending;
      const free = new Int32Array(cap);
      free.set(this.freeSlots);
      this.freeSlots = free;
    }
    return s;
  }

  /** A new entity; if `household` >= 0, it shares that person's family name and address. */
  private newPerson(female: number, age: number, household: number): number {
    const rng = this.rng;
    const s = this.allocSlot();
    const D = this.P.d;
    const entity = ++this.entities;
    const given = this.givenName(female);
    const middle = rng.chance(0.72) ? (rng.chance(0.9) ? this.givenName(female) : this.surname()) : -1;
    const dobDays = this.refDays - age * 365 - Math.floor(age / 4) - rng.int(365) - 1;
    D[(s << SLOT_SHIFT) + P_entity] = entity;
    D[(s << SLOT_SHIFT) + P_given] = given;
    D[(s << SLOT_SHIFT) + P_middle] = middle === given ? -1 : middle;
    D[(s << SLOT_SHIFT) + P_middleInit] = 0;
    D[(s << SLOT_SHIFT) + P_family] = household >= 0 ? D[(household << SLOT_SHIFT) + P_family]! : this.surname();
    D[(s << SLOT_SHIFT) + P_female] = female;
    D[(s << SLOT_SHIFT) + P_age] = age;
    this.P.setDob(s, dobDays);
    D[(s << SLOT_SHIFT) + P_ssn] = this.ssnPerm.ssnFor(entity - 1);
    if (household >= 0) {
      D[(s << SLOT_SHIFT) + P_zip] = D[(household << SLOT_SHIFT) + P_zip]!;
      D[(s << SLOT_SHIFT) + P_house] = D[(household << SLOT_SHIFT) + P_house]!;
      D[(s << SLOT_SHIFT) + P_predir] = D[(household << SLOT_SHIFT) + P_predir]!;
      D[(s << SLOT_SHIFT) + P_street] = D[(household << SLOT_SHIFT) + P_street]!;
      D[(s << SLOT_SHIFT) + P_stype] = D[(household << SLOT_SHIFT) + P_stype]!;
      D[(s << SLOT_SHIFT) + P_unitKind] = D[(household << SLOT_SHIFT) + P_unitKind]!;
      D[(s << SLOT_SHIFT) + P_unitNum] = D[(household << SLOT_SHIFT) + P_unitNum]!;
      D[(s << SLOT_SHIFT) + P_unitLetter] = D[(household << SLOT_SHIFT) + P_unitLetter]!;
    } else this.newAddress(s, rng.int(this.bt.zipArea.length));
    this.newPhone(s, this.bt.zipArea[D[(s << SLOT_SHIFT) + P_zip]!]!);
    if (age >= 13) this.makeEmail(s);
    else D[(s << SLOT_SHIFT) + P_ePat] = NO_EMAIL;
    D[(s << SLOT_SHIFT) + P_left] = 0;
    D[(s << SLOT_SHIFT) + P_emitted] = 0;
    return s;
  }

  private newAddress(s: number, zip: number): void {
    const rng = this.rng;
    const D = this.P.d;
    const digits = HOUSE_DIGITS[rng.int(HOUSE_DIGITS.length)]!;
    const lo = digits === 1 ? 1 : POW10[digits - 1]!;
    D[(s << SLOT_SHIFT) + P_house] = rng.range(lo, POW10[digits]! - 1);
    D[(s << SLOT_SHIFT) + P_predir] = rng.chance(0.1) ? rng.int(4) : -1;
    D[(s << SLOT_SHIFT) + P_street] = rng.chance(0.12) ? this.surname() : this.streets.sample(rng);
    D[(s << SLOT_SHIFT) + P_stype] = STREET_TYPES.sampleIndex(rng);
    if (rng.chance(0.18)) this.newUnit(s);
    else D[(s << SLOT_SHIFT) + P_unitKind] = 0;
    D[(s << SLOT_SHIFT) + P_zip] = zip;
  }

  private newUnit(s: number): void {
    const rng = this.rng;
    const D = this.P.d;
    switch (rng.int(6)) {
      case 0:
      case 1:
        D[(s << SLOT_SHIFT) + P_unitKind] = UNIT_APT;
        D[(s << SLOT_SHIFT) + P_unitNum] = rng.range(1, 40);
        break;
      case 2:
        D[(s << SLOT_SHIFT) + P_unitKind] = UNIT_APT_LETTER;
        D[(s << SLOT_SHIFT) + P_unitNum] = rng.range(1, 20);
        D[(s << SLOT_SHIFT) + P_unitLetter] = rng.int(6);
        break;
      case 3:
        D[(s << SLOT_SHIFT) + P_unitKind] = UNIT_UNIT;
        D[(s << SLOT_SHIFT) + P_unitNum] = rng.range(1, 300);
        break;
      case 4:
        D[(s << SLOT_SHIFT) + P_unitKind] = UNIT_HASH;
        D[(s << SLOT_SHIFT) + P_unitNum] = rng.range(100, 999);
        break;
      default:
        if (rng.chance(0.3)) {
          D[(s << SLOT_SHIFT) + P_unitKind] = UNIT_STE;
          D[(s << SLOT_SHIFT) + P_unitNum] = rng.range(100, 500);
        } else {
          D[(s << SLOT_SHIFT) + P_unitKind] = UNIT_REAR;
          D[(s << SLOT_SHIFT) + P_unitNum] = rng.range(1, 12);
        }
    }
  }

  private newPhone(s: number, areaCode: number): void {
    const rng = this.rng;
    let nxx = rng.range(200, 999);
    while (nxx % 100 === 11) nxx = rng.range(200, 999);
    this.P.d[(s << SLOT_SHIFT) + P_phoneHi] = areaCode * 1000 + nxx;
    this.P.d[(s << SLOT_SHIFT) + P_phoneLo] = rng.int(10000);
  }

  /** A new e-mail from the slot's current names (pattern, nickname, number, provider). */
  private makeEmail(s: number): void {
    const rng = this.rng;
    const D = this.P.d;
    if (s === CUR && (this.givenS !== null || this.familyS !== null)) {
      this.emailS = this.makeEmailString();
      D[(s << SLOT_SHIFT) + P_ePat] = EMAIL_STRING;
      return;
    }
    const given = D[(s << SLOT_SHIFT) + P_given]!;
    const nick = this.bt.nick;
    const a = nick.start[given]!;
    const b = nick.start[given + 1]!;
    D[(s << SLOT_SHIFT) + P_eG] = b > a && rng.chance(0.15) ? nick.list[a + rng.int(b - a)]! : given;
    D[(s << SLOT_SHIFT) + P_eF] = D[(s << SLOT_SHIFT) + P_family]!;
    D[(s << SLOT_SHIFT) + P_eYY] = D[(s << SLOT_SHIFT) + P_dobY]! % 100;
    D[(s << SLOT_SHIFT) + P_eN] = rng.range(1, 999);
    D[(s << SLOT_SHIFT) + P_ePat] = rng.int(12);
    D[(s << SLOT_SHIFT) + P_eProv] = EMAIL_PROVIDERS.sampleIndex(rng);
  }

  /** makeEmail for names that are not table strings (rare: after a typo or hyphenation). */
  private makeEmailString(): string {
    const rng = this.rng;
    const given = this.givenString(CUR);
    const gid = this.lex.idOf(given);
    const nick = this.bt.nick;
    const a = gid >= 0 ? nick.start[gid]! : 0;
    const b = gid >= 0 ? nick.start[gid + 1]! : 0;
    const g = alphaLower(b > a && rng.chance(0.15) ? (this.lex.words[nick.list[a + rng.int(b - a)]!] as string) : given) || 'user';
    const f = alphaLower(this.familyString(CUR)) || 'mail';
    const yy = String(this.P.d[(CUR << SLOT_SHIFT) + P_dobY]! % 100).padStart(2, '0');
    const n = String(rng.range(1, 999));
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

  private givenString(s: number): string {
    return s === CUR && this.givenS !== null ? this.givenS : (this.lex.words[this.P.d[(s << SLOT_SHIFT) + P_given]!] as string);
  }

  private familyString(s: number): string {
    return s === CUR && this.familyS !== null ? this.familyS : (this.lex.words[this.P.d[(s << SLOT_SHIFT) + P_family]!] as string);
  }

  private emitEntity(s: number): void {
    const remaining = this.options.records - this.created;
    if (remaining <= 0) {
      this.freeSlots[this.freeLen++] = s;
      return;
    }
    let size = 1;
    if (this.dupP > 0 && this.rng.chance(this.dupP)) size = 1 + this.extra.sample(this.rng);
    if (size > remaining) size = remaining;
    if (size > 1) this.stats.entitiesWithDuplicates++;
    this.stats.entities++;
    this.P.d[(s << SLOT_SHIFT) + P_left] = size;
    this.pending[this.pendingLen++] = s;
    this.pendingRecords += size;
    this.created += size;
  }

  // -------------------------------------------------------------------------------------------
  // rendering (straight to bytes)

  /** Write the ASCII string `s` at `p`; flags `special` on characters CSV quotes or JSON escapes. */
  private putStr(buf: Uint8Array, p: number, s: string): number {
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) throw new Error(`generator produced a non-ASCII string: ${JSON.stringify(s)}`);
      if (c < 32 || c === 34 || c === 44 || c === 92) this.special = true;
      buf[p + i] = c;
    }
    return p + n;
  }

  private putWord(buf: Uint8Array, p: number, w: number): number {
    const cells = this.cells;
    const o = (w << this.shift) + 1;
    const n = cells[o - 1]!;
    for (let i = 0; i < n; i++) buf[p + i] = cells[o + i]!;
    return p + n;
  }

  /** Letters-only lower-case form of word `w` (e-mail), or `fallback` if it has no letters. */
  private putAlpha(buf: Uint8Array, p: number, w: number, fallback: Uint8Array): number {
    const lex = this.lex;
    const ab = lex.alpha;
    const o = (w << lex.shift) + 1;
    const n = ab[o - 1]!;
    if (n === 0) return putBytes(buf, p, fallback);
    for (let i = 0; i < n; i++) buf[p + i] = ab[o + i]!;
    return p + n;
  }

  private alphaFirst(w: number, fallback: Uint8Array): number {
    const lex = this.lex;
    const o = w << lex.shift;
    return lex.alpha[o]! > 0 ? lex.alpha[o + 1]! : fallback[0]!;
  }

  private putEmail(buf: Uint8Array, p: number, s: number, pat: number): number {
    const D = this.P.d;
    const g = D[(s << SLOT_SHIFT) + P_eG]!;
    const f = D[(s << SLOT_SHIFT) + P_eF]!;
    switch (pat) {
      case 0: case 1: case 2:
        p = this.putAlpha(buf, p, g, USER_B);
        buf[p++] = 46;
        p = this.putAlpha(buf, p, f, MAIL_B);
        break;
      case 3:
        p = this.putAlpha(buf, p, g, USER_B);
        p = this.putAlpha(buf, p, f, MAIL_B);
        break;
      case 4:
        buf[p++] = this.alphaFirst(g, USER_B);
        p = this.putAlpha(buf, p, f, MAIL_B);
        break;
      case 5:
        p = this.putAlpha(buf, p, g, USER_B);
        buf[p++] = 95;
        p = this.putAlpha(buf, p, f, MAIL_B);
        break;
      case 6:
        p = this.putAlpha(buf, p, g, USER_B);
        buf[p++] = this.alphaFirst(f, MAIL_B);
        p = putUint(buf, p, D[(s << SLOT_SHIFT) + P_eN]!);
        break;
      case 7:
        p = this.putAlpha(buf, p, f, MAIL_B);
        buf[p++] = 46;
        p = this.putAlpha(buf, p, g, USER_B);
        break;
      case 8:
        p = this.putAlpha(buf, p, g, USER_B);
        p = putPad(buf, p, D[(s << SLOT_SHIFT) + P_eYY]!, 2);
        break;
      case 9:
        p = this.putAlpha(buf, p, g, USER_B);
        buf[p++] = 46;
        p = this.putAlpha(buf, p, f, MAIL_B);
        p = putPad(buf, p, D[(s << SLOT_SHIFT) + P_eYY]!, 2);
        break;
      case 10:
        buf[p++] = this.alphaFirst(g, USER_B);
        p = this.putAlpha(buf, p, f, MAIL_B);
        p = putUint(buf, p, D[(s << SLOT_SHIFT) + P_eN]!);
        break;
      default:
        p = this.putAlpha(buf, p, g, USER_B);
        buf[p++] = 46;
        p = this.putAlpha(buf, p, f, MAIL_B);
        p = putUint(buf, p, D[(s << SLOT_SHIFT) + P_eN]!);
    }
    buf[p++] = 64; // '@'
    return putBytes(buf, p, EMAIL_PROVIDERS_B[D[(s << SLOT_SHIFT) + P_eProv]!]!);
  }

  /**
   * Render slot `s` as one CSV line at `buf[pos]` (see renderNext). The source profile decides
   * formats and which fields are present; a duplicate's character-level operations are applied to
   * each field right after it is written (it is the last thing in the buffer, so it may change length).
   */
  private render(s: number, buf: Uint8Array, pos: number): number {
    const rng = this.rng;
    const D = this.P.d;
    const fs = this.fieldStart;
    const fe = this.fieldEnd;
    const src = SOURCES.sample(rng);
    const cm = rng.float() < src.upperP ? 1 : rng.float() < src.lowerP ? 2 : 0;
    let p = pos;
    let a = p;

    fs[F_RECORD] = p;
    buf[p++] = 114; // 'r'
    p = putUint(buf, p, this.emitted + 1);
    fe[F_RECORD] = p;
    buf[p++] = 44;

    fs[F_ENTITY] = p;
    buf[p++] = 101; // 'e'
    p = putUint(buf, p, D[(s << SLOT_SHIFT) + P_entity]!);
    fe[F_ENTITY] = p;
    buf[p++] = 44;

    fs[F_SOURCE] = p;
    p = putBytes(buf, p, src.bytes);
    fe[F_SOURCE] = p;
    buf[p++] = 44;

    fs[F_GIVEN] = a = p;
    p = this.givenS !== null ? this.putStr(buf, p, this.givenS) : this.putWord(buf, p, D[(s << SLOT_SHIFT) + P_given]!);
    if (cm !== 0) caseRange(buf, a, p, cm);
    if ((this.opMask & (1 << F_GIVEN)) !== 0) p = this.fieldOps(buf, a, p, F_GIVEN);
    fe[F_GIVEN] = p;
    buf[p++] = 44;

    fs[F_MIDDLE] = a = p;
    const mid = D[(s << SLOT_SHIFT) + P_middle]!;
    if (mid >= 0) {
      const u = rng.float();
      if (u < src.middleFullP) {
        if (D[(s << SLOT_SHIFT) + P_middleInit] === 0) p = this.putWord(buf, p, mid);
        else buf[p++] = this.cells[(mid << this.shift) + 1]!;
      } else if (u < src.middleFullP + src.middleInitialP) buf[p++] = this.cells[(mid << this.shift) + 1]!;
      if (cm !== 0) caseRange(buf, a, p, cm);
    }
    if ((this.opMask & (1 << F_MIDDLE)) !== 0) p = this.fieldOps(buf, a, p, F_MIDDLE);
    fe[F_MIDDLE] = p;
    buf[p++] = 44;

    fs[F_FAMILY] = a = p;
    p = this.familyS !== null ? this.putStr(buf, p, this.familyS) : this.putWord(buf, p, D[(s << SLOT_SHIFT) + P_family]!);
    if (cm !== 0) caseRange(buf, a, p, cm);
    if ((this.opMask & (1 << F_FAMILY)) !== 0) p = this.fieldOps(buf, a, p, F_FAMILY);
    fe[F_FAMILY] = p;
    buf[p++] = 44;

    fs[F_DOB] = a = p;
    if (rng.float() < src.dobP) {
      const y = D[(s << SLOT_SHIFT) + P_dobY]!;
      const f = src.dobFormat;
      if (f === DOB_US) {
        p = putPad(buf, p, D[(s << SLOT_SHIFT) + P_dobM]!, 2);
        buf[p++] = 47;
        p = putPad(buf, p, D[(s << SLOT_SHIFT) + P_dobD]!, 2);
        buf[p++] = 47;
        p = y >= 0 && y < 10000 ? putPad(buf, p, y, 4) : putUint(buf, p, y);
      } else {
        p = y >= 0 && y < 10000 ? putPad(buf, p, y, 4) : putUint(buf, p, y);
        if (f === DOB_ISO) buf[p++] = 45;
        p = putPad(buf, p, D[(s << SLOT_SHIFT) + P_dobM]!, 2);
        if (f === DOB_ISO) buf[p++] = 45;
        p = putPad(buf, p, D[(s << SLOT_SHIFT) + P_dobD]!, 2);
      }
    }
    if ((this.opMask & (1 << F_DOB)) !== 0) p = this.fieldOps(buf, a, p, F_DOB);
    fe[F_DOB] = p;
    buf[p++] = 44;

    fs[F_GENDER] = a = p;
    if (rng.float() < src.genderP) {
      const female = D[(s << SLOT_SHIFT) + P_female] === 1;
      if (src.genderWords) p = putBytes(buf, p, female ? FEMALE_B : MALE_B);
      else buf[p++] = female ? 70 : 77;
    }
    if ((this.opMask & (1 << F_GENDER)) !== 0) p = this.fieldOps(buf, a, p, F_GENDER);
    fe[F_GENDER] = p;
    buf[p++] = 44;

    fs[F_SSN] = a = p;
    if (rng.float() < src.ssnP) {
      const v = D[(s << SLOT_SHIFT) + P_ssn]!;
      if (rng.float() < src.ssnDashP) {
        const area = Math.floor(v / 1_000_000);
        const rest = v - area * 1_000_000;
        const group = Math.floor(rest / 10_000);
        p = putPad(buf, p, area, 3);
        buf[p++] = 45;
        p = putPad(buf, p, group, 2);
        buf[p++] = 45;
        p = putPad(buf, p, rest - group * 10_000, 4);
      } else p = putPad(buf, p, v, 9);
    }
    if ((this.opMask & (1 << F_SSN)) !== 0) p = this.fieldOps(buf, a, p, F_SSN);
    fe[F_SSN] = p;
    buf[p++] = 44;

    fs[F_PHONE] = a = p;
    if (rng.float() < src.phoneP) {
      const hi = D[(s << SLOT_SHIFT) + P_phoneHi]!;
      const area = Math.floor(hi / 1000);
      const nxx = hi - area * 1000;
      const line = D[(s << SLOT_SHIFT) + P_phoneLo]!;
      switch (src.phoneFormat) {
        case PHONE_PAREN:
          buf[p++] = 40;
          p = putPad(buf, p, area, 3);
          buf[p++] = 41;
          buf[p++] = 32;
          p = putPad(buf, p, nxx, 3);
          buf[p++] = 45;
          break;
        case PHONE_DASH:
          p = putPad(buf, p, area, 3);
          buf[p++] = 45;
          p = putPad(buf, p, nxx, 3);
          buf[p++] = 45;
          break;
        case PHONE_DOT:
          p = putPad(buf, p, area, 3);
          buf[p++] = 46;
          p = putPad(buf, p, nxx, 3);
          buf[p++] = 46;
          break;
        case PHONE_INTL:
          buf[p++] = 43;
          buf[p++] = 49;
          buf[p++] = 32;
          p = putPad(buf, p, area, 3);
          buf[p++] = 32;
          p = putPad(buf, p, nxx, 3);
          buf[p++] = 32;
          break;
        default:
          p = putPad(buf, p, hi, 6);
      }
      p = putPad(buf, p, line, 4);
    }
    if ((this.opMask & (1 << F_PHONE)) !== 0) p = this.fieldOps(buf, a, p, F_PHONE);
    fe[F_PHONE] = p;
    buf[p++] = 44;

    fs[F_EMAIL] = a = p;
    const pat = D[(s << SLOT_SHIFT) + P_ePat]!;
    if (pat !== NO_EMAIL && rng.float() < src.emailP) {
      p = pat === EMAIL_STRING ? this.putStr(buf, p, this.emailS) : this.putEmail(buf, p, s, pat);
      if (cm === 1 && rng.float() < 0.3) caseRange(buf, a, p, 1);
    }
    if ((this.opMask & (1 << F_EMAIL)) !== 0) p = this.fieldOps(buf, a, p, F_EMAIL);
    fe[F_EMAIL] = p;
    buf[p++] = 44;

    const full = rng.float() < src.streetTypeFullP;
    const folded = rng.float() < src.numberInLine1P;
    const house = D[(s << SLOT_SHIFT) + P_house]!;

    fs[F_HOUSE] = a = p;
    if (!folded) p = putUint(buf, p, house);
    if ((this.opMask & (1 << F_HOUSE)) !== 0) p = this.fieldOps(buf, a, p, F_HOUSE);
    fe[F_HOUSE] = p;
    buf[p++] = 44;

    fs[F_LINE1] = a = p;
    if (folded) {
      p = putUint(buf, p, house);
      buf[p++] = 32;
    }
    const dir = D[(s << SLOT_SHIFT) + P_predir]!;
    if (dir >= 0) {
      p = putBytes(buf, p, (full ? DIRECTIONS_FULL_B : DIRECTIONS_B)[dir]!);
      buf[p++] = 32;
    }
    p = this.putWord(buf, p, D[(s << SLOT_SHIFT) + P_street]!);
    buf[p++] = 32;
    p = putBytes(buf, p, (full ? STYPE_FULL_B : STYPE_SHORT_B)[D[(s << SLOT_SHIFT) + P_stype]!]!);
    if (cm !== 0) caseRange(buf, a, p, cm);
    if ((this.opMask & (1 << F_LINE1)) !== 0) p = this.fieldOps(buf, a, p, F_LINE1);
    fe[F_LINE1] = p;
    buf[p++] = 44;

    fs[F_LINE2] = a = p;
    const unit = D[(s << SLOT_SHIFT) + P_unitKind]!;
    if (unit !== 0) {
      const num = D[(s << SLOT_SHIFT) + P_unitNum]!;
      switch (unit) {
        case UNIT_UNIT:
          p = putBytes(buf, p, UNIT_B);
          break;
        case UNIT_HASH:
          p = putBytes(buf, p, HASH_B);
          break;
        case UNIT_STE:
          p = putBytes(buf, p, STE_B);
          break;
        default:
          p = putBytes(buf, p, APT_B);
      }
      p = putUint(buf, p, num);
      if (unit === UNIT_APT_LETTER) buf[p++] = 65 + D[(s << SLOT_SHIFT) + P_unitLetter]!;
      else if (unit === UNIT_REAR) {
        p = putBytes(buf, p, REAR_B);
        this.special = true; // the comma
      }
      if (cm !== 0) caseRange(buf, a, p, cm);
    }
    if ((this.opMask & (1 << F_LINE2)) !== 0) p = this.fieldOps(buf, a, p, F_LINE2);
    fe[F_LINE2] = p;
    buf[p++] = 44;

    const zip = D[(s << SLOT_SHIFT) + P_zip]!;
    fs[F_CITY] = a = p;
    // ZIP cell: 5 digits, 2 state letters, city length, city.
    const zc = this.zipCells;
    const zo = zip << this.zipShift;
    const cityLen = zc[zo + 7]!;
    for (let i = 0; i < cityLen; i++) buf[p + i] = zc[zo + 8 + i]!;
    p += cityLen;
    if (cm === 1) caseRange(buf, a, p, 1);
    if ((this.opMask & (1 << F_CITY)) !== 0) p = this.fieldOps(buf, a, p, F_CITY);
    fe[F_CITY] = p;
    buf[p++] = 44;

    fs[F_STATE] = p;
    buf[p++] = zc[zo + 5]!;
    buf[p++] = zc[zo + 6]!;
    fe[F_STATE] = p;
    buf[p++] = 44;

    fs[F_POSTCODE] = a = p;
    for (let i = 0; i < 5; i++) buf[p + i] = zc[zo + i]!;
    p += 5;
    if ((this.opMask & (1 << F_POSTCODE)) !== 0) p = this.fieldOps(buf, a, p, F_POSTCODE);
    fe[F_POSTCODE] = p;
    buf[p++] = 44;

    fs[F_COUNTRY] = p;
    buf[p++] = 85; // 'U'
    buf[p++] = 83; // 'S'
    fe[F_COUNTRY] = p;
    buf[p++] = 10;
    return p;
  }

  /** Apply the duplicate's character-level operations on column `f` (bytes buf[a, end)); returns the new end. */
  private fieldOps(buf: Uint8Array, a: number, end: number, f: number): number {
    const rng = this.rng;
    for (let i = 0; i < this.nOps; i++) {
      if (this.opField[i] !== f) continue;
      // Common damage is done on the bytes in place; the rest goes through a string.
      switch (this.opCode[i]) {
        case OP_TYPO:
          end = typoBytes(rng, buf, a, end, end);
          continue;
        case OP_DIGIT_TYPO:
          digitTypoBytes(rng, buf, a, end);
          continue;
        case OP_DIGIT_TRANSPOSE:
          digitTransposeBytes(rng, buf, a, end);
          continue;
        case OP_ZIP_TYPO:
          if (rng.chance(0.5)) digitTypoBytes(rng, buf, a, end);
          else digitTransposeBytes(rng, buf, a, end);
          continue;
        case OP_MISSING:
          end = a;
          continue;
        case OP_ADDRESS_TYPO:
          if (f === F_HOUSE) {
            if (end === a) {
              // No house number (folded into the street line, or dropped): damage the street line.
              this.opField[i] = F_LINE1;
              this.opMask |= 1 << F_LINE1;
            } else digitTypoBytes(rng, buf, a, end);
          } else end = typoBytes(rng, buf, a, end, end);
          continue;
        case OP_EMAIL_TYPO: {
          let at = a;
          while (at < end && buf[at] !== 64) at++;
          if (at < end && at - a > 1) {
            end = rng.chance(0.7) ? typoBytes(rng, buf, a, at, end) : typoBytes(rng, buf, at + 1, end, end);
          }
          continue;
        }
        default:
          break;
      }
      let s = '';
      for (let k = a; k < end; k++) s += String.fromCharCode(buf[k]!);
      switch (this.opCode[i]) {
        case OP_PHONETIC:
          s = phonetic(rng, s);
          break;
        case OP_NICKNAME_QUOTED: {
          const nick = this.bt.nick;
          const x = nick.start[this.baseGiven]!;
          const y = nick.start[this.baseGiven + 1]!;
          if (y > x && s) s = `${s} "${this.lex.words[nick.list[x + rng.int(y - x)]!] as string}"`;
          else s = typo(rng, s);
          break;
        }
        case OP_OCR:
          s = ocr(rng, s);
          break;
        default:
          break;
      }
      end = this.putStr(buf, a, s);
    }
    return end;
  }

  /** A corrupted further record of slot `e`: semantic changes on a copy (slot CUR), then rendering with damage. */
  private duplicate(e: number, buf: Uint8Array, pos: number): number {
    const rng = this.rng;
    const D = this.P.d;
    const bt = this.bt;
    const nOps = OPS_PER_DUP.sample(rng);
    let mask = 0;
    for (let i = 0; i < nOps; i++) {
      const k = OPS.sampleIndex(rng);
      const op = OP_CODE[k]!;
      let field = OP_TARGET[k]!;
      if (field === F_RANDOM_OCR) field = OCR_FIELDS[rng.int(OCR_FIELDS.length)]!;
      else if (field === F_RANDOM_MISSING) field = MISSABLE[rng.int(MISSABLE.length)]!;
      else if (field === F_HOUSE_OR_LINE1) field = rng.chance(0.5) ? F_HOUSE : F_LINE1;
      this.opCode[i] = op;
      this.opField[i] = field;
      if (field >= 0) mask |= 1 << field;
    }
    this.P.copy(e, CUR);
    this.baseGiven = D[(e << SLOT_SHIFT) + P_given]!;
    this.baseFamily = D[(e << SLOT_SHIFT) + P_family]!;
    this.givenS = null;
    this.familyS = null;
    // Phase 1: semantic changes on the copy.
    for (let i = 0; i < nOps; i++) {
      switch (this.opCode[i]) {
        case OP_NICKNAME: {
          const gid = this.givenS === null ? D[(CUR << SLOT_SHIFT) + P_given]! : this.lex.idOf(this.givenS);
          const nick = bt.nick;
          const formal = bt.formal;
          const n0 = gid >= 0 ? nick.start[gid]! : 0;
          const n1 = gid >= 0 ? nick.start[gid + 1]! : 0;
          const f0 = gid >= 0 ? formal.start[gid]! : 0;
          const f1 = gid >= 0 ? formal.start[gid + 1]! : 0;
          if (n1 > n0) {
            D[(CUR << SLOT_SHIFT) + P_given] = nick.list[n0 + rng.int(n1 - n0)]!;
            this.givenS = null;
          } else if (f1 > f0) {
            D[(CUR << SLOT_SHIFT) + P_given] = formal.list[f0 + rng.int(f1 - f0)]!;
            this.givenS = null;
          } else this.givenS = typo(rng, this.givenString(CUR));
          break;
        }
        case OP_SWAP_NAMES: {
          const g = D[(CUR << SLOT_SHIFT) + P_given]!;
          const gs = this.givenS;
          D[(CUR << SLOT_SHIFT) + P_given] = D[(CUR << SLOT_SHIFT) + P_family]!;
          this.givenS = this.familyS;
          D[(CUR << SLOT_SHIFT) + P_family] = g;
          this.familyS = gs;
          break;
        }
        case OP_MIDDLE_INITIAL:
          D[(CUR << SLOT_SHIFT) + P_middleInit] = 1;
          break;
        case OP_DROP_MIDDLE:
          D[(CUR << SLOT_SHIFT) + P_middle] = -1;
          break;
        case OP_DOB_SWAP_DM: {
          const y = D[(CUR << SLOT_SHIFT) + P_dobY]!;
          const m = D[(CUR << SLOT_SHIFT) + P_dobM]!;
          const d = D[(CUR << SLOT_SHIFT) + P_dobD]!;
          this.P.setDob(CUR, d <= 12 && d !== m ? daysFromCivil(y, d, m) : this.dobTypo(D[(CUR << SLOT_SHIFT) + P_dobDays]!));
          break;
        }
        case OP_DOB_TYPO:
          this.P.setDob(CUR, this.dobTypo(D[(CUR << SLOT_SHIFT) + P_dobDays]!));
          break;
        case OP_MOVED: {
          const nz = bt.zipArea.length;
          const same = rng.chance(0.7) ? bt.zipsOfState[bt.zipStateIdx[D[(CUR << SLOT_SHIFT) + P_zip]!]!] : undefined;
          this.newAddress(CUR, same ? same[rng.int(same.length)]! : rng.int(nz));
          if (rng.chance(0.4)) this.newPhone(CUR, bt.zipArea[D[(CUR << SLOT_SHIFT) + P_zip]!]!);
          break;
        }
        case OP_NEW_PHONE:
          this.newPhone(CUR, bt.zipArea[rng.chance(0.6) ? D[(CUR << SLOT_SHIFT) + P_zip]! : rng.int(bt.zipArea.length)]!);
          break;
        case OP_EMAIL_CHANGE:
          if (D[(CUR << SLOT_SHIFT) + P_age]! >= 13) this.makeEmail(CUR);
          else D[(CUR << SLOT_SHIFT) + P_ePat] = NO_EMAIL;
          break;
        case OP_SURNAME_CHANGE:
          if (D[(CUR << SLOT_SHIFT) + P_female] === 1 && D[(CUR << SLOT_SHIFT) + P_age]! >= 20) {
            const other = this.surname();
            if (rng.chance(0.3)) this.familyS = `${this.lex.words[this.baseFamily] as string}-${this.lex.words[other] as string}`;
            else {
              D[(CUR << SLOT_SHIFT) + P_family] = other;
              this.familyS = null;
            }
          } else this.familyS = typo(rng, this.familyString(CUR));
          break;
        case OP_UNIT_CHANGE:
          if (D[(CUR << SLOT_SHIFT) + P_unitKind] !== 0) D[(CUR << SLOT_SHIFT) + P_unitKind] = 0;
          else this.newUnit(CUR);
          break;
        default:
          break;
      }
    }
    // Phase 2 happens field by field while rendering.
    this.nOps = nOps;
    this.opMask = mask;
    const end = this.render(CUR, buf, pos);
    this.nOps = 0;
    this.opMask = 0;
    this.givenS = null;
    this.familyS = null;
    return end;
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

/** Create a generator; iterate it (sync) or call nextRecord() until null. */
export function createGenerator(opts: GeneratorOptions): SyntheticGenerator {
  return new SyntheticGenerator(opts);
}
