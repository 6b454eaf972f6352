import type { FieldSealer } from '@idres/core/fieldSealer';
import { foldText } from '@idres/core/text';
import { standardizeRecord } from '@idres/core/standardizeRecord';

/** What one search box string asks for. Each token is classified on its own; the criteria are ANDed. */
export interface SearchCriteria {
  masterId?: string;
  recordId?: string;
  dob?: string;
  /** Per identifier token, its standardized forms (SSN, phone, email, any attribute): one must be some field's value. */
  identifiers: string[][];
  /** Name tokens (standardized) with the typed text: each must be a member's name, or its source record ID. */
  names: Array<{ name: string; text: string }>;
}

export class SearchQueryError extends Error {
  readonly code = 'QUERY_INVALID';
}

const MAX_QUERY = 200;

/**
 * "MDM_0000000042" → that identity; "crm:1234" → that source record; "1980-02-01" → date of birth;
 * "ann@x.com", "123-45-6789", "+1 555 123 4567" → identifiers, standardized as ingest would; any other word → a
 * name (or a source record ID without its source).
 */
export function parseSearchQuery(q: string): SearchCriteria {
  const text = q.trim();
  if (text === '') throw new SearchQueryError('type a name, a date of birth, an identifier, a record ID or a master ID');
  if (text.length > MAX_QUERY) throw new SearchQueryError(`a search is at most ${MAX_QUERY} characters`);
  const out: SearchCriteria = { identifiers: [], names: [] };
  for (const token of text.split(/\s+/)) {
    if (/^MDM_\d+$/i.test(token)) { out.masterId = token.toUpperCase(); continue; }
    if (/^\d{4}-\d{2}-\d{2}$/.test(token)) { out.dob = token; continue; }
    if (token.includes('@')) { out.identifiers.push([...new Set([standardizeRecord({ email: token }).values['email'] ?? token.toLowerCase(), token])]); continue; }
    if (/^[^:\s]+:[^\s]+$/.test(token)) { out.recordId = token; continue; }
    const digits = token.replace(/[\s()+.-]/g, '');
    if (/^\d{5,}$/.test(digits)) {
      const std = standardizeRecord({ ssn: token, phone: token }).values;
      out.identifiers.push([...new Set([token, digits, std['ssn'], std['phone']].filter((v): v is string => typeof v === 'string' && v !== ''))]);
      continue;
    }
    const name = foldText(token);
    if (name !== '') out.names.push({ name, text: token });
  }
  return out;
}

/**
 * Criteria that also find sealed national IDs: each identifier is looked for in clear and in its sealed form (the
 * seal is deterministic, so an SSN typed in the search box finds the record that holds it sealed).
 */
export function withSealedIdentifiers(c: SearchCriteria, sealer: FieldSealer | undefined): SearchCriteria {
  if (!sealer) return c;
  return { ...c, identifiers: c.identifiers.map((alts) => [...new Set([...alts, ...[...sealer.fields].flatMap((f) => alts.map((a) => sealer.seal(f, a)))])]) };
}
