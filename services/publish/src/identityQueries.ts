import type { Pool } from 'pg';
import { DEFAULT_SURVIVORSHIP, buildGolden, type GoldenFields, type SurvivorshipRule } from '@idres/core/survivorship';
import { clusterIdOf, masterIdOf } from '@idres/core/masterId';
import { DEFAULT_CLUSTER_FLOOR, meanWeight } from '@idres/core/clustering';
import type { HouseholdState, HouseholdStore } from '@idres/households';

/** A household as the lookup API shows it. */
export interface HouseholdView {
  householdId: string;
  address: Record<string, string>;
  members: string[];
  evidence: HouseholdState['evidence'];
}

export interface IdentityView {
  masterId: string;
  golden: GoldenFields;
  /** The identity's household (identities sharing its address and a family name, phone or email), or null. */
  household: HouseholdView | null;
  members: Array<{ recordId: string; version: number; values: Record<string, string> }>;
  links: Array<{ a: string; b: string; probability: number; matchWeight: number; rule: string | null; modelVersion: number | null; explanation: unknown }>;
  /**
   * Why these records are one identity: the mean match weight over all pairs of members (unscored pairs and
   * pairs below the floor counted at the floor) must be ≥ 0, and `heldApart` lists links from a member to a
   * record the clustering keeps in another identity.
   */
  clustering: {
    meanPairWeight: number;
    floor: number;
    scoredPairs: number;
    heldApart: Array<{ recordId: string; otherRecordId: string; otherMasterId: string | null; matchWeight: number; probability: number }>;
  };
}


/** Read side over resolve's tables: current identities, for golden records and the lookup API. */
export class IdentityQueries {
  constructor(
    private readonly pool: Pool,
    private readonly rules: Readonly<Record<string, SurvivorshipRule>> = DEFAULT_SURVIVORSHIP,
    private readonly households?: Pick<HouseholdStore, 'household' | 'householdsOf'>,
  ) {}

  async household(householdId: string): Promise<HouseholdView | undefined> {
    const h = await this.households?.household(householdId);
    return h ? { householdId: h.householdId, address: h.address, members: h.members, evidence: h.evidence } : undefined;
  }

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
    const pairs = await this.pool.query<{ a: string; b: string; probability: number; match_weight: number; rule: string | null; model_version: string | null; explanation: unknown; link: boolean }>(
      `SELECT a, b, probability, match_weight, rule, model_version, explanation, link FROM idres_edges WHERE a = ANY($1) AND b = ANY($1) ORDER BY a, b`,
      [ids],
    );
    const held = await this.pool.query<{ a: string; b: string; probability: number; match_weight: number; cluster_id: string | null }>(
      `SELECT e.a, e.b, e.probability, e.match_weight, r.cluster_id FROM idres_edges e
         JOIN idres_records r ON r.record_id = CASE WHEN e.a = ANY($1) THEN e.b ELSE e.a END
       WHERE e.link AND (e.a = ANY($1) OR e.b = ANY($1)) AND NOT (e.a = ANY($1) AND e.b = ANY($1)) ORDER BY e.match_weight DESC LIMIT 100`,
      [ids],
    );
    const inside = new Set(ids);
    const householdId = (await this.households?.householdsOf([masterId]))?.get(masterId);
    return {
      masterId,
      golden: buildGolden(members.map((m) => ({ recordId: m.recordId, recency: m.version, values: m.values })), this.rules),
      household: householdId === undefined ? null : (await this.household(householdId)) ?? null,
      members,
      links: pairs.rows.filter((l) => l.link).map((l) => ({ a: l.a, b: l.b, probability: l.probability, matchWeight: l.match_weight, rule: l.rule, modelVersion: l.model_version === null ? null : Number(l.model_version), explanation: typeof l.explanation === 'string' ? (JSON.parse(l.explanation) as unknown) : l.explanation })),
      clustering: {
        meanPairWeight: Math.round(meanWeight(ids.length, pairs.rows.map((l) => ({ w: l.match_weight })), DEFAULT_CLUSTER_FLOOR) * 1000) / 1000,
        floor: DEFAULT_CLUSTER_FLOOR,
        scoredPairs: pairs.rows.length,
        heldApart: held.rows.map((h) => {
          const mine = inside.has(h.a) ? h.a : h.b;
          return { recordId: mine, otherRecordId: mine === h.a ? h.b : h.a, otherMasterId: h.cluster_id === null ? null : masterIdOf(h.cluster_id), matchWeight: h.match_weight, probability: h.probability };
        }),
      },
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
