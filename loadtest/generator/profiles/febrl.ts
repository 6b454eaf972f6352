/**
 * febrl-like: records in the shape of the FEBRL data sets (Christen's dsgen): lower-case Australian
 * person records, one original and up to five duplicates per person, each duplicate with 1-4
 * FEBRL-style modifications (at most 2 per field): keyboard typos, OCR confusions, phonetic
 * misspellings, missing values, digit errors, day/month swaps and swapped given name / surname.
 */
import { readFileSync } from 'node:fs';
import { AliasTable, type Rng } from '../rng.js';
import { digitTranspose, digitTypo, ocr, phonetic, typo } from '../corrupt.js';
import { pad2, randomDate, readProfileTsv, zipfWeights, type ProfileDef, type ProfileEntity } from './common.js';

export const FEBRL_COLUMNS = [
  'given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'soc_sec_id',
] as const;
const C = Object.fromEntries(FEBRL_COLUMNS.map((c, i) => [c, i])) as Record<(typeof FEBRL_COLUMNS)[number], number>;

export const FEBRL_MAX_DUPLICATES = 5;
/** Probability that an original gets duplicates. */
export const FEBRL_DUP_P = 0.5;

interface Tables {
  female: AliasTable<string>;
  male: AliasTable<string>;
  surnames: AliasTable<string>;
  suburbs: AliasTable<{ suburb: string; postcode: string; state: string }>;
  streets: string[];
  address2: string[];
  dups: AliasTable<number>;
}
let cached: Tables | undefined;

/** The US Census name tables of the main generator (data/*.tsv), lower-cased: FEBRL's names are mostly anglophone too. */
function censusNames(file: string): AliasTable<string> {
  const rows = readFileSync(new URL(`../data/${file}`, import.meta.url), 'utf8').split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split('\t'));
  return new AliasTable(rows.map((r) => (r[0] as string).toLowerCase()), rows.map((r) => Number(r[1])));
}

function loadFebrlTables(): Tables {
  if (cached) return cached;
  const sub = readProfileTsv('au_suburbs.tsv').map((r) => ({ suburb: r[0] as string, postcode: r[1] as string, state: r[2] as string, w: Number(r[3]) }));
  cached = {
    female: censusNames('given_female.tsv'),
    male: censusNames('given_male.tsv'),
    surnames: censusNames('surnames.tsv'),
    suburbs: new AliasTable(sub.map(({ suburb, postcode, state }) => ({ suburb, postcode, state })), sub.map((s) => s.w)),
    streets: readProfileTsv('au_streets.tsv').map((r) => r[0] as string),
    address2: readProfileTsv('au_address2.tsv').map((r) => r[0] as string),
    dups: new AliasTable(Array.from({ length: FEBRL_MAX_DUPLICATES }, (_, i) => i + 1), zipfWeights(FEBRL_MAX_DUPLICATES, 1)),
  };
  return cached;
}

const STREET_TYPES = ['street', 'road', 'avenue', 'place', 'crescent', 'circuit', 'close', 'drive', 'court', 'parade'];
const STATES = ['nsw', 'vic', 'qld', 'sa', 'wa', 'tas', 'act', 'nt'];

/** Field weights for choosing what to modify in a duplicate. */
const FIELD_WEIGHTS = new AliasTable(
  [C.given_name, C.surname, C.street_number, C.address_1, C.address_2, C.suburb, C.postcode, C.state, C.date_of_birth, C.soc_sec_id],
  [20, 20, 8, 12, 6, 10, 8, 3, 10, 8],
);

function modify(rng: Rng, row: string[], f: number): void {
  const v = row[f] as string;
  const missing = (p: number): boolean => {
    if (rng.chance(p)) { row[f] = ''; return true; }
    return false;
  };
  if (v === '') {
    // Nothing to corrupt: FEBRL would pick another field; a missing value stays missing.
    return;
  }
  if (f === C.given_name || f === C.surname || f === C.address_1 || f === C.address_2 || f === C.suburb) {
    if (missing(f === C.address_2 ? 0.4 : 0.12)) return;
    const u = rng.float();
    if (u < 0.6) row[f] = typo(rng, v);
    else if (u < 0.75) row[f] = ocr(rng, v);
    else if (u < 0.9 && (f === C.given_name || f === C.surname)) row[f] = phonetic(rng, v);
    else if (f === C.address_1 && v.includes(' ')) {
      // Street type abbreviated or dropped.
      const parts = v.split(' ');
      const last = parts.pop() as string;
      row[f] = rng.chance(0.5) ? `${parts.join(' ')} ${last.slice(0, 2)}` : parts.join(' ');
    } else row[f] = typo(rng, v);
  } else if (f === C.date_of_birth) {
    if (missing(0.12)) return;
    const y = v.slice(0, 4), m = v.slice(4, 6), d = v.slice(6, 8);
    const u = rng.float();
    if (u < 0.3 && Number(d) <= 12 && d !== m) row[f] = `${y}${d}${m}`;
    else if (u < 0.8) row[f] = digitTypo(rng, v);
    else row[f] = digitTranspose(rng, v);
  } else if (f === C.state) {
    if (missing(0.5)) return;
    row[f] = STATES[rng.int(STATES.length)] as string;
  } else {
    if (missing(0.15)) return;
    row[f] = rng.chance(0.7) ? digitTypo(rng, v) : digitTranspose(rng, v);
  }
}

export const febrlLike: ProfileDef = {
  name: 'febrl-like',
  columns: FEBRL_COLUMNS,
  mapping: {
    given_name: 'given_name', family_name: 'surname', house_number: 'street_number', address_line1: 'address_1',
    address_line2: 'address_2', city: 'suburb', postcode: 'postcode', state: 'state', dob: 'date_of_birth', ssn: 'soc_sec_id',
  },
  standardize: { defaultCountry: 'AU', dateLocale: 'EU' },
  start(rng: Rng) {
    const t = loadFebrlTables();
    return (): ProfileEntity => {
      const female = rng.chance(0.5);
      const place = t.suburbs.sample(rng);
      const [y, m, d] = randomDate(rng, 1920, 2005);
      const original = [
        (female ? t.female : t.male).sample(rng),
        t.surnames.sample(rng),
        rng.chance(0.9) ? String(rng.chance(0.8) ? rng.range(1, 99) : rng.range(100, 999)) : '',
        `${rng.pick(t.streets)} ${rng.pick(STREET_TYPES)}`,
        rng.chance(0.4) ? rng.pick(t.address2) : '',
        place.suburb,
        place.postcode,
        place.state,
        `${y}${pad2(m)}${pad2(d)}`,
        String(rng.range(1_000_000, 9_999_999)),
      ];
      // A few values missing in the original too (FEBRL originals are not complete either).
      for (let f = 0; f < original.length; f++) if (f !== C.given_name && f !== C.surname && rng.chance(0.03)) original[f] = '';
      const rows = [original];
      if (rng.chance(FEBRL_DUP_P)) {
        const n = t.dups.sample(rng);
        for (let k = 0; k < n; k++) {
          const dup = original.slice();
          const mods = 1 + (rng.chance(0.4) ? 0 : rng.chance(0.5) ? 1 : rng.chance(0.6) ? 2 : 3);
          const perField = new Map<number, number>();
          let done = 0;
          if (rng.chance(0.05)) {
            // Swapped given name and surname.
            [dup[C.given_name], dup[C.surname]] = [dup[C.surname] as string, dup[C.given_name] as string];
            done++;
          }
          for (let tries = 0; done < mods && tries < 20; tries++) {
            const f = FIELD_WEIGHTS.sample(rng);
            if ((perField.get(f) ?? 0) >= 2 || dup[f] === '') continue;
            perField.set(f, (perField.get(f) ?? 0) + 1);
            modify(rng, dup, f);
            done++;
          }
          rows.push(dup);
        }
      }
      return { rows };
    };
  },
};
