import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileComparison, damerauLevenshtein, DEFAULT_COMPARISONS, FieldIndex, jaroWinkler, standardizeRecord, type ComparisonSpec, type RawFields } from '../src/index.js';

// --- string metrics ---
const jwCases: Array<[string, string, number]> = [
  ['MARTHA', 'MARHTA', 0.9611],
  ['DWAYNE', 'DUANE', 0.84],
  ['DIXON', 'DICKSONX', 0.8133],
  ['SMITH', 'SMITH', 1],
  ['', 'SMITH', 0],
  ['ABC', 'XYZ', 0],
];
for (const [a, b, want] of jwCases) {
  test(`jaroWinkler(${a || "''"}, ${b})`, () => {
    assert.ok(Math.abs(jaroWinkler(a, b) - want) < 1e-3, `got ${jaroWinkler(a, b)}`);
    assert.ok(Math.abs(jaroWinkler(b, a) - want) < 1e-3, 'symmetric');
  });
}

const dlCases: Array<[string, string, number]> = [
  ['19560409', '19560490', 1], // transposition
  ['19560409', '19560419', 1], // substitution
  ['SMITH', 'SMTH', 1],
  ['SMITH', 'SMITHE', 1],
  ['CA', 'ABC', 3], // OSA (not unrestricted DL, which gives 2)
  ['KITTEN', 'SITTING', 3],
  ['', 'ABC', 3],
  ['SAME', 'SAME', 0],
];
for (const [a, b, want] of dlCases) {
  test(`damerauLevenshtein(${a || "''"}, ${b}) = ${want}`, () => {
    assert.equal(damerauLevenshtein(a, b), want);
    assert.equal(damerauLevenshtein(b, a), want);
    assert.equal(damerauLevenshtein(a, b, 1), Math.min(want, 2), 'bounded by max+1');
  });
}

test('damerauLevenshtein handles 10,000-char strings and emoji', () => {
  assert.equal(damerauLevenshtein('a'.repeat(10_000), 'a'.repeat(9_999) + 'b', 2), 1);
  assert.equal(damerauLevenshtein('😀', '😀'), 0);
  assert.ok(jaroWinkler('x'.repeat(10_000), 'x'.repeat(10_000)) === 1);
});

// --- comparison levels (DEFAULT_COMPARISONS) ---
const spec = (name: string): ComparisonSpec => {
  const s = DEFAULT_COMPARISONS.find((c) => c.name === name);
  if (!s) throw new Error(`no comparison ${name}`);
  return s;
};

function levelOf(name: string, a: RawFields, b: RawFields): string {
  const s = spec(name);
  const fields = new FieldIndex();
  const cmp = compileComparison(s, fields);
  const va = fields.prepare(standardizeRecord(a).values);
  const vb = fields.prepare(standardizeRecord(b).values);
  return s.levels[cmp(va, vb)]?.label ?? 'none';
}

const levelCases: Array<[string, RawFields, RawFields, string]> = [
  ['given_name', { given_name: 'John' }, {}, 'null'],
  ['given_name', { given_name: 'John' }, { given_name: 'JOHN' }, 'exact'],
  ['given_name', { given_name: 'Bill' }, { given_name: 'William' }, 'nickname'],
  ['given_name', { given_name: 'Peggy' }, { given_name: 'Margaret' }, 'nickname'],
  ['given_name', { given_name: 'Jonathon' }, { given_name: 'Jonathan' }, 'jw_0.92'],
  ['given_name', { given_name: 'Philip' }, { given_name: 'Filip' }, 'metaphone'],
  ['given_name', { given_name: 'Mohamed' }, { given_name: 'Muhammad' }, 'metaphone'],
  ['given_name', { given_name: 'Smith', family_name: 'John' }, { given_name: 'John', family_name: 'Smith' }, 'swapped'],
  ['given_name', { given_name: 'Emiily', family_name: 'Berry' }, { given_name: 'Berry', family_name: 'Emiioy' }, 'swapped_jw_0.88'],
  ['family_name', { given_name: 'Emiily', family_name: 'Berry' }, { given_name: 'Berry', family_name: 'Emiioy' }, 'swapped_jw_0.88'],
  ['given_name', { given_name: 'Alice' }, { given_name: 'Zbigniew' }, 'else'],
  // Neither equal, nickname, phonetic nor close: a different person (household members, twins).
  ['given_name', { given_name: 'Marie', family_name: 'Greenfield' }, { given_name: 'William', family_name: 'Greenfield' }, 'else'],
  ['given_name', { given_name: '山田' }, { given_name: '田中' }, 'else'],
  ['family_name', { family_name: 'Zbigniewski' }, { family_name: 'Zbigniewsky' }, 'jw_0.92'],
  ['family_name', { family_name: 'Smith' }, { family_name: 'Smyth' }, 'metaphone'],
  // A record with only a full name compares like one with the separate name fields.
  ['given_name', { full_name: 'Dr. Anna-Lena Meyer-Schulz' }, { given_name: 'Anna-Lena', family_name: 'Meyer-Schulz' }, 'exact'],
  ['family_name', { full_name: 'Dr. Anna-Lena Meyer-Schulz' }, { given_name: 'Anna-Lena', family_name: 'Meyer-Schulz' }, 'exact'],
  ['family_name', { full_name: 'SCHMIDT, Johann Georg' }, { full_name: 'Johann Georg Schmidt' }, 'exact'],
  ['family_name', { family_name: 'Mueller' }, { family_name: 'Müller' }, 'transliterated'],
  ['family_name', { family_name: 'Mueller' }, { family_name: 'Muller' }, 'transliterated'],
  ['family_name', { family_name: 'Strasse' }, { family_name: 'Straße' }, 'exact'],
  ['family_name', { family_name: 'Soerensen' }, { family_name: 'Sørensen' }, 'transliterated'],
  ['family_name', { family_name: 'Aagaard' }, { family_name: 'Ågård' }, 'transliterated'],
  ['given_name', { given_name: 'Jürgen' }, { given_name: 'Juergen' }, 'transliterated'],
  ['given_name', { given_name: 'Élodie' }, { given_name: 'Elodie' }, 'exact'],
  ['dob', { dob: '1956-04-09' }, { dob: '19560409' }, 'exact'],
  ['dob', { dob: '1956-04-09' }, { dob: '1956-04-08' }, 'one_typo'],
  ['dob', { dob: '1956-04-09' }, { dob: '1956-09-04' }, 'day_month_swapped'],
  ['dob', { dob: '1956-04-09' }, { dob: '1957-02-20' }, 'within_1y'],
  ['dob', { dob: '1956-04-09' }, { dob: '1963-12-20' }, 'within_10y'],
  ['dob', { dob: '1956-04-09' }, { dob: '1990-12-20' }, 'else'],
  ['dob', { dob: '1900-01-01' }, { dob: '1900-01-01' }, 'null'],
  // One typo in year, month or day; historical dates; partial dates (year, or year and month, known).
  ['dob', { dob: '1965-03-12' }, { dob: '1966-03-12' }, 'one_typo'],
  ['dob', { dob: '1965-03-12' }, { dob: '1956-03-12' }, 'one_typo'],
  ['dob', { dob: '1965-03-12' }, { dob: '1965-08-12' }, 'one_typo'],
  ['dob', { dob: '1965-03-12' }, { dob: '1965-03-21' }, 'one_typo'],
  ['dob', { dob: '1965-03-12' }, { dob: '1965-12-03' }, 'day_month_swapped'],
  ['dob', { dob: '1687-03-14' }, { dob: '03/14/1687' }, 'exact'],
  ['dob', { dob: '1965-03-12' }, { dob: '1965-07-30' }, 'within_1y'],
  ['dob', { dob: '1712-05-02' }, { dob_year: '1712' }, 'partial_year'],
  ['dob', { dob_year: '1712' }, { dob_year: '1712' }, 'partial_year'],
  ['dob', { dob_year: '1712', dob_month: '5' }, { dob_year: '1712' }, 'partial_year'],
  ['dob', { dob: '1712-05-02' }, { dob_year: '1712', dob_month: '05' }, 'partial_year_month'],
  ['dob', { dob_year: '1712', dob_month: '5' }, { dob_year: '1712', dob_month: '05', dob_day: '' }, 'partial_year_month'],
  ['dob', { dob: '1712-05-02' }, { dob_year: '1712', dob_month: '06' }, 'within_1y'],
  ['dob', { dob: '1712-05-02' }, { dob_year: '1713' }, 'within_1y'],
  ['dob', { dob: '1712-05-02' }, { dob_year: '1740' }, 'else'],
  ['dob', { dob_year: '1712' }, {}, 'null'],
  ['ssn', { ssn: '123-45-6780' }, { ssn: '123456780' }, 'exact'],
  ['ssn', { ssn: '123-45-6780' }, { ssn: '123-45-6781' }, 'one_typo'],
  ['ssn', { ssn: '123-45-6780' }, { ssn: '123-54-6781' }, 'two_typos'],
  ['ssn', { ssn: '078-05-1120' }, { ssn: '078-05-1120' }, 'null'],
  // Two different valid SSNs: strong evidence against.
  ['ssn', { ssn: '123-45-6780' }, { ssn: '746-30-2733' }, 'else'],
  ['ssn', { ssn: '123-45-6780' }, { ssn: '000-12-3456' }, 'null'],
  // One address comparison (street, house number, postcode, city and state are correlated, not independent).
  ['address', { house_number: '7', address_line1: 'Wallaby Place' }, { address_line1: '7 wallaby pl' }, 'number_street'],
  ['address', { address_line1: 'Wallaby Place' }, { address_line1: 'Walaby Place' }, 'street_jw_0.90'],
  ['address', { postcode: '2119' }, { postcode: '2191' }, 'postcode_typo'],
  ['address', { address_line1: '7 Wallaby Pl', postcode: '2119', city: 'Cleveland' }, { house_number: '7', address_line1: 'WALLABY PLACE', postcode: '2119' }, 'exact'],
  ['address', { address_line1: '7 Wallaby Pl', postcode: '2119' }, { address_line1: '9 Wallaby Pl', postcode: '2119' }, 'street_postcode'],
  ['address', { address_line1: 'Wallaby Pl', postcode: '2119' }, { address_line1: 'Walaby Pl', postcode: '2119' }, 'street_jw_0.90_postcode'],
  ['address', { address_line1: '7 Wallaby Pl', postcode: '2119' }, { address_line1: '12 High St', postcode: '2119' }, 'postcode'],
  ['address', { address_line1: '7 Wallaby Pl', city: 'Cleveland', postcode: '2119' }, { address_line1: '12 High St', city: 'CLEVELAND', postcode: '4000' }, 'city'],
  ['address', { city: 'Cleveland', state: 'OH' }, { city: 'Akron', state: 'Ohio' }, 'state'],
  ['address', { address_line1: '7 Wallaby Pl', city: 'Cleveland', state: 'OH', postcode: '44101' }, { address_line1: '12 High St', city: 'Austin', state: 'TX', postcode: '73301' }, 'else'],
  // Nothing comparable on both sides (street on one, postcode on the other): no evidence either way.
  ['address', { address_line1: '7 Wallaby Pl' }, { postcode: '2119' }, 'null'],
  ['address', {}, {}, 'null'],
  ['address_line2', { address_line2: 'Rear' }, { address_line2: 'REAR' }, 'exact'],
  ['email', { email: 'bob@x.com' }, { email: 'BOB@x.com' }, 'exact'],
  ['email', { email: 'bob77@x.com' }, { email: 'bob77@y.org' }, 'same_user'],
  ['phone', { phone: '415-555-2671' }, { phone: '+1 (415) 555 2671' }, 'exact'],
  ['gender', { gender: 'male' }, { gender: 'F' }, 'else'],
];
for (const [name, a, b, want] of levelCases) {
  test(`comparison ${name}: ${JSON.stringify(a)} vs ${JSON.stringify(b)} -> ${want}`, () => {
    assert.equal(levelOf(name, a, b), want);
    assert.equal(levelOf(name, b, a), want, 'symmetric');
  });
}

test('daysWithin: dates a day or a month apart (not one typo apart) hold; partial, invalid and distant dates do not', async () => {
  const { daysWithin } = await import('../src/dateLevels.js');
  const cases: Array<[string, string, number, boolean]> = [
    ['2004-06-29', '2004-06-30', 31, true],
    ['2008-10-16', '2008-09-16', 31, true],
    ['1999-12-31', '2000-01-01', 31, true],
    ['1995-11-09', '1995-11-10', 31, true],
    ['1995-11-09', '1995-12-11', 31, false],
    ['1985-05-04', '1965-05-04', 31, false],
    ['1965', '1965-01-01', 31, false],
    ['1965-03', '1965-03-02', 31, false],
    ['', '1965-03-02', 31, false],
    ['2004-06-29', '2004-06-29', 0, true],
  ];
  for (const [a, b, days, want] of cases) assert.equal(daysWithin(a, b, days), want, `${a} ${b} ${days}`);
});
