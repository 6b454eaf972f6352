import type { Pool } from 'pg';
import { clusterIdOf, masterIdOf } from '@idres/core/masterId';
import type { ReviewCandidate } from '@idres/core/reviewQueue';
import type { SearchCriteria } from './searchQuery';

export interface HistoryEvent {
  seq: number;
  masterId: string;
  type: 'MEMBERSHIP' | 'MERGED' | 'SPLIT' | 'RETIRED';
  members: number;
  survivorId: string | null;
  splitFrom: string | null;
  at: number;
}

export interface SearchHit {
  masterId: string;
  recordIds: string[];
}

/** Postgres's undefined_table. */
const UNDEFINED_TABLE = '42P01';

/** Read side over resolve's tables (records, clusters, edges, the identity history). */
export class ConsoleQueries {
  constructor(private readonly pool: Pool) {}

  /** Identities with a live member matching every criterion, with the matching members; at most `limit`. */
  async search(q: SearchCriteria, limit: number): Promise<SearchHit[]> {
    const where: string[] = ['NOT deleted', 'cluster_id IS NOT NULL'];
    const params: unknown[] = [];
    const p = (v: unknown): string => { params.push(v); return `$${params.length}`; };
    if (q.masterId !== undefined) {
      const cid = clusterIdOf(q.masterId);
      if (cid === undefined) return [];
      where.push(`cluster_id = ${p(cid)}`);
    }
    if (q.recordId !== undefined) where.push(`record_id = ${p(q.recordId)}`);
    if (q.dob !== undefined) where.push(`values->>'dob' = ${p(q.dob)}`);
    for (const alternatives of q.identifiers) where.push(`EXISTS (SELECT 1 FROM jsonb_each_text(values) v WHERE v.value = ANY(${p(alternatives)}))`);
    for (const { name, text } of q.names) {
      const n = p(name);
      const t = p(text);
      where.push(`(values->>'family_name' = ${n} OR values->>'given_name' = ${n} OR values->>'middle_name' = ${n} OR ${n} = ANY(string_to_array(values->>'family_name', ' ')) OR ${n} = ANY(string_to_array(values->>'given_name', ' ')) OR substr(record_id, strpos(record_id, ':') + 1) = ${t})`);
    }
    const res = await this.pool.query<{ cluster_id: string; ids: string[] }>(
      `SELECT cluster_id, array_agg(record_id ORDER BY record_id) AS ids FROM idres_records WHERE ${where.join(' AND ')}
       GROUP BY cluster_id ORDER BY cluster_id LIMIT ${p(limit)}`, params);
    return res.rows.map((r) => ({ masterId: masterIdOf(r.cluster_id), recordIds: r.ids }));
  }

  /** Pairs worth reviewing: probability in [lo, hi], or links across identities; pairs with a decision that holds left out. */
  async reviewCandidates(band: { lo: number; hi: number; thresholdWeight: number }, limit: number): Promise<ReviewCandidate[]> {
    const res = await this.pool.query<{ a: string; b: string; probability: number; match_weight: number; link: boolean; ca: string | null; cb: string | null }>(
      `SELECT e.a, e.b, e.probability, e.match_weight, e.link, ra.cluster_id AS ca, rb.cluster_id AS cb
         FROM idres_edges e
         JOIN idres_records ra ON ra.record_id = e.a AND NOT ra.deleted
         JOIN idres_records rb ON rb.record_id = e.b AND NOT rb.deleted
        WHERE ((e.probability >= $1 AND e.probability <= $2) OR (e.link AND ra.cluster_id IS DISTINCT FROM rb.cluster_id))
          AND NOT EXISTS (SELECT 1 FROM idres_overrides o WHERE o.undone_at IS NULL AND o.a = e.a AND o.b = e.b)
        ORDER BY abs(e.match_weight - $3), e.a, e.b LIMIT $4`,
      [band.lo, band.hi, band.thresholdWeight, limit],
    );
    return res.rows.map((r) => ({
      a: r.a, b: r.b, probability: r.probability, matchWeight: r.match_weight, link: r.link,
      masterA: r.ca === null ? null : masterIdOf(r.ca), masterB: r.cb === null ? null : masterIdOf(r.cb),
    }));
  }

  /** Every scored pair between the given records (one identity's links and evidence), for reviewing one identity. */
  async pairsAmong(recordIds: readonly string[], limit: number): Promise<ReviewCandidate[]> {
    const res = await this.pool.query<{ a: string; b: string; probability: number; match_weight: number; link: boolean; ca: string | null; cb: string | null }>(
      `SELECT e.a, e.b, e.probability, e.match_weight, e.link, ra.cluster_id AS ca, rb.cluster_id AS cb
         FROM idres_edges e
         JOIN idres_records ra ON ra.record_id = e.a AND NOT ra.deleted
         JOIN idres_records rb ON rb.record_id = e.b AND NOT rb.deleted
        WHERE e.a = ANY($1) AND e.b = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM idres_overrides o WHERE o.undone_at IS NULL AND o.a = e.a AND o.b = e.b)
        ORDER BY e.a, e.b LIMIT $2`,
      [recordIds, limit],
    );
    return res.rows.map((r) => ({
      a: r.a, b: r.b, probability: r.probability, matchWeight: r.match_weight, link: r.link,
      masterA: r.ca === null ? null : masterIdOf(r.ca), masterB: r.cb === null ? null : masterIdOf(r.cb),
    }));
  }

  /** Live records' values and identities, for the review queue's side-by-side view. */
  async records(recordIds: readonly string[]): Promise<Map<string, { masterId: string | null; values: Record<string, string> }>> {
    const res = await this.pool.query<{ record_id: string; cluster_id: string | null; values: Record<string, string> }>(
      `SELECT record_id, cluster_id, values FROM idres_records WHERE record_id = ANY($1) AND NOT deleted`, [recordIds]);
    return new Map(res.rows.map((r) => [r.record_id, { masterId: r.cluster_id === null ? null : masterIdOf(r.cluster_id), values: r.values }]));
  }

  /** Other identities at the same address (house number, street line and postcode of any member). */
  async household(masterId: string, limit = 20): Promise<Array<{ masterId: string; recordId: string; values: Record<string, string> }>> {
    const cid = clusterIdOf(masterId);
    if (cid === undefined) return [];
    const res = await this.pool.query<{ cluster_id: string; record_id: string; values: Record<string, string> }>(
      `WITH addr AS (
         SELECT DISTINCT values->>'house_number' AS h, values->>'address_line1' AS l, values->>'postcode' AS z FROM idres_records
          WHERE cluster_id = $1 AND NOT deleted AND values ? 'address_line1' AND values ? 'postcode')
       SELECT DISTINCT ON (r.cluster_id) r.cluster_id, r.record_id, r.values FROM idres_records r JOIN addr
         ON r.values->>'address_line1' = addr.l AND r.values->>'postcode' = addr.z AND (r.values->>'house_number') IS NOT DISTINCT FROM addr.h
        WHERE NOT r.deleted AND r.cluster_id IS NOT NULL AND r.cluster_id <> $1
        ORDER BY r.cluster_id, r.record_id LIMIT $2`, [cid, limit]);
    return res.rows.map((r) => ({ masterId: masterIdOf(r.cluster_id), recordId: r.record_id, values: r.values }));
  }

  /** The identity's own events, and those of identities merged into it or split off from it, oldest first. */
  async history(masterId: string, limit = 200): Promise<HistoryEvent[]> {
    try {
      const res = await this.pool.query<{ seq: string; master_id: string; type: HistoryEvent['type']; members: number; survivor_id: string | null; split_from: string | null; at: string }>(
        `SELECT * FROM (SELECT seq, master_id, type, members, survivor_id, split_from, at FROM idres_identity_history
           WHERE master_id = $1 OR survivor_id = $1 OR split_from = $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq`, [masterId, limit]);
      return res.rows.map((r) => ({ seq: Number(r.seq), masterId: r.master_id, type: r.type, members: r.members, survivorId: r.survivor_id, splitFrom: r.split_from, at: Number(r.at) }));
    } catch (err) {
      // Resolve writes the history with each batch (idres_identity_history, in its schema); before resolve has
      // ever started the table does not exist, and there is no history to show.
      if ((err as { code?: string }).code === UNDEFINED_TABLE) return [];
      throw err;
    }
  }

}
