import type { Pool } from 'pg';
import { clusterIdOf, masterIdOf } from '@idres/core/masterId';
import type { HouseholdMemberRecord } from '@idres/core/households';

/** The current member records of identities; an identity that no longer exists is absent from the answer. */
export interface IdentitySource {
  members(masterIds: readonly string[]): Promise<Map<string, HouseholdMemberRecord[]>>;
}

/** Reads resolve's current state (idres_records), as publish does for golden records. */
export class PgIdentitySource implements IdentitySource {
  constructor(private readonly pool: Pool) {}

  async members(masterIds: readonly string[]): Promise<Map<string, HouseholdMemberRecord[]>> {
    const ids = masterIds.map(clusterIdOf).filter((x): x is number => x !== undefined);
    const res = await this.pool.query<{ cluster_id: string; record_id: string; version: string; values: Record<string, string> }>(
      `SELECT cluster_id, record_id, version, values FROM idres_records WHERE cluster_id = ANY($1) AND NOT deleted`, [ids]);
    const out = new Map<string, HouseholdMemberRecord[]>();
    for (const r of res.rows) {
      const k = masterIdOf(r.cluster_id);
      const l = out.get(k) ?? [];
      l.push({ recordId: r.record_id, recency: Number(r.version), values: r.values });
      out.set(k, l);
    }
    return out;
  }
}
