/**
 * Household precision and recall against the generator's household truth (loadtest/generator --household-truth).
 *
 *   npm run households:quality -- --input people.csv --truth people.hh.csv                 # identities = the true entities
 *   npm run households:quality -- --input people.csv --truth people.hh.csv --from-db --source S  # what the pipeline stored
 *
 * Pairwise over distinct entities: a pair is predicted when both entities' identities are in one household, true
 * when the generator made both in one household. Without --from-db each entity's records are one identity (the
 * household rule alone, free of matching errors); with it, an entity's identity is the master ID holding most of
 * its records in resolve's tables, and its household is what the households service stored (DATABASE_URL).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import pg from 'pg';
import { pairwiseQuality, standardizeRecord, type RawFields } from '@idres/core';
import { assignHouseholdNumbers, groupHouseholds, householdIdentityOf, type HouseholdIdentity, type HouseholdMemberRecord } from '@idres/core/households';
import { masterIdOf } from '@idres/core/masterId';

const FIELDS = ['given_name', 'middle_name', 'family_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      input: { type: 'string' }, truth: { type: 'string' }, 'from-db': { type: 'boolean' }, source: { type: 'string' },
      'id-column': { type: 'string', default: 'record_id' }, 'entity-column': { type: 'string', default: 'entity_id' },
    },
  });
  if (!values.input || !values.truth) throw new Error('usage: householdQuality.ts --input FILE.csv --truth FILE.hh.csv [--from-db --source S]');
  const truthHousehold = new Map<string, string>();
  for (const line of readFileSync(values.truth, 'utf8').trim().split('\n').slice(1)) {
    const [e, h] = line.split(',');
    if (e && h) truthHousehold.set(e, h);
  }
  const entityOf = new Map<string, string>(); // record id -> entity
  const recordsOf = new Map<string, HouseholdMemberRecord[]>(); // entity -> standardized records
  let n = 0;
  for await (const row of createReadStream(values.input).pipe(parse({ columns: true, relax_column_count: true })) as AsyncIterable<Record<string, string>>) {
    const id = row[values['id-column']!]!;
    const entity = row[values['entity-column']!]!;
    entityOf.set(id, entity);
    if (!values['from-db']) {
      const fields: RawFields = {};
      for (const f of FIELDS) if (row[f]) fields[f] = row[f];
      const l = recordsOf.get(entity) ?? [];
      l.push({ recordId: id, recency: n, values: standardizeRecord(fields).values });
      recordsOf.set(entity, l);
    }
    n++;
  }
  const entities = new Set(entityOf.values());
  const predicted = values['from-db'] ? await householdsFromDb(entityOf, values.source ?? '') : householdsOfTrueEntities(recordsOf);
  const truth = new Map<string, string>();
  for (const e of entities) truth.set(e, truthHousehold.get(e) ?? `solo:${e}`);
  const q = pairwiseQuality(truth, predicted);
  const sizes = new Map<string, number>();
  for (const h of predicted.values()) sizes.set(h, (sizes.get(h) ?? 0) + 1);
  const trueHouseholds = new Set([...truthHousehold].filter(([e]) => entities.has(e)).map(([, h]) => h)).size;
  process.stdout.write(`${JSON.stringify({
    input: values.input, mode: values['from-db'] ? 'pipeline (Postgres)' : 'true entities as identities', records: n, entities: entities.size,
    trueHouseholds, predictedHouseholds: sizes.size, precision: round(q.precision), recall: round(q.recall), f1: round(q.f1),
    truePairs: q.truePairs, predictedPairs: q.predictedPairs, truePositives: q.truePositives,
  })}\n`);
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

/** Each true entity as one identity, grouped by the same rule the households service applies. */
function householdsOfTrueEntities(recordsOf: ReadonlyMap<string, HouseholdMemberRecord[]>): Map<string, string> {
  const byKey = new Map<string, HouseholdIdentity[]>();
  for (const [entity, records] of recordsOf) {
    const h = householdIdentityOf(entity, records);
    if (!h.addressKey) continue;
    const l = byKey.get(h.addressKey) ?? [];
    l.push(h);
    byKey.set(h.addressKey, l);
  }
  const out = new Map<string, string>();
  let next = 0;
  for (const ids of byKey.values()) {
    for (const g of assignHouseholdNumbers(groupHouseholds(ids), []).households) {
      next++;
      for (const e of g.members) out.set(e, `p${next}`);
    }
  }
  return out;
}

/** Entity -> the household of the identity holding most of its records, from resolve's and the households service's tables. */
async function householdsFromDb(entityOf: ReadonlyMap<string, string>, source: string): Promise<Map<string, string>> {
  const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres', max: 1 });
  try {
    const recs = await pool.query<{ record_id: string; cluster_id: string }>(`SELECT record_id, cluster_id FROM idres_records WHERE NOT deleted AND cluster_id IS NOT NULL AND record_id LIKE $1`, [`${source}:%`]);
    const mem = await pool.query<{ master_id: string; household_id: string }>(`SELECT master_id, household_id FROM idres_household_members`);
    const hhOf = new Map(mem.rows.map((r) => [r.master_id, r.household_id]));
    const votes = new Map<string, Map<string, number>>();
    for (const r of recs.rows) {
      const e = entityOf.get(r.record_id.slice(source.length + 1));
      if (e === undefined) continue;
      const m = masterIdOf(r.cluster_id);
      const v = votes.get(e) ?? new Map<string, number>();
      v.set(m, (v.get(m) ?? 0) + 1);
      votes.set(e, v);
    }
    const out = new Map<string, string>();
    for (const [e, v] of votes) {
      const [best] = [...v].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const hh = best ? hhOf.get(best[0]) : undefined;
      if (hh) out.set(e, hh);
    }
    return out;
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
