import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** The personal values of one person that must never appear in a log, error, quarantine reason or trace. */
export interface PiiValues { ssn?: string; phone?: string; email?: string; dob?: string }

const SAMPLE = new URL('../fixtures/synthetic/sample_2000.csv', import.meta.url);

/** The first n rows of the demo's sample (test/fixtures/synthetic/sample_2000.csv), as CSV rows. */
export function sampleRows(n: number): Array<Record<string, string>> {
  const rows = parse(readFileSync(SAMPLE, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  return rows.slice(0, n);
}

/**
 * People whose values the hostile cases below put where a careless error message would quote them. Made-up values
 * of the right shapes (not in the sample), so a hit can only come from these inputs.
 */
export const HOSTILE_PEOPLE: ReadonlyArray<Required<PiiValues>> = [
  { ssn: '527-41-8836', phone: '(415) 739-2841', email: 'odalys.quintero@example.org', dob: '1961-07-23' },
  { ssn: '638299147', phone: '+1 312 555 0187', email: 'b.thorvaldsen+crm@example.net', dob: '04/19/1988' },
  { ssn: '409-83-5512', phone: '646.802.7713', email: 'marguerite_ferland@example.com', dob: '1993-11-02' },
];

/**
 * The forms a value could leak in: as given, digits only (SSNs, phones), lower case (emails) and ISO (dates in
 * MM/DD/YYYY), since standardization rewrites them before later stages could log them.
 */
export function leakForms(v: PiiValues): Array<{ kind: keyof PiiValues; form: string }> {
  const out: Array<{ kind: keyof PiiValues; form: string }> = [];
  const add = (kind: keyof PiiValues, form: string | undefined): void => { if (form && !out.some((o) => o.form === form)) out.push({ kind, form }); };
  for (const kind of ['ssn', 'phone'] as const) {
    const raw = v[kind];
    if (!raw) continue;
    add(kind, raw);
    const digits = raw.replace(/\D/g, '');
    if (digits.length >= 7) add(kind, digits);
    if (kind === 'phone' && digits.length === 11 && digits.startsWith('1')) add(kind, digits.slice(1));
  }
  if (v.email) { add('email', v.email); add('email', v.email.toLowerCase()); }
  if (v.dob) {
    add('dob', v.dob);
    const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v.dob);
    if (us) add('dob', `${us[3]}-${us[1]}-${us[2]}`);
  }
  return out;
}
