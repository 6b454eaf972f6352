import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { GOLDEN_FIELDS, DEFAULT_SURVIVORSHIP, buildGolden, type SurvivorshipRule } from '@idres/core/survivorship';
import type { FieldSealer } from '@idres/core/fieldSealer';
import { masterIdOf } from '@idres/core/masterId';
import type { ExplanationTerm, ModelJson } from '@idres/core';
import type { Job, JobOutput } from './job';
import { allRejections, type JobStore } from './jobStore';
import { sourceRange } from './jobRecords';
import { queryRows, tableExists } from './queryRows';
import { CsvTableWriter, ParquetTableWriter, TextFileWriter, type CellValue, type ColumnSpec } from './tableWriters';

export interface ExportOptions {
  pool: pg.Pool;
  store: JobStore;
  job: Job;
  source: string;
  /** Golden fields the job's input maps (completeness is measured over these). */
  mappedFields: readonly string[];
  survivorship?: Readonly<Record<string, SurvivorshipRule>>;
  /** Opens sealed national IDs for the master file: outputs are the user's own files (protect their directory). */
  sealer?: FieldSealer;
  /** Called after each identity or pair written (progress). */
  onRow?: (kind: 'identity' | 'pair', n: number) => void;
}

/** Master ID of a cluster in SQL (as masterIdOf). */
const MASTER_SQL = (col: string): string => `'MDM_' || lpad(${col}::text, 10, '0')`;

interface IdentityRow {
  cluster_id: string;
  members: Array<{ id: string; v: number; values: Record<string, string> }>;
  weakest: number | null;
  household_id: string | null;
}

/**
 * The identities the job's records belong to, one row per identity with all its live members (any source), the
 * weakest applied link inside it and its household (when the households tables exist), in cluster order.
 */
async function* identities(pool: pg.Pool, source: string, withHouseholds: boolean): AsyncGenerator<IdentityRow> {
  const [lo, hi] = sourceRange(source);
  const sql = `
    WITH jc AS (SELECT DISTINCT cluster_id FROM idres_records WHERE record_id >= $1 AND record_id < $2 AND NOT deleted AND cluster_id IS NOT NULL)
    SELECT jc.cluster_id,
      (SELECT json_agg(json_build_object('id', r.record_id, 'v', r.version, 'values', r.values) ORDER BY r.record_id)
         FROM idres_records r WHERE r.cluster_id = jc.cluster_id AND NOT r.deleted) AS members,
      (SELECT min(e.probability) FROM idres_records r JOIN idres_edges e ON e.a = r.record_id
         JOIN idres_records r2 ON r2.record_id = e.b AND r2.cluster_id = r.cluster_id AND NOT r2.deleted
         WHERE r.cluster_id = jc.cluster_id AND NOT r.deleted AND e.link) AS weakest,
      ${withHouseholds ? 'hm.household_id' : 'NULL::text AS household_id'}
    FROM jc ${withHouseholds ? `LEFT JOIN idres_household_members hm ON hm.master_id = ${MASTER_SQL('jc.cluster_id')}` : ''}
    ORDER BY jc.cluster_id`;
  yield* queryRows<IdentityRow>(pool, sql, [lo, hi], 500);
}

const MASTER_COLUMNS = (withState: boolean): ColumnSpec[] => [
  { name: 'master_id', type: 'STRING' },
  ...GOLDEN_FIELDS.filter((f) => withState || f !== 'state').map((f): ColumnSpec => ({ name: f, type: 'STRING', nullable: true })),
  { name: 'member_count', type: 'INT32' },
  { name: 'member_record_ids', type: 'STRING_LIST' },
  { name: 'household_id', type: 'STRING', nullable: true },
  { name: 'golden_completeness', type: 'DOUBLE' },
  { name: 'weakest_link_probability', type: 'DOUBLE', nullable: true },
];

/** Hive-style partition value: the state as standardized, or Hive's name for a missing value. */
const partitionOf = (state: string | undefined): string => (state && /^[A-Za-z0-9_-]{1,16}$/.test(state) ? state.toUpperCase() : '__HIVE_DEFAULT_PARTITION__');

/** Rows in one part file of a partition before the next part starts. */
const PART_ROWS = 1_000_000;

/** Master identity file(s) and the record crosswalk, from one pass over the identities. */
async function exportIdentities(o: ExportOptions, wantMaster: boolean, wantCrosswalk: boolean, withHouseholds: boolean): Promise<JobOutput[]> {
  const dir = o.job.outputDir;
  const partitioned = o.job.spec.partitionByState === true;
  const columns = MASTER_COLUMNS(!partitioned);
  const single = wantMaster && !partitioned ? new ParquetTableWriter(path.join(dir, 'master.parquet'), columns) : undefined;
  const parts = new Map<string, { writer: ParquetTableWriter; part: number }>();
  const finishedParts: Array<{ file: string; bytes: number; rows: number }> = [];
  const xCsv = wantCrosswalk ? new CsvTableWriter(path.join(dir, 'crosswalk.csv'), ['source', 'source_record_id', 'master_id', 'household_id']) : undefined;
  const xPq = wantCrosswalk ? new ParquetTableWriter(path.join(dir, 'crosswalk.parquet'), [
    { name: 'source', type: 'STRING' }, { name: 'source_record_id', type: 'STRING' }, { name: 'master_id', type: 'STRING' }, { name: 'household_id', type: 'STRING', nullable: true },
  ]) : undefined;
  const completenessOver = GOLDEN_FIELDS.filter((f) => o.mappedFields.includes(f));
  let identitiesWritten = 0;
  for await (const row of identities(o.pool, o.source, withHouseholds)) {
    const masterId = masterIdOf(row.cluster_id);
    const members = row.members ?? [];
    if (members.length === 0) continue;
    if (wantMaster) {
      const golden = buildGolden(members.map((m) => ({ recordId: m.id, recency: Number(m.v), values: o.sealer ? o.sealer.openValues(m.values) : m.values })), o.survivorship ?? DEFAULT_SURVIVORSHIP);
      const filled = completenessOver.filter((f) => (golden.fields[f] ?? '') !== '').length;
      const cells: CellValue[] = [
        masterId,
        ...GOLDEN_FIELDS.filter((f) => !partitioned || f !== 'state').map((f) => golden.fields[f] ?? null),
        members.length,
        members.map((m) => m.id),
        row.household_id,
        completenessOver.length === 0 ? 0 : Math.round((filled / completenessOver.length) * 1000) / 1000,
        row.weakest === null ? null : Number(row.weakest),
      ];
      if (single) await single.add(cells);
      else {
        const key = partitionOf(golden.fields['state']);
        let p = parts.get(key);
        if (p && p.writer.rows >= PART_ROWS) {
          finishedParts.push({ file: p.writer.file, bytes: await p.writer.finish(), rows: p.writer.rows });
          p = { writer: new ParquetTableWriter(path.join(dir, 'master', `state=${key}`, `part-${p.part + 1}.parquet`), columns, 5000), part: p.part + 1 };
          parts.set(key, p);
        }
        if (!p) {
          // Small row groups per partition: up to ~60 writers buffer at once.
          p = { writer: new ParquetTableWriter(path.join(dir, 'master', `state=${key}`, 'part-0.parquet'), columns, 5000), part: 0 };
          parts.set(key, p);
        }
        await p.writer.add(cells);
      }
    }
    for (const m of members) {
      const cut = m.id.indexOf(':');
      const cells = [m.id.slice(0, cut), m.id.slice(cut + 1), masterId, row.household_id];
      await xCsv?.add(cells);
      await xPq?.add(cells);
    }
    identitiesWritten++;
    o.onRow?.('identity', identitiesWritten);
  }
  const outputs: JobOutput[] = [];
  if (single) outputs.push({ kind: 'master', path: 'master.parquet', rows: single.rows, bytes: await single.finish() });
  if (wantMaster && partitioned) {
    for (const p of parts.values()) finishedParts.push({ file: p.writer.file, bytes: await p.writer.finish(), rows: p.writer.rows });
    const rows = finishedParts.reduce((n, p) => n + p.rows, 0);
    const bytes = finishedParts.reduce((n, p) => n + p.bytes, 0);
    outputs.push({ kind: 'master', path: 'master', rows, bytes, note: `${finishedParts.length} files state=XX/part-N.parquet (hive partitioning by golden state)` });
  }
  if (xCsv && xPq) {
    const rows = xCsv.rows;
    outputs.push({ kind: 'crosswalk', path: 'crosswalk.csv', rows, bytes: await xCsv.finish() });
    outputs.push({ kind: 'crosswalk', path: 'crosswalk.parquet', rows, bytes: await xPq.finish() });
  }
  return outputs;
}

// From the sources and from a service bundle alike (both two levels under the repository root).
const DEFAULT_MODEL_FILE = new URL('../../../packages/core/models/default.json', import.meta.url);

/** Names of the deterministic rules of every stored model and of the default model. */
async function deterministicRuleNames(pool: pg.Pool): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    const def = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, 'utf8')) as ModelJson;
    for (const r of def.settings.deterministicRules) names.add(r.name);
  } catch {
    /* a bundle without the default model file: stored models only */
  }
  if (await tableExists(pool, 'idres_models')) {
    const r = await pool.query<{ name: string | null }>(`SELECT DISTINCT jsonb_array_elements(model->'settings'->'deterministicRules')->>'name' AS name FROM idres_models`);
    for (const x of r.rows) if (x.name) names.add(x.name);
  }
  return names;
}

/** The comparisons that weigh most for the link, e.g. `ssn=exact(+13.2); dob=exact(+10.1)`. */
export function topEvidence(explanation: unknown, n = 3): string {
  let terms: ExplanationTerm[];
  try {
    terms = (typeof explanation === 'string' ? JSON.parse(explanation) : explanation) as ExplanationTerm[];
  } catch {
    return '';
  }
  if (!Array.isArray(terms)) return '';
  return terms
    .filter((t) => t.comparison !== 'prior')
    .sort((a, b) => b.weight - a.weight)
    .slice(0, n)
    .map((t) => `${t.comparison}=${t.level}(${t.weight >= 0 ? '+' : ''}${t.weight.toFixed(1)})`)
    .join('; ');
}

/** Every link applied inside the job's identities (both ends in one identity, one end a record of the job). */
async function exportPairs(o: ExportOptions): Promise<JobOutput> {
  const [lo, hi] = sourceRange(o.source);
  const det = await deterministicRuleNames(o.pool);
  const out = new CsvTableWriter(path.join(o.job.outputDir, 'pairs.csv'), ['id1', 'id2', 'probability', 'match_weight', 'match_type', 'blocking_rule', 'top_evidence']);
  const sql = `
    SELECT e.a, e.b, e.probability, e.match_weight, e.rule, e.explanation
    FROM idres_edges e
      JOIN idres_records ra ON ra.record_id = e.a JOIN idres_records rb ON rb.record_id = e.b
    WHERE e.link AND ra.cluster_id = rb.cluster_id AND NOT ra.deleted AND NOT rb.deleted
      AND ((e.a >= $1 AND e.a < $2) OR (e.b >= $1 AND e.b < $2))
    ORDER BY e.a, e.b`;
  for await (const p of queryRows<{ a: string; b: string; probability: number; match_weight: number; rule: string | null; explanation: string }>(o.pool, sql, [lo, hi], 2000)) {
    // resolve keeps one rule per link: the deterministic rule that decided it, else the blocking rule that found it.
    const deterministic = p.rule !== null && det.has(p.rule) && p.probability === 1;
    await out.add([p.a, p.b, p.probability, Math.round(p.match_weight * 1000) / 1000, deterministic ? p.rule : 'probabilistic', deterministic ? null : p.rule, topEvidence(p.explanation)]);
    o.onRow?.('pair', out.rows);
  }
  return { kind: 'pairs', path: 'pairs.csv', rows: out.rows, bytes: await out.finish() };
}

/** Households of the job's identities (tables made by the households capability), as one JSON array. */
async function exportHouseholds(o: ExportOptions): Promise<JobOutput> {
  if (!(await tableExists(o.pool, 'idres_households')) || !(await tableExists(o.pool, 'idres_household_members'))) {
    return { kind: 'households', note: 'not written: this deployment has no households tables (idres_households, idres_household_members)' };
  }
  const [lo, hi] = sourceRange(o.source);
  const sql = `
    WITH jm AS (SELECT DISTINCT ${MASTER_SQL('cluster_id')} AS master_id FROM idres_records WHERE record_id >= $1 AND record_id < $2 AND NOT deleted AND cluster_id IS NOT NULL),
         jh AS (SELECT DISTINCT m.household_id FROM idres_household_members m JOIN jm USING (master_id))
    SELECT h.household_id, h.address, h.evidence,
      (SELECT json_agg(m.master_id ORDER BY m.master_id) FROM idres_household_members m WHERE m.household_id = h.household_id) AS members
    FROM idres_households h JOIN jh USING (household_id) ORDER BY h.household_id`;
  const out = new TextFileWriter(path.join(o.job.outputDir, 'households.json'));
  let n = 0;
  await out.write('[');
  for await (const h of queryRows<{ household_id: string; address: unknown; evidence: unknown; members: string[] | null }>(o.pool, sql, [lo, hi], 1000)) {
    await out.write(`${n === 0 ? '\n' : ',\n'}${JSON.stringify({ household_id: h.household_id, address: h.address, member_master_ids: h.members ?? [], evidence: h.evidence })}`);
    n++;
  }
  await out.write(n === 0 ? ']\n' : '\n]\n');
  return { kind: 'households', path: 'households.json', rows: n, bytes: await out.finish() };
}

/** The rows the job refused, with their reasons (never their values). */
async function exportRejected(o: ExportOptions): Promise<JobOutput> {
  const out = new CsvTableWriter(path.join(o.job.outputDir, 'rejected.csv'), ['row', 'record_id', 'reason']);
  for await (const r of allRejections(o.store, o.job.id)) await out.add([r.row, r.recordId, r.reason]);
  return { kind: 'rejected', path: 'rejected.csv', rows: out.rows, bytes: await out.finish() };
}

/** Writes the outputs the job asked for into its output directory, streaming from Postgres. */
export async function exportJob(o: ExportOptions): Promise<JobOutput[]> {
  const want = new Set(o.job.spec.outputs);
  const outputs: JobOutput[] = [];
  const withHouseholds = await tableExists(o.pool, 'idres_household_members');
  if (want.has('master') || want.has('crosswalk')) outputs.push(...(await exportIdentities(o, want.has('master'), want.has('crosswalk'), withHouseholds)));
  if (want.has('pairs')) outputs.push(await exportPairs(o));
  if (want.has('households')) outputs.push(await exportHouseholds(o));
  if (want.has('rejected') || o.job.counts.rejected > 0) outputs.push(await exportRejected(o));
  return outputs;
}
