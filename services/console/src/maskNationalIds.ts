import { FieldSealer } from '@idres/core/fieldSealer';
/** Fields that hold national IDs: masked for users without the right to see them. */
const NATIONAL_ID_FIELDS = new Set(['ssn']);

export const maskId = (v: string): string => (FieldSealer.isSealed(v) ? '••••' : v.length <= 4 ? '•'.repeat(v.length) : `${'•'.repeat(v.length - 4)}${v.slice(-4)}`);

/** A copy of `values` with national IDs masked (all but the last four characters). */
export function maskValues(values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = NATIONAL_ID_FIELDS.has(k) ? maskId(v) : v;
  return out;
}
