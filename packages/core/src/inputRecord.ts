import { CANONICAL_FIELDS, type CanonicalField } from './fields';

/** A record as ingest accepts it: canonical fields as strings, anything else as named string attributes. */
export interface InputRecord {
  source: string;
  sourceRecordId: string;
  fields: Partial<Record<CanonicalField, string>>;
  attributes: Record<string, string>;
}

/** Stable codes of a refused record; `error` says which field and what is wrong with it, never its value. */
export type InputErrorCode =
  | 'NOT_AN_OBJECT'
  | 'SOURCE_INVALID'
  | 'ID_INVALID'
  | 'FIELD_TYPE'
  | 'FIELD_TOO_LONG'
  | 'FIELD_CHARACTERS'
  | 'NAME_INVALID'
  | 'TOO_MANY_ATTRIBUTES'
  | 'NO_CANONICAL_FIELD';

export type InputResult = { ok: InputRecord } | { error: string; code: InputErrorCode };

const CANONICAL = new Set<string>(CANONICAL_FIELDS);
export const MAX_FIELD = 10_000;
/** A canonical value (name, date, address...) over this is a producer's bug, not a value; standardize refuses the same. */
export const MAX_CANONICAL = 1_000;
/** Source, record ID, field and attribute names: longer ones are not names but mistakes (or attacks). */
export const MAX_NAME = 200;
export const MAX_ATTRIBUTES = 200;

const fail = (code: InputErrorCode, error: string): InputResult => ({ error, code });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as is (NUL is refused by Postgres text; a lone surrogate is not Unicode), or undefined. */
function badCharacters(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/** What is wrong with a key (field or attribute name), or undefined; the message may show names, not values. */
function badName(k: string): string | undefined {
  if (k.length === 0) return 'an empty field name';
  if (k.length > MAX_NAME) return `a field name longer than ${MAX_NAME} characters`;
  if (k === '__proto__') return 'the reserved field name __proto__';
  if (badCharacters(k) !== undefined || /[\u0000-\u001f\u007f]/.test(k)) return 'a field name with control characters';
  return undefined;
}

/**
 * Validates one JSON object from POST /records or a JSONL file:
 * `{ "source": "crm", "sourceRecordId": "42", "given_name": "Ann", ..., "attributes": { "tier": "gold" } }`.
 * Numbers are accepted as text (ZIP codes, IDs); nested objects, arrays and booleans in fields are refused.
 * Error messages name the field and the problem, never the field's value (it is personal data).
 */
export function validateInputRecord(input: unknown, defaultSource?: string): InputResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('NOT_AN_OBJECT', 'record must be a JSON object');
  const obj = input as Record<string, unknown>;
  const source = obj['source'] ?? defaultSource;
  if (typeof source !== 'string' || source.trim() === '') return fail('SOURCE_INVALID', 'source is required (a non-empty string)');
  if (source.includes(':')) return fail('SOURCE_INVALID', "source must not contain ':'");
  if (source.length > MAX_NAME) return fail('SOURCE_INVALID', `source is longer than ${MAX_NAME} characters`);
  const sourceChars = badCharacters(source) ?? (/[\u0000-\u001f\u007f]/.test(source) ? 'contains control characters' : undefined);
  if (sourceChars) return fail('SOURCE_INVALID', `source ${sourceChars}`);
  const idRaw = obj['sourceRecordId'] ?? obj['id'];
  if ((typeof idRaw !== 'string' && typeof idRaw !== 'number') || String(idRaw).trim() === '') return fail('ID_INVALID', 'sourceRecordId is required (a non-empty string or number)');
  if (typeof idRaw === 'number' && !Number.isFinite(idRaw)) return fail('ID_INVALID', 'sourceRecordId must be a finite number');
  const id = String(idRaw).trim();
  if (id.length > MAX_NAME) return fail('ID_INVALID', `sourceRecordId is longer than ${MAX_NAME} characters`);
  const idChars = badCharacters(id);
  if (idChars) return fail('ID_INVALID', `sourceRecordId ${idChars}`);
  const out: InputRecord = { source: source.trim(), sourceRecordId: id, fields: {}, attributes: {} };
  let attributeCount = 0;
  const checkValue = (label: string, v: string, max = MAX_FIELD): InputResult | undefined => {
    if (v.length > max) return fail('FIELD_TOO_LONG', `${label} is longer than ${max} characters`);
    const chars = badCharacters(v);
    if (chars) return fail('FIELD_CHARACTERS', `${label} ${chars}`);
    return undefined;
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'source' || k === 'sourceRecordId' || k === 'id') continue;
    if (k === 'attributes') {
      if (v === null || v === undefined) continue;
      if (typeof v !== 'object' || Array.isArray(v)) return fail('FIELD_TYPE', 'attributes must be an object of strings');
      for (const [ak, av] of Object.entries(v as Record<string, unknown>)) {
        const nameProblem = badName(ak);
        if (nameProblem) return fail('NAME_INVALID', `attributes has ${nameProblem}`);
        if (av === null || av === undefined) continue;
        if (typeof av !== 'string' && typeof av !== 'number') return fail('FIELD_TYPE', `attribute ${ak} must be a string, got ${Array.isArray(av) ? 'array' : typeof av}`);
        const s = String(av);
        const bad = checkValue(`attribute ${ak}`, s);
        if (bad) return bad;
        if (++attributeCount > MAX_ATTRIBUTES) return fail('TOO_MANY_ATTRIBUTES', `more than ${MAX_ATTRIBUTES} attributes`);
        out.attributes[ak] = s;
      }
      continue;
    }
    const nameProblem = badName(k);
    if (nameProblem) return fail('NAME_INVALID', `record has ${nameProblem}`);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number') return fail('FIELD_TYPE', `field ${k} must be a string, got ${Array.isArray(v) ? 'array' : typeof v}`);
    if (typeof v === 'number' && !Number.isFinite(v)) return fail('FIELD_TYPE', `field ${k} must be a finite number`);
    const s = String(v);
    const bad = checkValue(`field ${k}`, s, CANONICAL.has(k) ? MAX_CANONICAL : MAX_FIELD);
    if (bad) return bad;
    if (CANONICAL.has(k)) out.fields[k as CanonicalField] = s;
    else {
      if (++attributeCount > MAX_ATTRIBUTES) return fail('TOO_MANY_ATTRIBUTES', `more than ${MAX_ATTRIBUTES} attributes`);
      out.attributes[k] = s;
    }
  }
  if (Object.values(out.fields).every((v) => v === undefined || v.trim() === '')) return fail('NO_CANONICAL_FIELD', 'record has no canonical field with a value');
  return { ok: out };
}
