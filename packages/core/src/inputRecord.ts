import { CANONICAL_FIELDS, type CanonicalField } from './fields';

/** A record as ingest accepts it: canonical fields as strings, anything else as named string attributes. */
export interface InputRecord {
  source: string;
  sourceRecordId: string;
  fields: Partial<Record<CanonicalField, string>>;
  attributes: Record<string, string>;
}

export type InputResult = { ok: InputRecord } | { error: string };

const CANONICAL = new Set<string>(CANONICAL_FIELDS);
const MAX_FIELD = 10_000;

/**
 * Validates one JSON object from POST /records or a JSONL file:
 * `{ "source": "crm", "sourceRecordId": "42", "given_name": "Ann", ..., "attributes": { "tier": "gold" } }`.
 * Numbers are accepted as text (ZIP codes, IDs); nested objects, arrays and booleans in fields are refused.
 */
export function validateInputRecord(input: unknown, defaultSource?: string): InputResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { error: 'record must be a JSON object' };
  const obj = input as Record<string, unknown>;
  const source = obj['source'] ?? defaultSource;
  if (typeof source !== 'string' || source.trim() === '') return { error: 'source is required (a non-empty string)' };
  if (source.includes(':')) return { error: `source "${source}" must not contain ':'` };
  const idRaw = obj['sourceRecordId'] ?? obj['id'];
  if ((typeof idRaw !== 'string' && typeof idRaw !== 'number') || String(idRaw).trim() === '') return { error: 'sourceRecordId is required (a non-empty string or number)' };
  const out: InputRecord = { source: source.trim(), sourceRecordId: String(idRaw).trim(), fields: {}, attributes: {} };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'source' || k === 'sourceRecordId' || k === 'id') continue;
    if (k === 'attributes') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'attributes must be an object of strings' };
      for (const [ak, av] of Object.entries(v as Record<string, unknown>)) {
        if (typeof av !== 'string' && typeof av !== 'number') return { error: `attribute ${ak} must be a string` };
        out.attributes[ak] = String(av);
      }
      continue;
    }
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number') return { error: `field ${k} must be a string, got ${Array.isArray(v) ? 'array' : typeof v}` };
    const s = String(v);
    if (s.length > MAX_FIELD) return { error: `field ${k} is longer than ${MAX_FIELD} characters` };
    if (CANONICAL.has(k)) out.fields[k as CanonicalField] = s;
    else out.attributes[k] = s;
  }
  if (Object.values(out.fields).every((v) => v === undefined || v.trim() === '')) return { error: 'record has no canonical field with a value' };
  return { ok: out };
}
