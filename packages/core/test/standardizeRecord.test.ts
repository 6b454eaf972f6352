import { test } from 'node:test';
import assert from 'node:assert/strict';
import { standardizeRecord, type RawFields, type StandardizeOptions } from '../src/index.js';

interface Case { name: string; input: RawFields; opts?: StandardizeOptions; expect: Record<string, string | undefined>; flags?: Array<[string, string]> }

const cases: Case[] = [
  // names
  { name: 'case and accent fold', input: { given_name: '  José ', family_name: "O'Brien-Smith" }, expect: { given_name: 'JOSE', family_name: 'OBRIEN SMITH' } },
  { name: 'title and suffix split off', input: { given_name: 'Dr. John', family_name: 'Smith Jr.' }, expect: { given_name: 'JOHN', family_name: 'SMITH', name_title: 'DR', name_suffix: 'JR' }, flags: [['given_name', 'TITLE_REMOVED'], ['family_name', 'SUFFIX_REMOVED']] },
  { name: 'full name "Family, Given Middle"', input: { full_name: 'Smith, John Paul' }, expect: { given_name: 'JOHN', middle_name: 'PAUL', family_name: 'SMITH' }, flags: [['given_name', 'DERIVED_FROM_FULL_NAME']] },
  { name: 'full name "Given Middle Family"', input: { full_name: 'Mrs Mary Ann Jones III' }, expect: { given_name: 'MARY', middle_name: 'ANN', family_name: 'JONES', name_suffix: 'III' } },
  { name: 'transliteration fold: MÜLLER', input: { given_name: 'Jürgen', family_name: 'Müller' }, expect: { family_name: 'MULLER', family_tl: 'MULLER', given_tl: 'JURGEN' } },
  { name: 'transliteration fold: MUELLER', input: { given_name: 'Juergen', family_name: 'Mueller' }, expect: { family_name: 'MUELLER', family_tl: 'MULLER', given_tl: 'JURGEN' } },
  { name: 'transliteration fold: Straße / Strasse', input: { family_name: 'Straße' }, expect: { family_name: 'STRASSE', family_tl: 'STRASE' } },
  { name: 'transliteration fold: Ø / OE', input: { family_name: 'Sørensen', given_name: 'Soeren' }, expect: { family_name: 'SORENSEN', family_tl: 'SORENSEN', given_tl: 'SOREN' } },
  { name: 'transliteration fold: Å / AA', input: { family_name: 'Aagaard' }, expect: { family_tl: 'AGARD' } },
  { name: 'transliteration fold: Æ / AE', input: { family_name: 'Schæfer' }, expect: { family_name: 'SCHAEFER', family_tl: 'SCHAFER' } },
  { name: 'transliteration fold: É', input: { given_name: 'Émile' }, expect: { given_name: 'EMILE', given_tl: 'EMILE' } },
  { name: 'transliteration fold: QUE kept', input: { given_name: 'Quentin' }, expect: { given_tl: 'QUENTIN' } },
  { name: 'full name only: "Johann Georg Schmidt"', input: { full_name: 'Johann Georg Schmidt' }, expect: { given_name: 'JOHANN', middle_name: 'GEORG', family_name: 'SCHMIDT', family_dm1: 'XMT', full_name: 'JOHANN SCHMIDT' }, flags: [['family_name', 'DERIVED_FROM_FULL_NAME']] },
  { name: 'full name only: "SCHMIDT, Johann Georg"', input: { full_name: 'SCHMIDT, Johann Georg' }, expect: { given_name: 'JOHANN', middle_name: 'GEORG', family_name: 'SCHMIDT' } },
  { name: 'full name only: title and hyphenated names', input: { full_name: 'Dr. Anna-Lena Meyer-Schulz' }, expect: { given_name: 'ANNA', middle_name: 'LENA', family_name: 'MEYER SCHULZ', name_title: 'DR', given_dm1: 'AN' } },
  { name: 'full name = separate fields for hyphenated names', input: { given_name: 'Anna-Lena', family_name: 'Meyer-Schulz' }, expect: { given_name: 'ANNA', middle_name: 'LENA', family_name: 'MEYER SCHULZ' } },
  { name: 'full name with family particles', input: { full_name: 'Ludwig van Beethoven' }, expect: { given_name: 'LUDWIG', middle_name: undefined, family_name: 'VAN BEETHOVEN' } },
  { name: 'full name with several particles and a middle name', input: { full_name: 'Maria José de la Cruz' }, expect: { given_name: 'MARIA', middle_name: 'JOSE', family_name: 'DE LA CRUZ' } },
  { name: 'full name with a trailing ", Jr."', input: { full_name: 'John Smith, Jr.' }, expect: { given_name: 'JOHN', family_name: 'SMITH', name_suffix: 'JR' } },
  { name: 'full name "Family, Given, Suffix"', input: { full_name: 'Smith, John, Sr' }, expect: { given_name: 'JOHN', family_name: 'SMITH', name_suffix: 'SR' } },
  { name: 'full name with umlauts', input: { full_name: 'Jürgen Müller' }, expect: { given_name: 'JURGEN', family_name: 'MULLER', family_tl: 'MULLER' } },
  { name: 'full name one word is the family name', input: { full_name: 'Schmidt' }, expect: { given_name: undefined, family_name: 'SCHMIDT' } },
  { name: 'full name does not override given fields', input: { full_name: 'Hans Meier', given_name: 'Johann', family_name: 'Meyer' }, expect: { given_name: 'JOHANN', family_name: 'MEYER' } },
  { name: 'nickname group', input: { given_name: 'Bill' }, expect: { given_name: 'BILL', given_nick: 'WILLIAM' } },
  { name: 'nickname shared by several canonicals', input: { given_name: 'Al' }, expect: { given_nick: 'ALAN ALBERT ALEXANDER ALFRED ALOYSIUS' } },
  { name: 'double metaphone codes', input: { family_name: 'Schmidt' }, expect: { family_dm1: 'XMT', family_dm2: 'SMT' } },
  { name: 'placeholder name is missing', input: { given_name: 'UNKNOWN', family_name: 'n/a' }, expect: { given_name: undefined, family_name: undefined }, flags: [['given_name', 'PLACEHOLDER'], ['family_name', 'PLACEHOLDER']] },
  { name: 'numbers as name', input: { given_name: '12345' }, expect: { given_name: undefined }, flags: [['given_name', 'INVALID_NAME']] },
  { name: 'non-Latin name kept, no metaphone', input: { given_name: 'Иван', family_name: '山田' }, expect: { given_name: 'ИВАН', family_name: '山田', given_dm1: undefined, family_dm1: undefined } },
  { name: 'emoji stripped', input: { given_name: '😀Anna😀' }, expect: { given_name: 'ANNA' } },
  // dates
  { name: 'dob YYYYMMDD', input: { dob: '19560409' }, expect: { dob: '1956-04-09', dob_year: '1956', dob_month: '04', dob_day: '09' } },
  { name: 'dob ISO', input: { dob: '1971-06-24' }, expect: { dob: '1971-06-24' } },
  { name: 'dob US MM/DD/YYYY', input: { dob: '04/09/1956' }, expect: { dob: '1956-04-09' } },
  { name: 'dob EU DD/MM/YYYY', input: { dob: '04/09/1956' }, opts: { dateLocale: 'EU' }, expect: { dob: '1956-09-04' } },
  { name: 'impossible date flagged, not guessed', input: { dob: '1990-02-30' }, expect: { dob: undefined, dob_year: undefined }, flags: [['dob', 'INVALID_DATE']] },
  { name: 'US locale rejects day > 12 in month slot', input: { dob: '25/12/1990' }, expect: { dob: undefined }, flags: [['dob', 'INVALID_DATE']] },
  { name: 'placeholder date', input: { dob: '1900-01-01' }, expect: { dob: undefined }, flags: [['dob', 'PLACEHOLDER']] },
  { name: 'future dob', input: { dob: '2999-01-01' }, expect: { dob: undefined }, flags: [['dob', 'DOB_IN_FUTURE']] },
  { name: 'dob from parts', input: { dob_year: '1980', dob_month: '7', dob_day: '4' }, expect: { dob: '1980-07-04' } },
  { name: 'unparseable dob', input: { dob: 'yesterday' }, expect: { dob: undefined }, flags: [['dob', 'INVALID_DATE']] },
  { name: 'historical dob 1687', input: { dob: '1687-03-14' }, expect: { dob: '1687-03-14', dob_year: '1687' } },
  { name: 'historical dob 1500 (earliest accepted)', input: { dob: '01/02/1500' }, expect: { dob: '1500-01-02' } },
  { name: 'dob before 1500 rejected', input: { dob: '1499-12-31' }, expect: { dob: undefined, dob_year: undefined }, flags: [['dob', 'INVALID_DATE']] },
  { name: 'historical Feb 29 in a century non-leap year rejected', input: { dob: '1700-02-29' }, expect: { dob: undefined }, flags: [['dob', 'INVALID_DATE']] },
  { name: 'historical Feb 29 in a leap year', input: { dob: '1600-02-29' }, expect: { dob: '1600-02-29' } },
  { name: 'dob_year only', input: { dob_year: '1712' }, expect: { dob: undefined, dob_year: '1712', dob_month: undefined }, flags: [['dob', 'PARTIAL_DATE']] },
  { name: 'dob_year + dob_month, empty day', input: { dob_year: '1845', dob_month: '3', dob_day: '' }, expect: { dob: undefined, dob_year: '1845', dob_month: '03', dob_day: undefined }, flags: [['dob', 'PARTIAL_DATE']] },
  { name: 'dob_year + day without month: year only', input: { dob_year: '1845', dob_day: '12' }, expect: { dob: undefined, dob_year: '1845', dob_month: undefined, dob_day: undefined } },
  { name: 'dob_month 13 with year rejected', input: { dob_year: '1845', dob_month: '13' }, expect: { dob_year: undefined }, flags: [['dob_month', 'INVALID_DATE']] },
  { name: 'dob_year in the future rejected', input: { dob_year: '2999' }, expect: { dob_year: undefined }, flags: [['dob_year', 'DOB_IN_FUTURE']] },
  { name: 'dob_year before 1500 rejected', input: { dob_year: '1200' }, expect: { dob_year: undefined }, flags: [['dob_year', 'INVALID_DATE']] },
  { name: 'dob_year not a year', input: { dob_year: '65' }, expect: { dob_year: undefined }, flags: [['dob_year', 'INVALID_DATE']] },
  { name: 'dob string year only', input: { dob: '1801' }, expect: { dob: undefined, dob_year: '1801' }, flags: [['dob', 'PARTIAL_DATE']] },
  { name: 'dob string year-month', input: { dob: '1801-11' }, expect: { dob: undefined, dob_year: '1801', dob_month: '11' } },
  { name: 'dob string month/year', input: { dob: '11/1801' }, expect: { dob: undefined, dob_year: '1801', dob_month: '11' } },
  { name: 'full dob from parts, historical', input: { dob_year: '1650', dob_month: '12', dob_day: '31' }, expect: { dob: '1650-12-31', dob_day: '31' } },
  // ssn
  { name: 'ssn digits only', input: { ssn: '123-45-6780' }, expect: { ssn: '123456780' } },
  { name: 'ssn area 000', input: { ssn: '000-12-3456' }, expect: { ssn: undefined }, flags: [['ssn', 'INVALID_SSN']] },
  { name: 'ssn area 666', input: { ssn: '666-12-3456' }, expect: { ssn: undefined }, flags: [['ssn', 'INVALID_SSN']] },
  { name: 'ssn area 9xx', input: { ssn: '912-12-3456' }, expect: { ssn: undefined }, flags: [['ssn', 'INVALID_SSN']] },
  { name: 'ssn group 00', input: { ssn: '123-00-3456' }, expect: { ssn: undefined }, flags: [['ssn', 'INVALID_SSN']] },
  { name: 'ssn serial 0000', input: { ssn: '123-45-0000' }, expect: { ssn: undefined }, flags: [['ssn', 'INVALID_SSN']] },
  { name: 'ssn placeholder 123-45-6789', input: { ssn: '123-45-6789' }, expect: { ssn: undefined }, flags: [['ssn', 'PLACEHOLDER']] },
  { name: 'ssn placeholder Woolworth', input: { ssn: '078-05-1120' }, expect: { ssn: undefined }, flags: [['ssn', 'PLACEHOLDER']] },
  { name: 'ssn placeholder 999-99-9999', input: { ssn: '999-99-9999' }, expect: { ssn: undefined }, flags: [['ssn', 'PLACEHOLDER']] },
  { name: 'ssn wrong length (US)', input: { ssn: '2468135' }, expect: { ssn: undefined }, flags: [['ssn', 'INVALID_SSN']] },
  { name: 'non-US national id kept', input: { ssn: '1804974' }, opts: { defaultCountry: 'AU' }, expect: { ssn: '1804974' } },
  // phone
  { name: 'US phone to E.164', input: { phone: '(415) 555-2671' }, expect: { phone: '+14155552671' } },
  { name: 'AU phone with default country', input: { phone: '02 9374 4000' }, opts: { defaultCountry: 'AU' }, expect: { phone: '+61293744000' } },
  { name: 'international phone keeps its country', input: { phone: '+44 20 7946 0958' }, expect: { phone: '+442079460958' } },
  { name: 'invalid phone', input: { phone: '12' }, expect: { phone: undefined }, flags: [['phone', 'INVALID_PHONE']] },
  // email
  { name: 'email lower-cased', input: { email: ' John.Smith@Acme.ORG ' }, expect: { email: 'john.smith@acme.org', email_user: 'john.smith' } },
  { name: 'gmail normalization when configured', input: { email: 'J.o.h.n+spam@googlemail.com' }, opts: { emailProviderNormalization: true }, expect: { email: 'john@gmail.com' } },
  { name: 'gmail untouched by default', input: { email: 'J.o.h.n+spam@gmail.com' }, expect: { email: 'j.o.h.n+spam@gmail.com' } },
  { name: 'invalid email', input: { email: 'not-an-email' }, expect: { email: undefined }, flags: [['email', 'INVALID_EMAIL']] },
  { name: 'placeholder email', input: { email: 'noemail@none.com' }, expect: { email: undefined }, flags: [['email', 'PLACEHOLDER']] },
  // address
  { name: 'street type and directional', input: { address_line1: '123 North Main Street' }, expect: { house_number: '123', address_line1: 'N MAIN ST' } },
  { name: 'unit split out', input: { address_line1: '55 Elm Avenue Apt 4B' }, expect: { house_number: '55', address_line1: 'ELM AVE', unit: '4B' } },
  { name: 'hash unit', input: { address_line1: '9 Oak Rd #12' }, expect: { address_line1: 'OAK RD', unit: '12' } },
  { name: 'street word not last kept', input: { address_line1: 'Street Lane' }, expect: { address_line1: 'STREET LN' } },
  { name: 'ZIP+4 cleaned', input: { postcode: '02139-4307' }, expect: { postcode: '02139' } },
  { name: 'ZIP lost leading zero', input: { postcode: '2139' }, expect: { postcode: '02139' } },
  { name: 'placeholder postcode', input: { postcode: '00000' }, expect: { postcode: undefined }, flags: [['postcode', 'INVALID_POSTCODE']] },
  { name: 'US state name', input: { state: 'California' }, expect: { state: 'CA' } },
  { name: 'country name to ISO', input: { country: 'United Kingdom', phone: '020 7946 0958' }, expect: { country: 'GB', phone: '+442079460958' } },
  // gender
  { name: 'gender male', input: { gender: 'Male' }, expect: { gender: 'M' } },
  { name: 'gender female', input: { gender: 'f' }, expect: { gender: 'F' } },
  { name: 'gender unknown is missing', input: { gender: 'U' }, expect: { gender: undefined }, flags: [['gender', 'PLACEHOLDER']] },
  // hostile
  { name: 'empty strings', input: { given_name: '', family_name: '   ', dob: '', ssn: '' }, expect: { given_name: undefined, family_name: undefined, dob: undefined, ssn: undefined }, flags: [['given_name', 'MISSING']] },
  { name: 'nulls', input: { given_name: null, dob: null, email: undefined }, expect: { given_name: undefined }, flags: [['dob', 'MISSING']] },
  { name: '10,000-char field truncated', input: { given_name: 'A'.repeat(10_000) }, expect: { given_name: 'A'.repeat(256) }, flags: [['given_name', 'TRUNCATED']] },
  { name: 'number where text expected', input: { given_name: 42 as unknown as string, ssn: 123456780 as unknown as string }, expect: { given_name: undefined, ssn: '123456780' }, flags: [['given_name', 'NOT_STRING'], ['ssn', 'NOT_STRING']] },
  { name: 'object where text expected', input: { family_name: { x: 1 } as unknown as string }, expect: { family_name: undefined }, flags: [['family_name', 'NOT_STRING']] },
  { name: 'unknown field flagged', input: { shoe_size: '42' } as unknown as RawFields, expect: {}, flags: [['shoe_size', 'UNKNOWN_FIELD']] },
];

for (const c of cases) {
  test(`standardizeRecord: ${c.name}`, () => {
    const r = standardizeRecord(c.input, c.opts);
    for (const [k, v] of Object.entries(c.expect)) assert.equal(r.values[k], v, `values.${k}`);
    for (const [field, code] of c.flags ?? []) {
      assert.ok(r.flags.some((f) => f.field === field && f.code === code), `expected flag ${field}/${code} in ${JSON.stringify(r.flags)}`);
    }
    for (const f of r.flags) assert.match(f.code, /^[A-Z][A-Z0-9_]*$/);
  });
}

test('standardizeRecord never throws on hostile input', () => {
  const nasty: unknown[] = ['', ' ', '\u0000', '💩'.repeat(5000), 'x'.repeat(10_000), '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'ﷺ', '١٢٣٤', NaN, -1, 1e308, true, [], {}, null, undefined, 'constructor', '__proto__', 'toString'];
  const fields = ['given_name', 'middle_name', 'family_name', 'full_name', 'dob', 'dob_year', 'dob_month', 'dob_day', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country'];
  for (const v of nasty) {
    const input: Record<string, unknown> = {};
    for (const f of fields) input[f] = v;
    const r = standardizeRecord(input as RawFields);
    for (const val of Object.values(r.values)) assert.equal(typeof val, 'string');
    for (const val of Object.values(r.values)) assert.ok(val.length <= 600);
  }
  assert.doesNotThrow(() => standardizeRecord(null as unknown as RawFields));
});

const attributeCases: Array<{ name: string; attributes: Record<string, string>; expect: Record<string, string | undefined> }> = [
  { name: 'folded like names', attributes: { birthplace: '  Göttingen,  Niedersachsen ' }, expect: { 'attr.birthplace': 'GOTTINGEN NIEDERSACHSEN' } },
  { name: 'digits kept', attributes: { baptism: '1712-05-09' }, expect: { 'attr.baptism': '1712 05 09' } },
  { name: 'placeholder and empty dropped', attributes: { parish: 'unknown', father: '  ' }, expect: { 'attr.parish': undefined, 'attr.father': undefined } },
  { name: 'name trimmed', attributes: { ' occupation ': 'Weaver' }, expect: { 'attr.occupation': 'WEAVER' } },
];
for (const c of attributeCases) {
  test(`standardizeRecord attributes: ${c.name}`, () => {
    const r = standardizeRecord({ given_name: 'Anna' }, {}, c.attributes);
    for (const [k, v] of Object.entries(c.expect)) assert.equal(r.values[k], v, `values.${k}`);
    assert.equal(r.values.given_name, 'ANNA');
  });
}

test('standardizeRecord attributes: old callers (no attributes) unchanged; hostile attributes bounded', () => {
  assert.deepEqual(standardizeRecord({ given_name: 'Anna' }), standardizeRecord({ given_name: 'Anna' }, {}, {}));
  const many: Record<string, string> = {};
  for (let i = 0; i < 100; i++) many[`a${i}`] = 'x'.repeat(10_000);
  const r = standardizeRecord({ given_name: 'Anna' }, {}, many);
  const attrs = Object.keys(r.values).filter((k) => k.startsWith('attr.'));
  assert.equal(attrs.length, 32);
  for (const k of attrs) assert.ok((r.values[k] ?? '').length <= 256);
  assert.ok(r.flags.some((f) => f.code === 'ATTRIBUTE_DROPPED'));
  assert.doesNotThrow(() => standardizeRecord({}, {}, { x: { y: 1 } } as unknown as Record<string, string>));
});
