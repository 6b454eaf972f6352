/**
 * historical: sparse person records from German-speaking parish registers and censuses, 1600s-1800s.
 * Persons have skewed, often large clusters (1..20 records, Zipf-like), names are spelled differently
 * across records (Johann / Johannes / Hans, Catharina / Katharina, Schmidt / Schmid / Schmitt), birth
 * dates are often missing (about 45%) or year only, and some records keep only one or two fields.
 */
import { AliasTable, type Rng } from '../rng.js';
import { typo } from '../corrupt.js';
import { pad2, randomDate, readProfileTsv, zipfWeights, type ProfileDef, type ProfileEntity } from './common.js';

export const HISTORICAL_COLUMNS = ['full_name', 'first_name', 'surname', 'birth_date', 'birthplace', 'postcode', 'gender', 'occupation'] as const;

/** Largest number of records of one person. */
export const HISTORICAL_MAX_CLUSTER = 20;
/** P(cluster size = k) proportional to 1/k^HISTORICAL_ZIPF, k = 1..20 (mean about 3.6 records per person). */
export const HISTORICAL_ZIPF = 1.3;

interface Name { name: string; variants: string[] }
interface Tables {
  male: AliasTable<Name>;
  female: AliasTable<Name>;
  surnames: AliasTable<Name>;
  places: AliasTable<{ name: string; postcode: string; variants: string[] }>;
  occM: AliasTable<string>;
  occF: AliasTable<string>;
  size: AliasTable<number>;
}

let cached: Tables | undefined;

function loadHistoricalTables(): Tables {
  if (cached) return cached;
  const variantsOf = (name: string, list: string | undefined): string[] =>
    [...new Set((list ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== name))];
  const given = readProfileTsv('hist_given.tsv').map((r) => ({ name: r[0] as string, sex: r[1], w: Number(r[2]), variants: variantsOf(r[0] as string, r[3]) }));
  const table = (rows: Array<{ name: string; w: number; variants: string[] }>): AliasTable<Name> =>
    new AliasTable(rows.map((r) => ({ name: r.name, variants: r.variants })), rows.map((r) => r.w));
  const surnames = readProfileTsv('hist_surnames.tsv').map((r) => ({ name: r[0] as string, w: Number(r[1]), variants: variantsOf(r[0] as string, r[2]) }));
  const places = readProfileTsv('hist_places.tsv').map((r) => ({ name: r[0] as string, w: Number(r[1]), postcode: r[2] as string, variants: variantsOf(r[0] as string, r[3]) }));
  const occ = readProfileTsv('hist_occupations.tsv').map((r) => ({ o: r[0] as string, sex: r[1], w: Number(r[2]) }));
  const occTable = (sex: string): AliasTable<string> => {
    const rows = occ.filter((o) => o.sex === sex || o.sex === 'x');
    return new AliasTable(rows.map((o) => o.o), rows.map((o) => o.w));
  };
  cached = {
    male: table(given.filter((g) => g.sex === 'm')),
    female: table(given.filter((g) => g.sex === 'f')),
    surnames: table(surnames),
    places: new AliasTable(places.map((p) => ({ name: p.name, postcode: p.postcode, variants: p.variants })), places.map((p) => p.w)),
    occM: occTable('m'),
    occF: occTable('f'),
    size: new AliasTable(Array.from({ length: HISTORICAL_MAX_CLUSTER }, (_, i) => i + 1), zipfWeights(HISTORICAL_MAX_CLUSTER, HISTORICAL_ZIPF)),
  };
  return cached;
}

/** The canonical spelling most of the time, else a variant; now and then a typo on top. */
function spell(rng: Rng, n: Name, canonicalP: number): string {
  const s = n.variants.length > 0 && !rng.chance(canonicalP) ? rng.pick(n.variants) : n.name;
  return rng.chance(0.05) ? typo(rng, s) : s;
}

export const historical: ProfileDef = {
  name: 'historical',
  columns: HISTORICAL_COLUMNS,
  mapping: {
    full_name: 'full_name', given_name: 'first_name', family_name: 'surname', dob: 'birth_date',
    gender: 'gender', postcode: 'postcode', birthplace: 'birthplace', occupation: 'occupation',
  },
  standardize: { defaultCountry: 'DE', dateLocale: 'EU' },
  start(rng: Rng) {
    const t = loadHistoricalTables();
    return (): ProfileEntity => {
      const female = rng.chance(0.5);
      const names = female ? t.female : t.male;
      const g1 = names.sample(rng);
      let g2: Name | undefined = rng.chance(0.45) ? names.sample(rng) : undefined;
      if (g2 && g2.name === g1.name) g2 = undefined;
      const sur = t.surnames.sample(rng);
      const [y, m, d] = randomDate(rng, 1600, 1899);
      const place = t.places.sample(rng);
      const occ = (female ? t.occF : t.occM);
      const occupation = occ.sample(rng);
      const size = t.size.sample(rng);
      const rows: string[][] = [];
      for (let k = 0; k < size; k++) {
        const first = spell(rng, g1, 0.6);
        const middle = g2 && rng.chance(0.6) ? spell(rng, g2, 0.7) : '';
        const surname = spell(rng, sur, 0.65);
        const full = [first, middle, surname].filter(Boolean).join(' ');
        // Name columns: all three, only the full name, or only first name + surname.
        const shape = rng.float();
        let fullName = full;
        let firstName = first;
        let surName = surname;
        if (shape < 0.15) { firstName = ''; surName = ''; } else if (shape < 0.3) fullName = '';
        // Birth date: 45% missing, 15% year only, else full (sometimes a year off by one or a day typo).
        let birth = '';
        const b = rng.float();
        if (b >= 0.45) {
          let yy = y;
          let dd = d;
          if (rng.chance(0.06)) yy += rng.chance(0.5) ? 1 : -1;
          if (rng.chance(0.04) && dd < 28) dd += 1;
          birth = b < 0.6 ? String(yy) : `${yy}-${pad2(m)}-${pad2(dd)}`;
        }
        const birthplace = rng.chance(0.7) ? (place.variants.length > 0 && rng.chance(0.25) ? rng.pick(place.variants) : place.name) : '';
        const postcode = rng.chance(0.5) ? place.postcode : '';
        const gender = rng.chance(0.8) ? (female ? (rng.chance(0.8) ? 'f' : 'female') : (rng.chance(0.8) ? 'm' : 'male')) : '';
        const job = rng.chance(0.5) ? (rng.chance(0.7) ? occupation : occ.sample(rng)) : '';
        let row = [fullName, firstName, surName, birth, birthplace, postcode, gender, job];
        // Sparse records (12%): a name and at most one other field.
        if (rng.chance(0.12)) {
          const keep = 3 + rng.int(5);
          row = row.map((v, i) => (i < 3 || (i === keep && rng.chance(0.7)) ? v : ''));
          if (row[0] === '' && row[1] === '' && row[2] === '') row[0] = full;
        }
        rows.push(row);
      }
      return { rows };
    };
  },
};
