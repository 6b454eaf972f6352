import { doubleMetaphone } from 'double-metaphone';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { QualityFlag, RawFields, StandardizedRecord, StandardizeOptions } from './fields.js';
import { CANONICAL_FIELDS } from './fields.js';
import { foldText, hasLetter, isLatin, MAX_FIELD_LENGTH, transliterationFold } from './text.js';
import { isDigitPattern, isPlaceholderText, PLACEHOLDER_DATES, PLACEHOLDER_EMAIL_DOMAINS, PLACEHOLDER_EMAIL_LOCALS, PLACEHOLDER_SSNS } from './placeholders.js';
import { COUNTRIES, DIRECTIONALS, NAME_SUFFIXES, NAME_TITLES, STREET_TYPES, UNIT_DESIGNATORS, US_STATES } from './data/addressAbbreviations.js';
import { nicknameKey } from './nicknames.js';

type Values = Record<string, string>;

interface Ctx {
  values: Values;
  flags: QualityFlag[];
  opts: Required<StandardizeOptions>;
  country: string;
}

let todayIso = '';
let todayValidUntil = 0;
/** Today's date as YYYY-MM-DD, recomputed at most once a minute (Date formatting is costly per record). */
function today(): string {
  const now = Date.now();
  if (now >= todayValidUntil) {
    todayIso = new Date(now).toISOString().slice(0, 10);
    todayValidUntil = now + 60_000;
  }
  return todayIso;
}
/**
 * Earliest birth year accepted. Historical records (parish registers, censuses) go back to the 1500s; earlier
 * years in person data are almost always keying errors. Later than today is rejected too (DOB_IN_FUTURE).
 */
export const MIN_BIRTH_YEAR = 1500;
const ASCII_UPPER = /^[A-Z ]*$/;

function flag(ctx: Ctx, field: string, code: string, detail?: string): void {
  ctx.flags.push(detail === undefined ? { field, code } : { field, code, detail });
}

/**
 * Coerce one raw input value to a trimmed string, flagging anything odd. Never throws: callers
 * may pass numbers, objects or huge strings at runtime despite the static type.
 */
function rawString(ctx: Ctx, input: RawFields, field: string): string | undefined {
  const v: unknown = (input as Record<string, unknown>)[field];
  if (v === undefined || v === null) return undefined;
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    flag(ctx, field, 'NOT_STRING', typeof v);
    s = String(v);
  } else {
    flag(ctx, field, 'NOT_STRING', typeof v);
    return undefined;
  }
  if (s.length > MAX_FIELD_LENGTH) {
    flag(ctx, field, 'TRUNCATED', `length ${s.length}`);
    s = s.slice(0, MAX_FIELD_LENGTH);
  }
  s = s.trim();
  if (s.length === 0) return undefined;
  return s;
}

// ---------- names ----------

interface NameParts { given?: string; middle?: string; family?: string }

/** Fold a name and strip titles/suffixes; returns tokens. */
function nameTokens(ctx: Ctx, field: string, raw: string): string[] {
  const folded = foldText(raw, false);
  if (/\d/.test(raw)) flag(ctx, field, 'DIGITS_REMOVED');
  let toks = folded.length ? folded.split(' ') : [];
  while (toks.length > 1 && NAME_TITLES.has(toks[0] ?? '')) {
    ctx.values.name_title ??= toks[0] ?? '';
    flag(ctx, field, 'TITLE_REMOVED', toks[0]);
    toks = toks.slice(1);
  }
  while (toks.length > 1 && NAME_SUFFIXES.has(toks[toks.length - 1] ?? '')) {
    ctx.values.name_suffix ??= toks[toks.length - 1] ?? '';
    flag(ctx, field, 'SUFFIX_REMOVED', toks[toks.length - 1]);
    toks = toks.slice(0, -1);
  }
  return toks;
}

function cleanName(ctx: Ctx, field: string, raw: string | undefined): string | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!hasLetter(raw)) {
    flag(ctx, field, 'INVALID_NAME', 'no letters');
    return undefined;
  }
  const toks = nameTokens(ctx, field, raw);
  const name = toks.join(' ');
  if (isPlaceholderText(name) || toks.every((t) => isPlaceholderText(t))) {
    flag(ctx, field, 'PLACEHOLDER', name);
    return undefined;
  }
  if (name !== raw.toUpperCase()) flag(ctx, field, 'NORMALIZED');
  return name;
}

/**
 * Lower-case words that belong to the family name that follows them (von Goethe, van der Berg, de la Cruz,
 * ter Horst, af Klint): a full name's family name is its last word together with the particles before it.
 */
const FAMILY_PARTICLES: ReadonlySet<string> = new Set(['VON', 'VAN', 'VOM', 'ZU', 'ZUR', 'DE', 'DER', 'DEN', 'DEL', 'DELLA', 'DI', 'DA', 'DOS', 'DAS', 'DU', 'LA', 'LE', 'TER', 'TEN', 'AF', 'AV']);

/**
 * The words of a name as written, each folded on its own: a hyphenated or apostrophised word stays one group
 * ("ANNA LENA", "MEYER SCHULZ") so it lands in one name part, the same value the separate name fields give for
 * "Anna-Lena" / "Meyer-Schulz". Titles in front and suffixes at the end are split off (name_title, name_suffix).
 */
function nameGroups(ctx: Ctx, raw: string): string[] {
  if (/\d/.test(raw)) flag(ctx, 'full_name', 'DIGITS_REMOVED');
  let groups = raw.split(/\s+/).map((w) => foldText(w, false)).filter((g) => g.length > 0);
  while (groups.length > 1 && NAME_TITLES.has(groups[0] ?? '')) {
    ctx.values.name_title ??= groups[0] ?? '';
    flag(ctx, 'full_name', 'TITLE_REMOVED', groups[0]);
    groups = groups.slice(1);
  }
  while (groups.length > 1 && NAME_SUFFIXES.has(groups[groups.length - 1] ?? '')) {
    ctx.values.name_suffix ??= groups[groups.length - 1] ?? '';
    flag(ctx, 'full_name', 'SUFFIX_REMOVED', groups[groups.length - 1]);
    groups = groups.slice(0, -1);
  }
  return groups;
}

/**
 * Split a full name into given / middle / family (a small parser rather than a library: the common npm name
 * parsers are English-only and split "Meyer-Schulz" or "van der Berg" differently from the separate fields).
 * "Family, Given Middle" when there is a comma (a trailing ", Jr." is a suffix, not a family name); else
 * "Given Middle... Family" with family particles (FAMILY_PARTICLES) kept with the family name. One word alone is
 * taken as the family name.
 */
function splitFullName(ctx: Ctx, raw: string): NameParts {
  let parts = raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  while (parts.length > 1 && NAME_SUFFIXES.has(foldText(parts[parts.length - 1] ?? '', false))) {
    ctx.values.name_suffix ??= foldText(parts[parts.length - 1] ?? '', false);
    flag(ctx, 'full_name', 'SUFFIX_REMOVED', ctx.values.name_suffix);
    parts = parts.slice(0, -1);
  }
  if (parts.length >= 2) {
    const fam = nameGroups(ctx, parts[0] ?? '');
    const rest = nameGroups(ctx, parts.slice(1).join(' '));
    const out: NameParts = {};
    if (fam.length) out.family = fam.join(' ');
    if (rest[0] !== undefined) out.given = rest[0];
    if (rest.length > 1) out.middle = rest.slice(1).join(' ');
    return out;
  }
  const groups = nameGroups(ctx, parts[0] ?? '');
  if (groups.length === 0) return {};
  if (groups.length === 1) return { family: groups[0] };
  let f = groups.length - 1;
  while (f > 1 && FAMILY_PARTICLES.has(groups[f - 1] ?? '')) f--;
  const out: NameParts = { given: groups[0], family: groups.slice(f).join(' ') };
  if (f > 1) out.middle = groups.slice(1, f).join(' ');
  return out;
}

function setPhonetic(values: Values, key1: string, key2: string, name: string): void {
  if (!ASCII_UPPER.test(name) && !isLatin(name)) return;
  const [p, s] = doubleMetaphone(name.includes(' ') ? name.replace(/ /g, '') : name);
  if (p) values[key1] = p;
  if (s && s !== p) values[key2] = s;
}

function standardizeNames(ctx: Ctx, input: RawFields): void {
  const v = ctx.values;
  let given = cleanName(ctx, 'given_name', rawString(ctx, input, 'given_name'));
  let middle = cleanName(ctx, 'middle_name', rawString(ctx, input, 'middle_name'));
  let family = cleanName(ctx, 'family_name', rawString(ctx, input, 'family_name'));
  const full = rawString(ctx, input, 'full_name');
  if (full !== undefined && (given === undefined || family === undefined)) {
    if (!hasLetter(full)) flag(ctx, 'full_name', 'INVALID_NAME', 'no letters');
    else {
      const parts = splitFullName(ctx, full);
      const ok = (s: string | undefined): string | undefined => (s !== undefined && !isPlaceholderText(s) ? s : undefined);
      if (given === undefined && ok(parts.given)) { given = parts.given; flag(ctx, 'given_name', 'DERIVED_FROM_FULL_NAME'); }
      if (family === undefined && ok(parts.family)) { family = parts.family; flag(ctx, 'family_name', 'DERIVED_FROM_FULL_NAME'); }
      if (middle === undefined && ok(parts.middle)) middle = parts.middle;
    }
  }
  // A given name field holding "JOHN PAUL" keeps the first token as given, rest as middle.
  if (given !== undefined && given.includes(' ') && middle === undefined) {
    const [g, ...rest] = given.split(' ');
    if (g !== undefined && g.length > 1) {
      given = g;
      middle = rest.join(' ');
      flag(ctx, 'given_name', 'MIDDLE_SPLIT_OFF');
    }
  }
  if (given !== undefined) {
    v.given_name = given;
    v.given_tl = transliterationFold(given);
    setPhonetic(v, 'given_dm1', 'given_dm2', given);
    const nick = nicknameKey(given);
    if (nick !== undefined) v.given_nick = nick;
  } else flag(ctx, 'given_name', 'MISSING');
  if (middle !== undefined) {
    v.middle_name = middle;
    v.middle_initial = middle.slice(0, 1);
  }
  if (family !== undefined) {
    v.family_name = family;
    v.family_tl = transliterationFold(family);
    setPhonetic(v, 'family_dm1', 'family_dm2', family);
  } else flag(ctx, 'family_name', 'MISSING');
  if (given !== undefined && family !== undefined) {
    v.full_name = `${given} ${family}`;
    const g = v.given_dm1;
    const f = v.family_dm1;
    if (g !== undefined && f !== undefined) v.name_dm_pair = g < f ? `${g} ${f}` : `${f} ${g}`;
  }
}

// ---------- dates ----------

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function parseDateParts(s: string, locale: 'US' | 'EU'): [number, number, number] | 'UNPARSEABLE' {
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return locale === 'US' ? [Number(m[3]), a, b] : [Number(m[3]), b, a];
  }
  return 'UNPARSEABLE';
}

/** A year-only or year-month date: "1965", "1965-03", "1965/3", "03/1965", "3.1965". */
function parsePartialDate(s: string): [number, number | undefined] | undefined {
  let m = /^(\d{4})$/.exec(s);
  if (m) return [Number(m[1]), undefined];
  m = /^(\d{4})[-/.](\d{1,2})$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /^(\d{1,2})[-/.](\d{4})$/.exec(s);
  if (m) return [Number(m[2]), Number(m[1])];
  return undefined;
}

/**
 * A date known only to the year or the month (dob_year alone, dob_year + dob_month, or a "1965-03" dob):
 * dob stays absent (it means a full date), dob_year and dob_month carry what is known, so comparisons
 * (partialDate levels) and blocking rules on dob_year still use it.
 */
function setPartialDob(ctx: Ctx, field: string, y: number, mo: number | undefined, raw: string): void {
  const now = today();
  if (mo !== undefined && (mo < 1 || mo > 12)) { flag(ctx, field, 'INVALID_DATE', raw.slice(0, 32)); return; }
  if (y < MIN_BIRTH_YEAR) { flag(ctx, field, 'INVALID_DATE', `year ${y}`); return; }
  const ym = mo === undefined ? String(y) : `${y}-${pad2(mo)}`;
  if (ym > now.slice(0, ym.length)) { flag(ctx, field, 'DOB_IN_FUTURE', ym); return; }
  flag(ctx, 'dob', 'PARTIAL_DATE', ym);
  ctx.values.dob_year = String(y);
  if (mo !== undefined) ctx.values.dob_month = pad2(mo);
}

function standardizeDob(ctx: Ctx, input: RawFields): void {
  let raw = rawString(ctx, input, 'dob');
  if (raw === undefined) {
    const y = rawString(ctx, input, 'dob_year');
    const mo = rawString(ctx, input, 'dob_month');
    const d = rawString(ctx, input, 'dob_day');
    if (y !== undefined && mo !== undefined && d !== undefined) raw = `${y}-${mo}-${d}`;
    else if (y !== undefined) {
      if (!/^\d{4}$/.test(y)) { flag(ctx, 'dob_year', 'INVALID_DATE', y.slice(0, 32)); return; }
      // Year (and month) only; a day without a month says nothing and is ignored.
      if (mo !== undefined && !/^\d{1,2}$/.test(mo)) { flag(ctx, 'dob_month', 'INVALID_DATE', mo.slice(0, 32)); setPartialDob(ctx, 'dob_year', Number(y), undefined, y); return; }
      setPartialDob(ctx, mo === undefined ? 'dob_year' : 'dob_month', Number(y), mo === undefined ? undefined : Number(mo), mo === undefined ? y : `${y}-${mo}`);
      return;
    } else if (mo !== undefined || d !== undefined) {
      flag(ctx, 'dob_year', 'MISSING', 'month or day without a year');
    }
  }
  if (raw === undefined) { flag(ctx, 'dob', 'MISSING'); return; }
  const parts = parseDateParts(raw, ctx.opts.dateLocale);
  if (parts === 'UNPARSEABLE') {
    const partial = parsePartialDate(raw);
    if (partial !== undefined) { setPartialDob(ctx, 'dob', partial[0], partial[1], raw); return; }
    if (isPlaceholderText(foldText(raw))) flag(ctx, 'dob', 'PLACEHOLDER', raw.slice(0, 32));
    else flag(ctx, 'dob', 'INVALID_DATE', 'unparseable');
    return;
  }
  const [y, mo, d] = parts;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    flag(ctx, 'dob', 'INVALID_DATE', `${y}-${mo}-${d}`);
    return;
  }
  const iso = `${y}-${pad2(mo)}-${pad2(d)}`;
  if (PLACEHOLDER_DATES.has(iso)) { flag(ctx, 'dob', 'PLACEHOLDER', iso); return; }
  if (y < MIN_BIRTH_YEAR) { flag(ctx, 'dob', 'INVALID_DATE', `year ${y}`); return; }
  if (iso > today()) { flag(ctx, 'dob', 'DOB_IN_FUTURE', iso); return; }
  if (iso !== raw) flag(ctx, 'dob', 'NORMALIZED');
  ctx.values.dob = iso;
  ctx.values.dob_year = String(y);
  ctx.values.dob_month = pad2(mo);
  ctx.values.dob_day = pad2(d);
}

// ---------- identifiers ----------

/** US SSN validity per SSA rules; returns a reason when invalid. */
export function ssnInvalidReason(d: string): string | undefined {
  if (!/^\d{9}$/.test(d)) return `length ${d.length}`;
  const area = d.slice(0, 3);
  if (area === '000') return 'area 000';
  if (area === '666') return 'area 666';
  if (area >= '900') return `area ${area}`;
  if (d.slice(3, 5) === '00') return 'group 00';
  if (d.slice(5) === '0000') return 'serial 0000';
  return undefined;
}

function standardizeSsn(ctx: Ctx, input: RawFields): void {
  const raw = rawString(ctx, input, 'ssn');
  if (raw === undefined) { flag(ctx, 'ssn', 'MISSING'); return; }
  const digits = raw.replace(/\D+/g, '');
  if (digits.length === 0) {
    flag(ctx, 'ssn', isPlaceholderText(foldText(raw)) ? 'PLACEHOLDER' : 'INVALID_SSN', 'no digits');
    return;
  }
  if (PLACEHOLDER_SSNS.has(digits) || isDigitPattern(digits)) { flag(ctx, 'ssn', 'PLACEHOLDER', 'known placeholder'); return; }
  if (ctx.country === 'US') {
    const reason = ssnInvalidReason(digits);
    if (reason !== undefined) { flag(ctx, 'ssn', 'INVALID_SSN', reason); return; }
  } else if (digits.length < 5 || digits.length > 15) {
    // Outside the US the field carries a national id whose rules we do not know: keep plausible digit strings.
    flag(ctx, 'ssn', 'INVALID_SSN', `length ${digits.length}`);
    return;
  }
  if (digits !== raw) flag(ctx, 'ssn', 'NORMALIZED');
  ctx.values.ssn = digits;
}

function standardizePhone(ctx: Ctx, input: RawFields): void {
  const raw = rawString(ctx, input, 'phone');
  if (raw === undefined) { flag(ctx, 'phone', 'MISSING'); return; }
  const digits = raw.replace(/\D+/g, '');
  if (digits.length < 6 || digits.length > 17) { flag(ctx, 'phone', 'INVALID_PHONE', `digits ${digits.length}`); return; }
  if (isDigitPattern(digits.slice(-7))) { flag(ctx, 'phone', 'PLACEHOLDER'); return; }
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(raw, ctx.country as CountryCode);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !parsed.isValid()) { flag(ctx, 'phone', 'INVALID_PHONE', 'not a valid number'); return; }
  const e164 = parsed.number;
  if (e164 !== raw) flag(ctx, 'phone', 'NORMALIZED');
  ctx.values.phone = e164;
}

const EMAIL_RE = /^[a-z0-9!#$%&*+/=?^_{|}~.'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

function standardizeEmail(ctx: Ctx, input: RawFields): void {
  const raw = rawString(ctx, input, 'email');
  if (raw === undefined) { flag(ctx, 'email', 'MISSING'); return; }
  let e = raw.normalize('NFKC').toLowerCase().replace(/^mailto:/, '').replace(/\s+/g, '');
  if (!EMAIL_RE.test(e)) { flag(ctx, 'email', 'INVALID_EMAIL'); return; }
  const at = e.lastIndexOf('@');
  let local = e.slice(0, at);
  let domain = e.slice(at + 1);
  if (PLACEHOLDER_EMAIL_LOCALS.has(local) || PLACEHOLDER_EMAIL_DOMAINS.has(domain)) { flag(ctx, 'email', 'PLACEHOLDER'); return; }
  if (ctx.opts.emailProviderNormalization && (domain === 'gmail.com' || domain === 'googlemail.com')) {
    const plus = local.indexOf('+');
    if (plus >= 0) local = local.slice(0, plus);
    local = local.replace(/\./g, '');
    domain = 'gmail.com';
    const n = `${local}@${domain}`;
    if (n !== e) flag(ctx, 'email', 'PROVIDER_NORMALIZED');
    e = n;
  }
  if (e !== raw) flag(ctx, 'email', 'NORMALIZED');
  ctx.values.email = e;
  ctx.values.email_user = local;
  ctx.values.email_domain = domain;
}

// ---------- address ----------

interface AddressState { house: string | undefined; unit: string | undefined }

/** Fold a street line: split off unit designators and (line 1) a leading house number, abbreviate types/directionals. */
function streetify(ctx: Ctx, st: AddressState, raw: string, field: string): string | undefined {
  let toks = foldText(raw).split(' ');
  if (raw.includes('#')) {
    const hash = /#\s*([A-Za-z0-9-]+)/.exec(raw);
    const u = hash ? foldText(hash[1] ?? '') : '';
    if (u.length > 0) {
      st.unit ??= u;
      toks = toks.filter((t) => t !== u);
    }
  }
  for (let i = 0; i < toks.length - 1; i++) {
    if (UNIT_DESIGNATORS.has(toks[i] as string) && /\d/.test(toks[i + 1] as string)) {
      st.unit ??= toks[i + 1];
      toks.splice(i, 2);
      i--;
    }
  }
  // Leading number is the house number when not given separately.
  if (field === 'address_line1' && toks.length > 1 && /^\d+[A-Z]?$/.test(toks[0] as string)) {
    if (st.house === undefined) st.house = toks[0];
    toks = toks.slice(1);
  }
  const last = toks.length - 1;
  for (let i = 0; i <= last; i++) {
    const t = toks[i] as string;
    const stype = STREET_TYPES.get(t);
    if (stype !== undefined && i > 0 && (i === last || DIRECTIONALS.has(toks[i + 1] as string))) toks[i] = stype;
    else if (last > 0 && (i === 0 || i === last)) {
      const dir = DIRECTIONALS.get(t);
      if (dir !== undefined) toks[i] = dir;
    }
  }
  const s = toks.join(' ').trim();
  if (s.length === 0 || isPlaceholderText(s)) {
    flag(ctx, field, 'PLACEHOLDER');
    return undefined;
  }
  if (s !== raw.toUpperCase()) flag(ctx, field, 'NORMALIZED');
  return s;
}

function standardizeAddress(ctx: Ctx, input: RawFields): void {
  const v = ctx.values;
  const st: AddressState = { house: rawString(ctx, input, 'house_number'), unit: undefined };
  const line1 = rawString(ctx, input, 'address_line1');
  const line2 = rawString(ctx, input, 'address_line2');
  if (line1 !== undefined) {
    const s = streetify(ctx, st, line1, 'address_line1');
    if (s !== undefined) v.address_line1 = s;
  } else flag(ctx, 'address_line1', 'MISSING');
  if (line2 !== undefined) {
    const s = streetify(ctx, st, line2, 'address_line2');
    if (s !== undefined) v.address_line2 = s;
  }
  const house = st.house;
  const unit = st.unit;
  if (house !== undefined) {
    const h = foldText(house).replace(/ /g, '');
    if (h.length > 0 && h.length <= 10 && /\d/.test(h)) v.house_number = h;
    else flag(ctx, 'house_number', 'INVALID_HOUSE_NUMBER');
  }
  if (unit !== undefined && unit.length > 0) { v.unit = unit; flag(ctx, 'address', 'UNIT_SPLIT_OFF'); }

  const city = rawString(ctx, input, 'city');
  if (city !== undefined) {
    const c = foldText(city, false);
    if (c.length === 0 || isPlaceholderText(c)) flag(ctx, 'city', 'PLACEHOLDER');
    else v.city = c;
  } else flag(ctx, 'city', 'MISSING');

  const state = rawString(ctx, input, 'state');
  if (state !== undefined) {
    const s = foldText(state, false);
    if (s.length === 0 || isPlaceholderText(s)) flag(ctx, 'state', 'PLACEHOLDER');
    else v.state = US_STATES.get(s) ?? s;
  }

  const pc = rawString(ctx, input, 'postcode');
  if (pc !== undefined) {
    let p = foldText(pc).replace(/ /g, '');
    if (ctx.country === 'US' && /^\d{9}$/.test(p)) p = p.slice(0, 5); // ZIP+4 -> ZIP
    else if (ctx.country === 'US' && /^\d{3,4}$/.test(p)) p = p.padStart(5, '0'); // leading zeros lost by spreadsheets
    if (p.length < 3 || p.length > 10 || /^0+$/.test(p) || /^9+$/.test(p) || isPlaceholderText(p)) flag(ctx, 'postcode', 'INVALID_POSTCODE', p.slice(0, 16));
    else {
      if (p !== pc) flag(ctx, 'postcode', 'NORMALIZED');
      v.postcode = p;
    }
  } else flag(ctx, 'postcode', 'MISSING');
}

function standardizeGender(ctx: Ctx, input: RawFields): void {
  const raw = rawString(ctx, input, 'gender');
  if (raw === undefined) return;
  const g = foldText(raw);
  const code = ['M', 'MALE', 'MAN', 'BOY', 'H', 'HOMBRE'].includes(g) ? 'M'
    : ['F', 'FEMALE', 'WOMAN', 'GIRL', 'W', 'MUJER'].includes(g) ? 'F'
    : ['X', 'NONBINARY', 'NON BINARY', 'NB', 'OTHER', 'O', 'DIVERSE', 'D'].includes(g) ? 'X'
    : undefined;
  if (code === undefined) {
    flag(ctx, 'gender', ['U', 'UNKNOWN', 'N', 'NA', 'NOT KNOWN', 'UNSPECIFIED', ''].includes(g) || isPlaceholderText(g) ? 'PLACEHOLDER' : 'INVALID_GENDER', g.slice(0, 16));
    return;
  }
  ctx.values.gender = code;
}

function resolveCountry(ctx: Ctx, input: RawFields): void {
  const raw = rawString(ctx, input, 'country');
  if (raw === undefined) return;
  const c = COUNTRIES.get(foldText(raw, false));
  if (c === undefined) { flag(ctx, 'country', 'UNKNOWN_COUNTRY', raw.slice(0, 32)); return; }
  ctx.values.country = c;
  ctx.country = c;
}

/** Flags input keys that are not canonical fields so silent drops are visible. */
function flagUnknownFields(ctx: Ctx, input: RawFields): void {
  for (const k of Object.keys(input)) {
    if (!(CANONICAL_FIELD_SET as ReadonlySet<string>).has(k)) flag(ctx, k, 'UNKNOWN_FIELD');
  }
}
const CANONICAL_FIELD_SET: ReadonlySet<string> = new Set(CANONICAL_FIELDS);

/** Prefix of standardized attribute values in StandardizedRecord.values ("attr.birthplace"). */
export const ATTRIBUTE_PREFIX = 'attr.';
/** At most this many attributes per record are standardized (hostile input cannot blow up a record). */
export const MAX_ATTRIBUTES = 32;
const MAX_ATTRIBUTE_NAME = 64;

/**
 * Non-canonical attributes (InputRecord.attributes) as comparable values: `attr.<name>` = the value upper-cased,
 * accent-folded, punctuation and whitespace collapsed to single spaces (foldText). Placeholders ("unknown",
 * "n/a") and empty values are dropped. Whether an attribute is compared is decided per dataset (chooseSettings).
 */
function standardizeAttributes(ctx: Ctx, attributes: Readonly<Record<string, unknown>>): void {
  let n = 0;
  for (const [name, v] of Object.entries(attributes)) {
    const key = name.trim();
    if (key.length === 0 || key.length > MAX_ATTRIBUTE_NAME) { flag(ctx, 'attributes', 'ATTRIBUTE_DROPPED', 'bad name'); continue; }
    if (typeof v !== 'string' && typeof v !== 'number') { flag(ctx, `${ATTRIBUTE_PREFIX}${key}`, 'NOT_STRING', typeof v); continue; }
    if (n >= MAX_ATTRIBUTES) { flag(ctx, 'attributes', 'ATTRIBUTE_DROPPED', `more than ${MAX_ATTRIBUTES}`); break; }
    const raw = String(v).slice(0, MAX_FIELD_LENGTH);
    const folded = foldText(raw);
    if (folded.length === 0) continue;
    if (isPlaceholderText(folded)) { flag(ctx, `${ATTRIBUTE_PREFIX}${key}`, 'PLACEHOLDER'); continue; }
    ctx.values[`${ATTRIBUTE_PREFIX}${key}`] = folded;
    n++;
  }
}

/**
 * Standardize one raw record into comparable values plus quality flags. Pure and total: never throws
 * for bad field content (hostile input is flagged and dropped). `attributes` (non-canonical columns, optional)
 * become `attr.<name>` values (standardizeAttributes).
 */
export function standardizeRecord(input: RawFields, opts: StandardizeOptions = {}, attributes?: Readonly<Record<string, string>>): StandardizedRecord {
  const o: Required<StandardizeOptions> = {
    defaultCountry: (opts.defaultCountry ?? 'US').toUpperCase(),
    dateLocale: opts.dateLocale ?? 'US',
    emailProviderNormalization: opts.emailProviderNormalization ?? false,
  };
  const ctx: Ctx = { values: {}, flags: [], opts: o, country: o.defaultCountry };
  const safeInput: RawFields = input !== null && typeof input === 'object' ? input : {};
  if (safeInput !== input) flag(ctx, 'record', 'NOT_OBJECT');
  flagUnknownFields(ctx, safeInput);
  resolveCountry(ctx, safeInput);
  standardizeNames(ctx, safeInput);
  standardizeDob(ctx, safeInput);
  standardizeGender(ctx, safeInput);
  standardizeSsn(ctx, safeInput);
  standardizePhone(ctx, safeInput);
  standardizeEmail(ctx, safeInput);
  standardizeAddress(ctx, safeInput);
  if (attributes !== undefined && attributes !== null && typeof attributes === 'object') standardizeAttributes(ctx, attributes);
  return { values: ctx.values, flags: ctx.flags };
}
