/**
 * civil-register-de: a German civil register. Upper-case names from German frequency tables (Zipf-like
 * given names, a real head of family names plus a synthetic compound long tail), diacritics written in
 * one of three ways per person (MÜLLER / MUELLER / MULLER, STRAUß / STRAUSS), birth date in three columns.
 * About 10% of persons have exactly one duplicate, and each duplicate differs from its original by
 * exactly ONE error in ONE field (the birth date counts as one field: a day/month swap is one error).
 * Many different persons share the common names; only the birth date tells them apart.
 */
import { AliasTable, type Rng } from '../rng.js';
import { typo, ocr } from '../corrupt.js';
import { isValidDate, randomDate, readProfileTsv, type ProfileDef, type ProfileEntity } from './common.js';

export const REGISTER_COLUMNS = [
  'first_given_name', 'second_given_name', 'first_family_name', 'second_family_name',
  'birth_year', 'birth_month', 'birth_day', 'birthplace', 'postcode',
] as const;
const C = Object.fromEntries(REGISTER_COLUMNS.map((c, i) => [c, i])) as Record<(typeof REGISTER_COLUMNS)[number], number>;

/** Fields in the one-error sense: each column, except that the three birth-date columns are one field. */
export function registerFieldOf(column: string): string {
  return column.startsWith('birth_') && column !== 'birthplace' ? 'birth_date' : column;
}

/** Probability that a person has a duplicate (exactly one). */
export const REGISTER_DUP_P = 0.1;

interface Tables {
  female: AliasTable<string>;
  male: AliasTable<string>;
  surnames: AliasTable<string>;
  places: AliasTable<{ name: string; from: number; to: number }>;
}

let cached: Tables | undefined;

/** Synthetic long tail of German compound family names (Steinhauer, Birkenfeld, ...), Zipf-weighted. */
const TAIL_A = ['Stein', 'Berg', 'Wald', 'Feld', 'Holz', 'Eich', 'Birken', 'Linden', 'Rosen', 'Kirch', 'Brunn', 'Hart', 'Alt', 'Neu', 'Gross', 'Klein', 'Ober', 'Unter', 'Kamp', 'Mühl', 'Bach', 'Thal', 'Hoch', 'Lieb', 'Wein', 'Korn', 'Sonnen', 'Buch', 'Tann', 'Fels', 'Rein', 'Stock', 'Haber', 'Brand', 'Diet', 'Eng', 'Gold', 'Silber', 'Eisen', 'Kupfer'];
const TAIL_B = ['mann', 'er', 'hauer', 'berger', 'feld', 'hofer', 'meier', 'bach', 'ner', 'inger', 'ke', 'rich', 'hardt', 'wald', 'hagen', 'horst', 'beck', 'schmidt', 'kamp', 'brink'];

function loadRegisterTables(): Tables {
  if (cached) return cached;
  const names = (file: string): AliasTable<string> => {
    const rows = readProfileTsv(file);
    return new AliasTable(rows.map((r) => r[0] as string), rows.map((r) => Number(r[1])));
  };
  const head = readProfileTsv('de_surnames.tsv');
  const headMass = head.reduce((s, r) => s + Number(r[1]), 0);
  const tail: string[] = [];
  for (const a of TAIL_A) for (const b of TAIL_B) tail.push(a + b);
  // Interleave so Zipf rank does not follow the alphabet of the first part.
  tail.sort((x, y) => hash(x) - hash(y));
  const tailW = tail.map((_, i) => 1 / (i + 150) ** 1.05);
  const tailSum = tailW.reduce((s, w) => s + w, 0);
  // The head (about 120 real names) carries 40% of the people, the compound tail 60%.
  const scale = (headMass * 1.5) / tailSum;
  const surnames = new AliasTable(
    [...head.map((r) => r[0] as string), ...tail],
    [...head.map((r) => Number(r[1])), ...tailW.map((w) => w * scale)],
  );
  const placeRows = readProfileTsv('de_places.tsv').map((r) => ({ name: r[0] as string, w: Number(r[1]), from: Number(r[2]), to: Number(r[3]) }));
  cached = {
    female: names('de_given_female.tsv'),
    male: names('de_given_male.tsv'),
    surnames,
    places: new AliasTable(placeRows, placeRows.map((p) => p.w)),
  };
  return cached;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** 0 = native (MÜLLER, STRAUß), 1 = e-transliteration (MUELLER, STRAUSS), 2 = stripped (MULLER, STRAUSS). */
export type Style = 0 | 1 | 2;

export function renderDe(s: string, style: Style): string {
  const up = upper(s);
  if (style === 0) return up;
  if (style === 1) return up.replace(/Ä/g, 'AE').replace(/Ö/g, 'OE').replace(/Ü/g, 'UE').replace(/ß/g, 'SS');
  return up.replace(/Ä/g, 'A').replace(/Ö/g, 'O').replace(/Ü/g, 'U').replace(/ß/g, 'SS');
}

/** Upper case keeping ß (String.toUpperCase would turn it into SS). */
const upper = (s: string): string => s.replace(/ß/g, '\u0000').toUpperCase().replace(/\u0000/g, 'ß');
/** A keyboard typo in an upper-case value (corrupt.typo may insert a lower-case letter). */
const typoU = (rng: Rng, s: string): string => upper(typo(rng, s));

const hasDiacritic = (s: string): boolean => /[äöüßÄÖÜ]/.test(s);

function pickStyle(rng: Rng): Style {
  const u = rng.float();
  return u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
}

interface Person {
  g1: string; g2: string; f1: string; f2: string;
  y: number; m: number; d: number;
  birthplace: string; postcode: string; style: Style;
}

function render(p: Person): string[] {
  return [
    renderDe(p.g1, p.style), p.g2 ? renderDe(p.g2, p.style) : '', renderDe(p.f1, p.style), p.f2 ? renderDe(p.f2, p.style) : '',
    String(p.y), String(p.m), String(p.d), p.birthplace ? renderDe(p.birthplace, p.style) : '', p.postcode,
  ];
}

type ErrorKind =
  | 'typo_g1' | 'typo_f1' | 'typo_g2' | 'typo_f2' | 'translit_g1' | 'translit_f1' | 'swap_day_month' | 'year_digit'
  | 'day_digit' | 'month_typo' | 'drop_g2' | 'drop_f2' | 'drop_birthplace' | 'typo_birthplace' | 'postcode_digit' | 'ocr_f1';

const ERROR_WEIGHTS: ReadonlyArray<readonly [ErrorKind, number]> = [
  ['typo_g1', 12], ['typo_f1', 12], ['typo_g2', 3], ['typo_f2', 2], ['translit_g1', 4], ['translit_f1', 12],
  ['swap_day_month', 8], ['year_digit', 8], ['day_digit', 4], ['month_typo', 3], ['drop_g2', 6], ['drop_f2', 3],
  ['drop_birthplace', 3], ['typo_birthplace', 2], ['postcode_digit', 4], ['ocr_f1', 2],
];
const ERRORS = new AliasTable(ERROR_WEIGHTS.map((e) => e[0]), ERROR_WEIGHTS.map((e) => e[1]));
/** Errors in the place columns, which the names-and-dates register does not have. */
const PLACE_ERRORS: ReadonlySet<ErrorKind> = new Set(['drop_birthplace', 'typo_birthplace', 'postcode_digit']);

/** Apply one error of kind `k` to a copy of the original row; null when the kind does not apply. */
function applyError(rng: Rng, p: Person, row: readonly string[], k: ErrorKind): string[] | null {
  const out = row.slice();
  const otherStyle = (s: Style): Style => ((s + 1 + rng.int(2)) % 3) as Style;
  switch (k) {
    case 'typo_g1': out[C.first_given_name] = typoU(rng, row[C.first_given_name] as string); break;
    case 'typo_f1': out[C.first_family_name] = typoU(rng, row[C.first_family_name] as string); break;
    case 'ocr_f1': out[C.first_family_name] = ocr(rng, row[C.first_family_name] as string); break;
    case 'typo_g2': if (!p.g2) return null; out[C.second_given_name] = typoU(rng, row[C.second_given_name] as string); break;
    case 'typo_f2': if (!p.f2) return null; out[C.second_family_name] = typoU(rng, row[C.second_family_name] as string); break;
    case 'translit_g1': if (!hasDiacritic(p.g1)) return null; out[C.first_given_name] = renderDe(p.g1, otherStyle(p.style)); break;
    case 'translit_f1': if (!hasDiacritic(p.f1)) return null; out[C.first_family_name] = renderDe(p.f1, otherStyle(p.style)); break;
    case 'swap_day_month':
      if (p.d > 12 || p.d === p.m) return null;
      out[C.birth_month] = String(p.d);
      out[C.birth_day] = String(p.m);
      break;
    case 'year_digit': {
      // One digit of the year mistyped (last or second-to-last digit), still a plausible year.
      const ys = String(p.y);
      const pos = rng.chance(0.7) ? 3 : 2;
      const digit = (Number(ys[pos]) + 1 + rng.int(9)) % 10;
      const y = Number(ys.slice(0, pos) + String(digit) + ys.slice(pos + 1));
      if (y > 2010 || !isValidDate(y, p.m, p.d)) return null;
      out[C.birth_year] = String(y);
      break;
    }
    case 'day_digit': {
      const ds = String(p.d);
      const d = ds.length === 2 && rng.chance(0.5) ? Number(`${(Number(ds[0]) + 1 + rng.int(2)) % 4}${ds[1]}`) : p.d + (rng.chance(0.5) ? 1 : -1);
      if (d === p.d || !isValidDate(p.y, p.m, d)) return null;
      out[C.birth_day] = String(d);
      break;
    }
    case 'month_typo': {
      const m = p.m + (rng.chance(0.5) ? 1 : -1);
      if (!isValidDate(p.y, m, p.d)) return null;
      out[C.birth_month] = String(m);
      break;
    }
    case 'drop_g2': if (!p.g2) return null; out[C.second_given_name] = ''; break;
    case 'drop_f2': if (!p.f2) return null; out[C.second_family_name] = ''; break;
    case 'drop_birthplace': if (!p.birthplace) return null; out[C.birthplace] = ''; break;
    case 'typo_birthplace': if (!p.birthplace) return null; out[C.birthplace] = typoU(rng, row[C.birthplace] as string); break;
    case 'postcode_digit': {
      if (!p.postcode) return null;
      const i = rng.int(5);
      out[C.postcode] = p.postcode.slice(0, i) + String((Number(p.postcode[i]) + 1 + rng.int(9)) % 10) + p.postcode.slice(i + 1);
      break;
    }
  }
  return out;
}

/** The register's columns without the place columns: given, second given, family, second family name, birth y/m/d. */
export const REGISTER_NAMES_COLUMNS = REGISTER_COLUMNS.filter((c) => c !== 'birthplace' && c !== 'postcode');

/**
 * The register; with `places: false` the same people with names and the birth date only (no birthplace, no
 * postcode: a register extract whose only evidence is who and when), each duplicate's one error among those.
 */
function registerProfile(name: string, places: boolean): ProfileDef {
  const columns = places ? REGISTER_COLUMNS : REGISTER_NAMES_COLUMNS;
  const keep = columns.map((c) => C[c]);
  const mapping: Record<string, string> = {
    given_name: 'first_given_name', middle_name: 'second_given_name', family_name: 'first_family_name',
    dob_year: 'birth_year', dob_month: 'birth_month', dob_day: 'birth_day', second_family_name: 'second_family_name',
    ...(places ? { postcode: 'postcode', birthplace: 'birthplace' } : {}),
  };
  return {
    name,
    columns,
    mapping,
    standardize: { defaultCountry: 'DE', dateLocale: 'EU' },
    start(rng: Rng) {
      const t = loadRegisterTables();
      const project = (row: string[]): string[] => (places ? row : keep.map((i) => row[i] as string));
      return (): ProfileEntity => {
        const female = rng.chance(0.5);
        const given = female ? t.female : t.male;
        const g1 = given.sample(rng);
        let g2 = '';
        if (rng.chance(0.35)) {
          for (let i = 0; i < 5 && (g2 === '' || g2 === g1); i++) g2 = given.sample(rng);
          if (g2 === g1) g2 = '';
        }
        const f1 = t.surnames.sample(rng);
        let f2 = rng.chance(0.1) ? t.surnames.sample(rng) : '';
        if (f2 === f1) f2 = '';
        const [y, m, d] = randomDate(rng, 1935, 2008);
        const home = t.places.sample(rng);
        const postcode = String(rng.range(home.from, home.to)).padStart(5, '0');
        const birthplace = rng.chance(0.85) ? (rng.chance(0.6) ? home.name : t.places.sample(rng).name) : '';
        const p: Person = { g1, g2, f1, f2, y, m, d, birthplace, postcode: rng.chance(0.95) ? postcode : '', style: pickStyle(rng) };
        const row = render(p);
        const original = project(row);
        if (!rng.chance(REGISTER_DUP_P)) return { rows: [original] };
        for (let attempt = 0; attempt < 50; attempt++) {
          const kind = ERRORS.sample(rng);
          if (!places && PLACE_ERRORS.has(kind)) continue;
          const full = applyError(rng, p, row, kind);
          const dup = full && project(full);
          if (dup && dup.some((v, i) => v !== original[i])) return { rows: [original, dup] };
        }
        // Always reachable in practice (typo_f1 applies to every name); keep the person single otherwise.
        return { rows: [original] };
      };
    },
  };
}

export const civilRegisterDe: ProfileDef = registerProfile('civil-register-de', true);
export const civilRegisterDeNames: ProfileDef = registerProfile('civil-register-de-names', false);
