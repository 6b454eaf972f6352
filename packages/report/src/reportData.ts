import { FieldSealer } from '@idres/core/fieldSealer';
import type { Pool } from 'pg';

/** Everything the data-quality report shows; collected from Postgres (collectReportData) or given by the caller. */
export interface ReportData {
  title: string;
  generatedAt: string;
  records: { total: number; identities: number; bySource: Array<{ source: string; records: number }> };
  /** Quarantined messages by stage and code (identity.quarantine), when the caller read them. */
  rejected: Array<{ stage: string; code: string; count: number }>;
  completeness: { fields: string[]; bySource: Array<{ source: string; records: number; filled: number[] }> };
  /** Standardization flags by source (e.g. NORMALIZED, PLACEHOLDER, INVALID), when the caller computed them. */
  flags: Array<{ source: string; field: string; code: string; count: number }>;
  /** Values shared by unusually many identities; `value` is masked (the report is not a place for personal data). */
  outliers: Array<{ field: string; value: string; records: number; identities: number }>;
  weights: { bins: Array<{ from: number; links: number; evidence: number }>; binWidth: number; thresholdWeight: number | null };
  clusterSizes: Array<{ size: number; count: number }>;
  /** For each comparison, the links in which it carried the largest positive weight. */
  decisive: Array<{ comparison: string; links: number }>;
  householdSizes: Array<{ size: number; count: number }>;
  sampleLinks: Array<{ a: string; b: string; probability: number; matchWeight: number; terms: Array<{ comparison: string; level: string; weight: number }> }>;
  model: { version: number; kind: string; description: string; createdAt: string; threshold: number | null; comparisons: string[]; trainedOn: { records: number | null; description: string; method: string } } | null;
}

export const REPORT_FIELDS = ['given_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'city', 'state', 'postcode'] as const;
const OUTLIER_FIELDS = ['ssn', 'phone', 'email', 'dob'] as const;

/** Keeps the shape of a value (placeholders stay recognisable: 000•••00) without the value itself. */
export function maskValue(v: string): string {
  // A sealed national ID groups like its clear value (the seal is deterministic) but shows nothing of it.
  if (FieldSealer.isSealed(v)) return '(sealed)';
  if (v.length <= 4) return '•'.repeat(v.length);
  return `${v.slice(0, 2)}${'•'.repeat(Math.min(v.length - 4, 8))}${v.slice(-2)}`;
}

const weightOf = (p: number): number => Math.log2(p / (1 - p));

export interface CollectOptions {
  title?: string;
  rejected?: ReportData['rejected'];
  flags?: ReportData['flags'];
  /** Links explained in the decisive-comparison chart (a sample of this many, default 20,000). */
  explainedLinks?: number;
  sampleLinks?: number;
}

const exists = async (pool: Pool, table: string): Promise<boolean> =>
  (await pool.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [table])).rows[0]?.t != null;

/** Reads the report's data from resolve's, the households service's and the model store's tables. */
export async function collectReportData(pool: Pool, opts: CollectOptions = {}): Promise<ReportData> {
  const data: ReportData = {
    title: opts.title ?? 'idres data-quality report',
    generatedAt: new Date().toISOString(),
    records: { total: 0, identities: 0, bySource: [] },
    rejected: opts.rejected ?? [],
    completeness: { fields: [...REPORT_FIELDS], bySource: [] },
    flags: opts.flags ?? [],
    outliers: [],
    weights: { bins: [], binWidth: 2, thresholdWeight: null },
    clusterSizes: [],
    decisive: [],
    householdSizes: [],
    sampleLinks: [],
    model: null,
  };
  if (await exists(pool, 'idres_records')) {
    const filled = REPORT_FIELDS.map((f, i) => `count(*) FILTER (WHERE coalesce(values->>'${f}', '') <> '') AS f${i}`).join(', ');
    const bySource = await pool.query<Record<string, string>>(
      `SELECT split_part(record_id, ':', 1) AS source, count(*) AS n, ${filled} FROM idres_records WHERE NOT deleted GROUP BY 1 ORDER BY 2 DESC`);
    for (const r of bySource.rows) {
      const n = Number(r['n']);
      data.records.bySource.push({ source: r['source']!, records: n });
      data.completeness.bySource.push({ source: r['source']!, records: n, filled: REPORT_FIELDS.map((_, i) => Number(r[`f${i}`])) });
      data.records.total += n;
    }
    data.records.identities = Number((await pool.query<{ n: string }>(`SELECT count(DISTINCT cluster_id) AS n FROM idres_records WHERE NOT deleted AND cluster_id IS NOT NULL`)).rows[0]?.n ?? 0);
    for (const f of OUTLIER_FIELDS) {
      // A value held by many distinct identities is a placeholder or a shared contact, not a person's own.
      const r = await pool.query<{ v: string; records: string; identities: string }>(
        `SELECT values->>'${f}' AS v, count(*) AS records, count(DISTINCT cluster_id) AS identities FROM idres_records
         WHERE NOT deleted AND coalesce(values->>'${f}', '') <> '' GROUP BY 1 HAVING count(DISTINCT cluster_id) >= 5 ORDER BY 3 DESC LIMIT 5`);
      for (const x of r.rows) data.outliers.push({ field: f, value: maskValue(x.v), records: Number(x.records), identities: Number(x.identities) });
    }
    data.outliers.sort((a, b) => b.identities - a.identities);
    const sizes = await pool.query<{ size: number; n: string }>(`SELECT size, count(*) AS n FROM idres_clusters WHERE size > 0 GROUP BY 1 ORDER BY 1`);
    data.clusterSizes = sizes.rows.map((r) => ({ size: r.size, count: Number(r.n) }));
  }
  if (await exists(pool, 'idres_edges')) {
    const w = data.weights.binWidth;
    const bins = await pool.query<{ b: number; links: string; evidence: string }>(
      `SELECT floor(match_weight / $1)::int AS b, count(*) FILTER (WHERE link) AS links, count(*) FILTER (WHERE NOT link) AS evidence FROM idres_edges GROUP BY 1 ORDER BY 1`, [w]);
    data.weights.bins = bins.rows.map((r) => ({ from: r.b * w, links: Number(r.links), evidence: Number(r.evidence) }));
    const expl = await pool.query<{ explanation: string }>(`SELECT explanation FROM idres_edges WHERE link ORDER BY a, b LIMIT $1`, [opts.explainedLinks ?? 20_000]);
    const decisive = new Map<string, number>();
    for (const r of expl.rows) {
      const terms = parseTerms(r.explanation).filter((t) => t.comparison !== 'prior');
      const top = terms.reduce<(typeof terms)[number] | undefined>((m, t) => (m === undefined || t.weight > m.weight ? t : m), undefined);
      if (top && top.weight > 0) decisive.set(top.comparison, (decisive.get(top.comparison) ?? 0) + 1);
    }
    data.decisive = [...decisive].map(([comparison, links]) => ({ comparison, links })).sort((a, b) => b.links - a.links);
    // A spread of links from the weakest to the strongest, each with its explanation.
    const sample = await pool.query<{ a: string; b: string; probability: number; match_weight: number; explanation: string }>(
      `SELECT DISTINCT ON (t) a, b, probability, match_weight, explanation
         FROM (SELECT a, b, probability, match_weight, explanation, ntile($1) OVER (ORDER BY match_weight, a, b) AS t FROM idres_edges WHERE link) y
       ORDER BY t, match_weight, a, b`, [opts.sampleLinks ?? 6]);
    data.sampleLinks = sample.rows.map((r) => ({ a: r.a, b: r.b, probability: r.probability, matchWeight: r.match_weight, terms: parseTerms(r.explanation) }));
  }
  if (await exists(pool, 'idres_households')) {
    const hh = await pool.query<{ size: number; n: string }>(`SELECT size, count(*) AS n FROM idres_households GROUP BY 1 ORDER BY 1`);
    data.householdSizes = hh.rows.map((r) => ({ size: r.size, count: Number(r.n) }));
  }
  if (await exists(pool, 'idres_models')) {
    const m = await pool.query<{ version: string; kind: string; description: string; created_at: Date; threshold: number | null; comparisons: string[] | null; trained_records: string | null; trained_desc: string | null; method: string | null }>(
      `SELECT version, kind, description, created_at, (model->>'threshold')::float8 AS threshold,
         model->'trainedOn'->>'records' AS trained_records, model->'trainedOn'->>'description' AS trained_desc, model->'training'->>'method' AS method,
         ARRAY(SELECT jsonb_array_elements(model->'settings'->'comparisons')->>'name') AS comparisons
       FROM idres_models WHERE active`);
    const r = m.rows[0];
    if (r) {
      data.model = { version: Number(r.version), kind: r.kind, description: r.description, createdAt: r.created_at.toISOString(), threshold: r.threshold, comparisons: (r.comparisons ?? []).filter((c) => c !== null),
        trainedOn: { records: r.trained_records === null ? null : Number(r.trained_records), description: r.trained_desc ?? '', method: r.method ?? '' } };
      if (r.threshold !== null && r.threshold > 0 && r.threshold < 1) data.weights.thresholdWeight = weightOf(r.threshold);
    }
  }
  return data;
}

function parseTerms(text: string): Array<{ comparison: string; level: string; weight: number }> {
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter((t): t is { comparison: string; level: string; weight: number } =>
      typeof t === 'object' && t !== null && typeof (t as { comparison?: unknown }).comparison === 'string' && typeof (t as { weight?: unknown }).weight === 'number')
      .map((t) => ({ comparison: t.comparison, level: String(t.level ?? ''), weight: t.weight }));
  } catch {
    return [];
  }
}
