import type { Pool } from 'pg';
import { DEFAULT_SURVIVORSHIP, buildGolden, type GoldenFields, type SurvivorshipRule } from '@idres/core/survivorship';
import { clusterIdOf, masterIdOf } from '@idres/core/masterId';

export interface IdentityView {
  masterId: string;
  golden: GoldenFields;
  members: Array<{ recordId: string; version: number; values: Record<string, string> }>;
  links: Array<{ a: string; b: string; probability: number; matchWeight: number; rule: string | null; modelVersion: number | null; explanation: unknown }>;
}


/** Read side over resolve's tables: current identities, for golden records and the lookup API. */
export class IdentityQueries {
  constructor(private readonly pool: Pool, private readonly rules: Readonly<Record<string, SurvivorshipRule>> = DEFAULT_SURVIVORSHIP) {}

  /** Current members and golden record of each identity; identities that no longer exist are absent. */
  async goldens(masterIds: readonly string[]): Promise<Map<string, { members: string[]; golden: GoldenFields }>> {
    const ids = masterIds.map(clusterIdOf).filter((x): x is number => x !== undefined);
    const res = await this.pool.query<{ cluster_id: string; record_id: string; version: string; values: Record<string, string> }>(
      `SELECT cluster_id, record_id, version, values FROM idres_records WHERE cluster_id = ANY($1) AND NOT deleted ORDER BY record_id`,
      [ids],
    );
    const byCluster = new Map<string, Array<{ recordId: string; recency: number; values: Record<string, string> }>>();
    for (const r of res.rows) {
      const k = masterIdOf(r.cluster_id);
      const list = byCluster.get(k) ?? [];
      list.push({ recordId: r.record_id, recency: Number(r.version), values: r.values });
      byCluster.set(k, list);
    }
    const out = new Map<string, { members: string[]; golden: GoldenFields }>();
    for (const [k, members] of byCluster) out.set(k, { members: members.map((m) => m.recordId), golden: buildGolden(members, this.rules) });
    return out;
  }

  async identity(masterId: string): Promise<IdentityView | undefined> {
    const cid = clusterIdOf(masterId);
    if (cid === undefined) return undefined;
    const res = await this.pool.query<{ record_id: string; version: string; values: Record<string, string> }>(
      `SELECT record_id, version, values FROM idres_records WHERE cluster_id = $1 AND NOT deleted ORDER BY record_id`,
      [cid],
    );
    if (res.rows.length === 0) return undefined;
    const members = res.rows.map((r) => ({ recordId: r.record_id, version: Number(r.version), values: r.values }));
    const ids = members.map((m) => m.recordId);
    const links = await this.pool.query<{ a: string; b: string; probability: number; match_weight: number; rule: string | null; model_version: string | null; explanation: unknown }>(
      `SELECT a, b, probability, match_weight, rule, model_version, explanation FROM idres_edges WHERE a = ANY($1) AND b = ANY($1) ORDER BY a, b`,
      [ids],
    );
    return {
      masterId,
      golden: buildGolden(members.map((m) => ({ recordId: m.recordId, recency: m.version, values: m.values })), this.rules),
      members,
      links: links.rows.map((l) => ({ a: l.a, b: l.b, probability: l.probability, matchWeight: l.match_weight, rule: l.rule, modelVersion: l.model_version === null ? null : Number(l.model_version), explanation: typeof l.explanation === 'string' ? (JSON.parse(l.explanation) as unknown) : l.explanation })),
    };
  }

  async masterIdOfRecord(recordId: string): Promise<string | undefined> {
    const res = await this.pool.query<{ cluster_id: string | null }>(`SELECT cluster_id FROM idres_records WHERE record_id = $1 AND NOT deleted`, [recordId]);
    const cid = res.rows[0]?.cluster_id;
    return cid === undefined || cid === null ? undefined : masterIdOf(cid);
  }

  /** Search by standardized family name, given name and/or date of birth (YYYY-MM-DD). */
  async search(q: { familyName?: string; givenName?: string; dob?: string; limit: number }): Promise<Array<{ masterId: string; recordId: string; values: Record<string, string> }>> {
    const where: string[] = ['NOT deleted', 'cluster_id IS NOT NULL'];
    const params: unknown[] = [];
    const add = (key: string, v: string | undefined): void => {
      if (v === undefined || v === '') return;
      params.push(v);
      where.push(`values->>'${key}' = $${params.length}`);
    };
    add('family_name', q.familyName?.toUpperCase());
    add('given_name', q.givenName?.toUpperCase());
    add('dob', q.dob);
    params.push(q.limit);
    const res = await this.pool.query<{ cluster_id: string; record_id: string; values: Record<string, string> }>(
      `SELECT cluster_id, record_id, values FROM idres_records WHERE ${where.join(' AND ')} ORDER BY cluster_id, record_id LIMIT $${params.length}`,
      params,
    );
    return res.rows.map((r) => ({ masterId: masterIdOf(r.cluster_id), recordId: r.record_id, values: r.values }));
  }
}
