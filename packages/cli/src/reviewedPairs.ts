import pg from 'pg';
import type { ReviewedPair } from '@idres/core/reviewLabels';

/** What reviewers' decisions teach training: labelled pairs for the threshold, the "same" pairs' values for m. */
export interface Reviews {
  pairs: ReviewedPair[];
  /** Standardized values of both records of each holding "same person" decision (records still live). */
  sameValues: Array<readonly [Record<string, string>, Record<string, string>]>;
}

/**
 * The decisions that hold (idres_overrides), each with the probability resolve stored for its pair (null when the
 * pair was never scored, or its edge is gone). No tables yet (nothing reviewed): no pairs.
 */
export async function loadReviewedPairs(databaseUrl: string): Promise<ReviewedPair[]> {
  return (await loadReviews(databaseUrl, { withValues: false })).pairs;
}

/**
 * The holding decisions with their stored probabilities, and (unless `withValues` is false, as for
 * `idres review quality`, which needs no values) the values of the "same person" pairs.
 */
export async function loadReviews(databaseUrl: string, opts: { withValues?: boolean } = {}): Promise<Reviews> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const exists = await pool.query<{ t: string | null; r: string | null }>(`SELECT to_regclass('idres_overrides')::text AS t, to_regclass('idres_records')::text AS r`);
    if (exists.rows[0]?.t == null) return { pairs: [], sameValues: [] };
    const res = await pool.query<{ decision: 'SAME' | 'DIFFERENT'; probability: number | null }>(
      `SELECT o.decision, e.probability FROM idres_overrides o LEFT JOIN idres_edges e ON e.a = o.a AND e.b = o.b WHERE o.undone_at IS NULL ORDER BY o.id`);
    const pairs = res.rows.map((r) => ({ same: r.decision === 'SAME', probability: r.probability }));
    if (opts.withValues === false || exists.rows[0]?.r == null) return { pairs, sameValues: [] };
    const same = await pool.query<{ va: Record<string, string>; vb: Record<string, string> }>(
      `SELECT ra.values AS va, rb.values AS vb FROM idres_overrides o
         JOIN idres_records ra ON ra.record_id = o.a AND NOT ra.deleted
         JOIN idres_records rb ON rb.record_id = o.b AND NOT rb.deleted
        WHERE o.undone_at IS NULL AND o.decision = 'SAME' ORDER BY o.id`);
    return { pairs, sameValues: same.rows.map((r) => [r.va, r.vb] as const) };
  } finally {
    await pool.end();
  }
}
