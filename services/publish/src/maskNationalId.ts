import { FieldSealer } from '@idres/core/fieldSealer';
/**
 * A national ID as callers without the national_id:read scope see it: only the last four digits, in the US SSN
 * shape (`***-**-1234`), whatever the stored format. Fewer than four digits show none.
 */
export function maskNationalId(value: string): string {
  // Still sealed (no key here): its characters are ciphertext, not the last digits.
  if (FieldSealer.isSealed(value)) return '***-**-****';
  const digits = value.replace(/\D/g, '');
  return `***-**-${digits.length >= 4 ? digits.slice(-4) : '****'}`;
}

/** The fields of a record's values that hold national IDs. */
export const NATIONAL_ID_FIELDS: readonly string[] = ['ssn'];

/** A copy of `values` with every national-ID field masked (the input is not changed). */
export function maskValues(values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...values };
  for (const f of NATIONAL_ID_FIELDS) {
    const v = out[f];
    if (v !== undefined) out[f] = maskNationalId(v);
  }
  return out;
}
