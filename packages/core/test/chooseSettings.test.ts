import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseSettings, DEFAULT_SETTINGS, mulberry32, runQuality, standardizeRecord, trainModel, type LabelledRecord, type RawFields } from '../src/index.js';

/** A small file of people in a given shape: `make(person, rnd)` gives one record; a third get a second record. */
function shape(make: (p: number, rnd: () => number) => { fields: RawFields; attributes?: Record<string, string> }, n = 600): LabelledRecord[] {
  const rnd = mulberry32(11);
  const out: LabelledRecord[] = [];
  for (let p = 0; p < n; p++) {
    const a = make(p, rnd);
    out.push({ id: `r${out.length}`, entity: `e${p}`, fields: a.fields, ...(a.attributes ? { attributes: a.attributes } : {}) });
    if (rnd() < 0.35) {
      const b = make(p, rnd);
      out.push({ id: `r${out.length}`, entity: `e${p}`, fields: b.fields, ...(b.attributes ? { attributes: b.attributes } : {}) });
    }
  }
  return out;
}

const GIVEN = ['Johann', 'Anna', 'Maria', 'Georg', 'Jürgen', 'Søren', 'Karl', 'Elisabeth', 'Friedrich', 'Margarethe', 'Heinrich', 'Katharina', 'Peter', 'Christina', 'Hans', 'Dorothea'];
const FAMILY = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Sørensen', 'Jensen', 'Hansen', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Neumann'];
const PLACES = ['Göttingen', 'Hannover', 'Celle', 'Lüneburg', 'Hameln', 'Einbeck', 'Northeim', 'Goslar'];
const spellings = (s: string, rnd: () => number): string => (rnd() < 0.3 ? s.replace(/ü/g, 'ue').replace(/ä/g, 'ae').replace(/ø/g, 'oe') : s);
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;

const febrlLike = shape((p, rnd) => ({ fields: { given_name: pick(GIVEN, p * 7), family_name: pick(FAMILY, p * 13 + 1), dob: `19${String(10 + (p % 80))}-0${1 + (p % 9)}-1${p % 10}`, ssn: String(100000000 + p * 7919), address_line1: `${p % 90} Main St`, postcode: String(2000 + (p % 300)), city: rnd() < 0.9 ? 'Sydney' : 'Perth' } }));
const namesDob = shape((p) => ({ fields: { given_name: pick(GIVEN, p * 7), family_name: pick(FAMILY, p * 13 + 1), dob: `19${String(10 + (p % 80))}-0${1 + (p % 9)}-1${p % 10}` } }));
/** Historical: names with German/Nordic spellings, only the year for half, birthplace, father, register number. */
const historical = shape((p, rnd) => {
  const y = 1650 + ((p * 37) % 200);
  const m = 1 + (p % 12);
  const d = 1 + ((p * 3) % 28);
  const full = rnd() < 0.5;
  return {
    fields: { given_name: spellings(pick(GIVEN, p * 7), rnd), family_name: spellings(pick(FAMILY, p * 11 + 3), rnd), dob_year: String(y), ...(full ? { dob_month: String(m), dob_day: String(d) } : {}) },
    attributes: { birthplace: pick(PLACES, p * 5 + (p >> 4)), ...(rnd() < 0.8 ? { father: spellings(pick(GIVEN, p * 3 + (p >> 5)), rnd), register_no: String((p * 7919) % 1000) } : {}), ...(p === 0 ? { rare: 'x' } : {}) },
  };
});
/** No date at all: names, an address and one attribute. */
const noDob = shape((p) => ({ fields: { given_name: pick(GIVEN, p * 7), family_name: pick(FAMILY, p * 13 + 1), address_line1: `${p % 50} Hauptstr`, city: pick(PLACES, p) }, attributes: { occupation: pick(['Weaver', 'Farmer', 'Smith', 'Miller', 'Baker', 'Tailor'], p * 3 + (p >> 3)) } }));

/** A register: a second given name for about a third of people (fixed per person); in `sparse` for 2%. */
const withMiddle = (share: number): LabelledRecord[] => shape((p) => ({ fields: { given_name: pick(GIVEN, p * 7), ...((p * 7919) % 100 < share * 100 ? { middle_name: pick(GIVEN, p * 5 + 3) } : {}), family_name: pick(FAMILY, p * 13 + 1), dob: `19${String(10 + (p % 80))}-0${1 + (p % 9)}-1${p % 10}` } }));

const values = (rs: readonly LabelledRecord[]): Array<Record<string, string>> => rs.map((r) => standardizeRecord(r.fields, {}, r.attributes).values);

interface Case { name: string; data: LabelledRecord[]; comparisons: string[]; absent: string[]; training: string[]; noTraining?: string[]; blocking?: string[] }
const cases: Case[] = [
  { name: 'FEBRL-like (names, dob, id, address)', data: febrlLike, comparisons: ['given_name', 'family_name', 'dob', 'ssn', 'address'], absent: ['email', 'phone', 'gender', 'address_line2'], training: ['dob', 'given_family', 'ssn'], noTraining: ['email'] },
  { name: 'names and birth date only', data: namesDob, comparisons: ['given_name', 'family_name', 'dob'], absent: ['ssn', 'address', 'email', 'phone', 'gender', 'middle_name'], training: ['dob', 'given_family'] },
  { name: 'a register with second given names', data: withMiddle(0.35), comparisons: ['given_name', 'middle_name', 'family_name', 'dob'], absent: ['ssn', 'address'], training: ['dob', 'given_family'] },
  { name: 'second given names for 2% only: too few pairs to learn from', data: withMiddle(0.02), comparisons: ['given_name', 'family_name', 'dob'], absent: ['middle_name'], training: ['dob', 'given_family'] },
  { name: 'historical with attributes and partial dates', data: historical, comparisons: ['given_name', 'family_name', 'dob', 'attr.birthplace', 'attr.father', 'attr.register_no'], absent: ['ssn', 'address', 'attr.rare'], training: ['given_family'], blocking: ['dob_year_family_dm', 'dob_year_given_dm', 'attr.birthplace_family_dm'] },
  { name: 'no dob: anchors x names train the name comparisons', data: noDob, comparisons: ['given_name', 'family_name', 'address', 'attr.occupation'], absent: ['dob', 'ssn'], training: ['given_family', 'city_family_dm', 'city_given_dm'], noTraining: ['dob'] },
];
for (const c of cases) {
  test(`chooseSettings: ${c.name}`, () => {
    const v = values(c.data);
    const s = chooseSettings(v);
    const names = s.comparisons.map((x) => x.name);
    for (const n of c.comparisons) assert.ok(names.includes(n), `${n} kept in ${names.join(',')}`);
    for (const n of c.absent) assert.ok(!names.includes(n), `${n} dropped`);
    const tr = s.blockingRulesForTraining.map((r) => r.name);
    for (const n of c.training) assert.ok(tr.includes(n), `training ${n} in ${tr.join(',')}`);
    for (const n of c.noTraining ?? []) assert.ok(!tr.includes(n), `training ${n} dropped`);
    for (const n of c.blocking ?? []) assert.ok(s.blockingRules.some((r) => r.name === n), `blocking ${n}`);
    // Trains, and every kept comparison that has data gets m from EM (none left at the starting values).
    const model = trainModel(v, { settings: s, maxPairsForU: 30_000 });
    assert.deepEqual(model.training?.['notEstimated'], []);
  });
}

test('chooseSettings: numeric attributes compare exact/else, text attributes also by Jaro-Winkler', () => {
  const s = chooseSettings(values(historical));
  const levels = (n: string): string[] => s.comparisons.find((c) => c.name === n)?.levels.map((l) => l.label) ?? [];
  assert.deepEqual(levels('attr.register_no'), ['null', 'exact', 'else']);
  assert.deepEqual(levels('attr.birthplace'), ['null', 'exact', 'jw_0.88', 'else']);
});

test('chooseSettings: the default settings are untouched and an empty sample keeps the base comparisons', () => {
  const s = chooseSettings([]);
  assert.ok(s.comparisons.length > 0);
  assert.ok(trainModel(values(namesDob), { settings: chooseSettings(values(namesDob)) }).comparisons.length === 3);
});

/**
 * A hard file on purpose (16 given x 20 family names for 600 people: namesakes born the same year are common, and
 * half the dates are years only). Chosen settings must find the duplicates across spellings and partial dates, and
 * the attributes must separate namesakes better than the fixed default settings, which cannot see them.
 */
test('runQuality with chosen settings links historical records across spellings and partial dates', () => {
  const chosen = runQuality(historical);
  const fixed = runQuality(historical, { train: { settings: DEFAULT_SETTINGS } });
  const show = (r: { f1: number; precision: number; recall: number }): string => `F1 ${r.f1.toFixed(3)} (P ${r.precision.toFixed(3)}, R ${r.recall.toFixed(3)})`;
  assert.ok(chosen.recall > 0.95, show(chosen));
  assert.ok(chosen.f1 > fixed.f1, `chosen ${show(chosen)} vs default settings ${show(fixed)}`);
  console.log(`historical shape: chosen ${show(chosen)}, default settings ${show(fixed)}`);
});

test('chooseSettings: --compare forces a sparse attribute in, first; without it a 1% attribute is left out', () => {
  const recs = Array.from({ length: 400 }, (_, i) => ({ given_name: `G${i % 37}`, family_name: `F${i % 53}`, ...(i % 100 === 0 ? { 'attr.passport': `P${i}` } : {}) }));
  assert.ok(!chooseSettings(recs).comparisons.some((c) => c.name === 'attr.passport'));
  const forced = chooseSettings(recs, undefined, { compare: ['passport', 'absent'] });
  const attrs = forced.comparisons.filter((c) => c.name.startsWith('attr.')).map((c) => c.name);
  assert.deepEqual(attrs, ['attr.passport'], 'a forced attribute that never occurs is not compared');
});

test('attributeDependencies: an attribute that follows a place is scored given it; an independent one is not', async () => {
  const { attributeDependencies } = await import('../src/chooseSettings.js');
  const rnd = mulberry32(5);
  const towns = Array.from({ length: 40 }, (_, i) => ({ postcode: String(70000 + i * 37), place: `TOWN${i}` }));
  const values = Array.from({ length: 3000 }, (_, i) => {
    const t = towns[Math.floor(rnd() * towns.length)] as { postcode: string; place: string };
    return {
      given_dm1: `G${Math.floor(rnd() * 50)}`,
      family_dm1: `F${Math.floor(rnd() * 80)}`,
      postcode: t.postcode,
      // Born where they live nine times in ten.
      'attr.birthplace': rnd() < 0.9 ? t.place : `TOWN${Math.floor(rnd() * towns.length)}`,
      'attr.occupation': ['WEAVER', 'FARMER', 'SMITH', 'MILLER', 'BAKER', 'TAILOR'][i % 6] as string,
    };
  });
  const deps = attributeDependencies(values, ['attr.birthplace', 'attr.occupation']);
  assert.equal(deps.get('attr.birthplace'), 'postcode');
  assert.equal(deps.has('attr.occupation'), false);
  // chooseSettings writes it into the comparison, so training estimates u given the postcode.
  const s = chooseSettings(values);
  assert.deepEqual(s.comparisons.find((c) => c.name === 'attr.birthplace')?.dependsOn, ['postcode']);
  assert.equal(s.comparisons.find((c) => c.name === 'attr.occupation')?.dependsOn, undefined);
});
