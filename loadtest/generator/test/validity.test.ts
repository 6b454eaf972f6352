import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COLUMNS, isValidNanp, isValidSsn } from '../generator.js';
import { loadTables } from '../tables.js';
import { digitsOf, take } from './helpers.js';

// dupRate 0: every record is a clean rendering of its entity (no corruption).
const clean = take({ records: 30_000, seed: 5, dupRate: 0 });

function parseDob(s: string): [number, number, number] {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (m) return [Number(m[3]), Number(m[1]), Number(m[2])];
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  throw new Error(`unparseable dob ${s}`);
}

test('records have every canonical column as a string', () => {
  for (const r of clean.slice(0, 100)) {
    assert.deepEqual(Object.keys(r).sort(), [...COLUMNS].sort());
    for (const c of COLUMNS) assert.equal(typeof r[c], 'string');
  }
});

test('SSNs are valid by SSA rules and unique per entity', () => {
  const seen = new Map<string, string>();
  let n = 0;
  for (const r of clean) {
    if (!r.ssn) continue;
    n++;
    assert.ok(isValidSsn(r.ssn), `invalid ssn ${r.ssn}`);
    const d = digitsOf(r.ssn);
    const area = Number(d.slice(0, 3));
    assert.ok(area >= 1 && area <= 899 && area !== 666);
    assert.notEqual(d.slice(3, 5), '00');
    assert.notEqual(d.slice(5), '0000');
    const prev = seen.get(d);
    assert.ok(prev === undefined || prev === r.entity_id, `ssn ${d} shared by ${prev} and ${r.entity_id}`);
    seen.set(d, r.entity_id);
  }
  assert.ok(n > 10_000, `only ${n} SSNs`);
  assert.ok(!isValidSsn('000-12-3456') && !isValidSsn('666-12-3456') && !isValidSsn('901-12-3456'));
  assert.ok(!isValidSsn('123-00-4567') && !isValidSsn('123-45-0000') && isValidSsn('123-45-6789'));
});

test('dates of birth are real calendar dates with a realistic age distribution', () => {
  const ref = Date.UTC(2026, 10, 22);
  const ages: number[] = [];
  const formats = { iso: 0, us: 0, compact: 0 };
  for (const r of clean) {
    if (!r.dob) continue;
    if (r.dob.includes('-')) formats.iso++;
    else if (r.dob.includes('/')) formats.us++;
    else formats.compact++;
    const [y, m, d] = parseDob(r.dob);
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    assert.equal(back.getUTCFullYear() * 10000 + (back.getUTCMonth() + 1) * 100 + back.getUTCDate(), y * 10000 + m * 100 + d, `invalid date ${r.dob}`);
    assert.ok(t < ref, `dob in the future ${r.dob}`);
    ages.push((ref - t) / (365.25 * 86400e3));
  }
  assert.ok(ages.every((a) => a >= 0 && a < 101));
  const adults = ages.filter((a) => a >= 18).length / ages.length;
  const seniors = ages.filter((a) => a >= 65).length / ages.length;
  assert.ok(adults > 0.8 && adults < 0.98, `adult share ${adults}`);
  assert.ok(seniors > 0.1 && seniors < 0.3, `65+ share ${seniors}`);
  assert.ok(formats.iso > formats.us && formats.iso > formats.compact && formats.us > 0 && formats.compact > 0);
});

test('phones are valid-looking NANP numbers', () => {
  let n = 0;
  for (const r of clean) {
    if (!r.phone) continue;
    n++;
    let d = digitsOf(r.phone);
    if (d.length === 11 && d.startsWith('1')) d = d.slice(1);
    assert.equal(d.length, 10, r.phone);
    assert.ok(isValidNanp(d), `invalid NANP ${r.phone}`);
  }
  assert.ok(n > 15_000);
  assert.ok(!isValidNanp('1234567890') && !isValidNanp('2125111234') && isValidNanp('2125551234'));
});

test('addresses, states, ZIPs and emails are well formed', () => {
  const states = new Set(loadTables().zips.map((z) => z.state));
  for (const r of clean) {
    assert.match(r.postcode, /^\d{5}$/);
    assert.ok(states.has(r.state), r.state);
    assert.ok(r.city.length > 0 && r.address_line1.length > 0);
    assert.equal(r.country, 'US');
    if (r.house_number) assert.match(r.house_number, /^\d{1,5}$/);
    if (r.email) assert.match(r.email, /^[a-z0-9._]+@[a-z]+\.[a-z]+$/i);
  }
});

test('gender is consistent with the given name tables', () => {
  const t = loadTables();
  const male = new Set(t.male.values.map((s) => s.toLowerCase()));
  const female = new Set(t.female.values.map((s) => s.toLowerCase()));
  let checked = 0;
  for (const r of clean) {
    const g = r.gender.toLowerCase();
    if (!g) continue;
    const name = r.given_name.toLowerCase();
    if (g === 'm' || g === 'male') assert.ok(male.has(name), `${name} marked male`);
    else assert.ok(female.has(name), `${name} marked female`);
    checked++;
  }
  assert.ok(checked > 10_000);
});
