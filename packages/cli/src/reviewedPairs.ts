import pg from 'pg';
import type { ReviewedPair } from '@idres/core/reviewLabels';

/**
 * The decisions that hold (idres_overrides), each with the probability resolve stored for its pair (null when the
 * pair was never scored, or its edge is gone). No tables yet (nothing reviewed): no pairs.
 */
export async function loadReviewedPairs(databaseUrl: string): Promise<ReviewedPair[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('idres_overrides')::text AS t, to_regclass('idres_edges')::text AS e`);
    if (exists.rows[0]?.t === null) return [];
    const res = await pool.query<{ decision: 'SAME' | 'DIFFERENT'; probability: number | null }>(
      `SELECT o.decision, e.probability FROM idres_overrides o LEFT JOIN idres_edges e ON e.a = o.a AND e.b = o.b WHERE o.undone_at IS NULL ORDER BY o.id`);
    return res.rows.map((r) => ({ same: r.decision === 'SAME', probability: r.probability }));
  } finally {
    await pool.end();
  }
}
