/** How a golden record picks one value per field from an identity's member records. */
export type SurvivorshipRule = 'most_frequent' | 'most_recent' | 'most_complete';

export interface SurvivorshipMember {
  recordId: string;
  /** Larger is more recent (the record version / ingestion time). */
  recency: number;
  values: Readonly<Record<string, string>>;
}

export interface GoldenFields {
  fields: Record<string, string>;
  /** Field -> the record ID its value was taken from. */
  sources: Record<string, string>;
}

export const GOLDEN_FIELDS: readonly string[] = [
  'given_name', 'middle_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email',
  'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country',
];

/** Defaults: stable attributes by vote, contact details by recency (people move and change numbers). */
export const DEFAULT_SURVIVORSHIP: Readonly<Record<string, SurvivorshipRule>> = {
  given_name: 'most_frequent', middle_name: 'most_complete', family_name: 'most_frequent', dob: 'most_frequent',
  gender: 'most_frequent', ssn: 'most_frequent', phone: 'most_recent', email: 'most_recent',
  house_number: 'most_recent', address_line1: 'most_recent', address_line2: 'most_recent', city: 'most_recent',
  state: 'most_recent', postcode: 'most_recent', country: 'most_frequent',
};

/**
 * Builds a golden record. Every tie is broken by recency, then by record ID, so the result depends only on the
 * members, never on the order they are given in.
 */
export function buildGolden(
  members: readonly SurvivorshipMember[],
  rules: Readonly<Record<string, SurvivorshipRule>> = DEFAULT_SURVIVORSHIP,
  fields: readonly string[] = GOLDEN_FIELDS,
): GoldenFields {
  const ordered = [...members].sort((a, b) => b.recency - a.recency || (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
  const out: GoldenFields = { fields: {}, sources: {} };
  for (const field of fields) {
    const rule = rules[field] ?? 'most_frequent';
    const candidates = ordered.filter((m) => (m.values[field] ?? '') !== '');
    if (candidates.length === 0) continue;
    let pick = candidates[0]!;
    if (rule === 'most_frequent') {
      const counts = new Map<string, number>();
      for (const m of candidates) counts.set(m.values[field]!, (counts.get(m.values[field]!) ?? 0) + 1);
      let best = -1;
      for (const m of candidates) {
        const n = counts.get(m.values[field]!)!;
        if (n > best) {
          best = n;
          pick = m;
        }
      }
    } else if (rule === 'most_complete') {
      for (const m of candidates) if (m.values[field]!.length > pick.values[field]!.length) pick = m;
    }
    out.fields[field] = pick.values[field]!;
    out.sources[field] = pick.recordId;
  }
  return out;
}

const RULES: readonly SurvivorshipRule[] = ['most_frequent', 'most_recent', 'most_complete'];

/**
 * Parses user overrides such as `{"phone":"most_frequent","email":"most_complete"}` onto the defaults.
 * Throws a plain Error naming the bad entry, so configuration mistakes stop the service at start-up.
 */
export function parseSurvivorship(json: string | undefined, defaults: Readonly<Record<string, SurvivorshipRule>> = DEFAULT_SURVIVORSHIP): Record<string, SurvivorshipRule> {
  const out: Record<string, SurvivorshipRule> = { ...defaults };
  if (json === undefined || json.trim() === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`survivorship rules are not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('survivorship rules must be a JSON object of field -> rule');
  for (const [field, rule] of Object.entries(parsed as Record<string, unknown>)) {
    if (!GOLDEN_FIELDS.includes(field)) throw new Error(`survivorship: unknown field ${field} (fields: ${GOLDEN_FIELDS.join(', ')})`);
    if (typeof rule !== 'string' || !RULES.includes(rule as SurvivorshipRule)) throw new Error(`survivorship: rule for ${field} must be one of ${RULES.join(', ')}`);
    out[field] = rule as SurvivorshipRule;
  }
  return out;
}
