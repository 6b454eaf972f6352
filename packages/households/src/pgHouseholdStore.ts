import type { Pool, PoolClient } from 'pg';
import { createSchema } from '@idres/pgschema';
import type { HouseholdEvidence, HouseholdIdentity } from '@idres/core/households';
import type { HouseholdChanges, HouseholdState, HouseholdStore, HouseholdUpdate } from './householdStore';
import { planHouseholds } from './planHouseholds';
import { HOUSEHOLD_SCHEMA_SQL } from './schema';

const MIGRATE_LOCK = 727107;
/**
 * One transaction at a time applies household changes. A change reads the identities of whole addresses, and an
 * identity that moves touches two; a single lock keeps that simple and correct with several consumers, and the
 * work per batch is a few set-based statements, far below what resolve spends on the same events.
 */
const APPLY_LOCK = 727108;

interface HouseholdRow { household_id: string; address_key: string; address: Record<string, string>; members: string[]; evidence: HouseholdEvidence[] }
const toState = (r: HouseholdRow): HouseholdState => ({ householdId: r.household_id, addressKey: r.address_key, address: r.address, members: r.members, evidence: r.evidence });

/** HouseholdStore in PostgreSQL (tables in schema.ts). */
export class PgHouseholdStore implements HouseholdStore {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await createSchema(this.pool, MIGRATE_LOCK, HOUSEHOLD_SCHEMA_SQL);
  }

  async apply(update: HouseholdUpdate): Promise<HouseholdChanges> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [APPLY_LOCK]);
      const changes = await this.applyIn(c, update);
      await c.query('COMMIT');
      return changes;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  private async applyIn(c: PoolClient, update: HouseholdUpdate): Promise<HouseholdChanges> {
    const touched = [...new Set([...update.removed, ...update.identities.map((i) => i.masterId)])];
    const old = await c.query<{ address_key: string }>(
      `SELECT DISTINCT address_key FROM idres_household_identities WHERE master_id = ANY($1) AND address_key IS NOT NULL`, [touched]);
    const keys = new Set(old.rows.map((r) => r.address_key));
    for (const i of update.identities) if (i.addressKey) keys.add(i.addressKey);
    if (update.removed.length > 0) await c.query(`DELETE FROM idres_household_identities WHERE master_id = ANY($1)`, [update.removed]);
    if (update.identities.length > 0) {
      await c.query(
        `INSERT INTO idres_household_identities (master_id, address_key, address, family_names, phones, emails, seq)
         SELECT m, k, a, fn, ph, em, s FROM json_to_recordset($1::json) AS t(m text, k text, a jsonb, fn text[], ph text[], em text[], s bigint)
         ON CONFLICT (master_id) DO UPDATE SET address_key = excluded.address_key, address = excluded.address, family_names = excluded.family_names,
           phones = excluded.phones, emails = excluded.emails, seq = GREATEST(idres_household_identities.seq, excluded.seq)`,
        [JSON.stringify(update.identities.map((i) => ({ m: i.masterId, k: i.addressKey, a: i.address, fn: i.familyNames, ph: i.phones, em: i.emails, s: update.seqs?.get(i.masterId) ?? 0 })))],
      );
    }
    const keyList = [...keys].sort();
    const ids = await c.query<{ master_id: string; address_key: string; address: Record<string, string>; family_names: string[]; phones: string[]; emails: string[] }>(
      `SELECT master_id, address_key, address, family_names, phones, emails FROM idres_household_identities WHERE address_key = ANY($1)`, [keyList]);
    const byKey = new Map<string, HouseholdIdentity[]>();
    for (const r of ids.rows) {
      const l = byKey.get(r.address_key) ?? [];
      l.push({ masterId: r.master_id, addressKey: r.address_key, address: r.address, familyNames: r.family_names, phones: r.phones, emails: r.emails });
      byKey.set(r.address_key, l);
    }
    const prev = await c.query<HouseholdRow>(
      `SELECT household_id, address_key, address, members, evidence FROM idres_households WHERE address_key = ANY($1)`, [keyList]);
    const previous = prev.rows.map(toState);
    const { next, changes } = await planHouseholds(byKey, previous, async (n) => {
      const r = await c.query<{ n: string }>(`SELECT nextval('idres_household_seq') AS n FROM generate_series(1, $1::int)`, [n]);
      return r.rows.map((x) => Number(x.n));
    });
    if (changes.changed.length === 0 && changes.ended.length === 0) return changes;
    // Memberships of everyone these addresses held before or hold now, rewritten from the result.
    const people = [...new Set([...previous.flatMap((h) => h.members), ...update.removed])];
    if (people.length > 0) await c.query(`DELETE FROM idres_household_members WHERE master_id = ANY($1)`, [people]);
    if (changes.ended.length > 0) await c.query(`DELETE FROM idres_households WHERE household_id = ANY($1)`, [changes.ended.map((e) => e.householdId)]);
    if (changes.changed.length > 0) {
      await c.query(
        `INSERT INTO idres_households (household_id, address_key, address, members, evidence, size, updated_at)
         SELECT h, k, a, m, e, cardinality(m), now() FROM json_to_recordset($1::json) AS t(h text, k text, a jsonb, m text[], e jsonb)
         ON CONFLICT (household_id) DO UPDATE SET address_key = excluded.address_key, address = excluded.address, members = excluded.members,
           evidence = excluded.evidence, size = excluded.size, updated_at = excluded.updated_at`,
        [JSON.stringify(changes.changed.map((h) => ({ h: h.householdId, k: h.addressKey, a: h.address, m: h.members, e: h.evidence })))],
      );
    }
    const memberships = next.flatMap((h) => h.members.map((m) => ({ m, h: h.householdId })));
    if (memberships.length > 0) {
      await c.query(
        `INSERT INTO idres_household_members (master_id, household_id) SELECT m, h FROM json_to_recordset($1::json) AS t(m text, h text)
         ON CONFLICT (master_id) DO UPDATE SET household_id = excluded.household_id`,
        [JSON.stringify(memberships)],
      );
    }
    return changes;
  }

  async household(householdId: string): Promise<HouseholdState | undefined> {
    const r = await this.pool.query<HouseholdRow>(`SELECT household_id, address_key, address, members, evidence FROM idres_households WHERE household_id = $1`, [householdId]);
    return r.rows[0] ? toState(r.rows[0]) : undefined;
  }

  async householdsOf(masterIds: readonly string[]): Promise<Map<string, string>> {
    const r = await this.pool.query<{ master_id: string; household_id: string }>(
      `SELECT master_id, household_id FROM idres_household_members WHERE master_id = ANY($1)`, [masterIds]);
    return new Map(r.rows.map((x) => [x.master_id, x.household_id]));
  }

  async seqsOf(masterIds: readonly string[]): Promise<Map<string, number>> {
    const r = await this.pool.query<{ master_id: string; seq: string }>(`SELECT master_id, seq FROM idres_household_identities WHERE master_id = ANY($1)`, [masterIds]);
    return new Map(r.rows.map((x) => [x.master_id, Number(x.seq)]));
  }
}
