import { standardizeRecord, type RawFields, type StandardizeOptions } from '@idres/core';
import type { ReportData } from './reportData';

/**
 * Standardization flags (NORMALIZED, PLACEHOLDER, INVALID, ...) counted by source and field over input rows, by
 * standardizing them again: flags are not stored with the resolved records, and at ~70k records per second this
 * is cheaper than reading identity.standardized back. MISSING is left out (completeness shows it).
 */
export async function standardizationFlags(
  rows: AsyncIterable<{ source: string; fields: RawFields }> | Iterable<{ source: string; fields: RawFields }>,
  opts: StandardizeOptions = {},
): Promise<ReportData['flags']> {
  const counts = new Map<string, { source: string; field: string; code: string; count: number }>();
  for await (const r of rows) {
    for (const f of standardizeRecord(r.fields, opts).flags) {
      if (f.code === 'MISSING') continue;
      const k = `${r.source}\u0000${f.field}\u0000${f.code}`;
      const c = counts.get(k) ?? { source: r.source, field: f.field, code: f.code, count: 0 };
      c.count++;
      counts.set(k, c);
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}
