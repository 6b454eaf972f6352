/**
 * npx tsx loadtest/generator/cli.ts --records N --seed S --format csv|jsonl|parquet --out FILE
 *   [--profile us-crm|civil-register-de|civil-register-de-names|historical|febrl-like]
 *   [--dup-rate 0.3] [--max-cluster 6] [--cluster-dist geometric|zipf|uniform] [--cluster-param P]
 *   [--household-rate 0.08] [--twin-rate 0.15] [--shuffle-window 10000] [--reference-date 2026-11-22]
 *   [--household-truth FILE]   entity_id,household_id of every multi-person household (what npm run households:quality reads)
 * Prints one JSON summary line to stdout at the end (to stderr when --out is '-').
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { mappingSidecarPath, type ColumnMapping } from '@idres/core/fixtures/labelledDatasets';
import { writeDataset, type OutputFormat } from './writers.js';
import type { ClusterDistribution, GeneratorOptions } from './generator.js';
import { PROFILES, PROFILE_NAMES, isProfileName, mapSpec, profileMapping, writeProfileDataset } from './profiles/index.js';

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: not a number: ${v}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
      'dup-rate': { type: 'string' },
      'max-cluster': { type: 'string' },
      'cluster-dist': { type: 'string' },
      'cluster-param': { type: 'string' },
      'household-rate': { type: 'string' },
      'household-truth': { type: 'string' },
      'twin-rate': { type: 'string' },
      'shuffle-window': { type: 'string' },
      'reference-date': { type: 'string' },
      profile: { type: 'string', default: 'us-crm' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help || values.records === undefined || values.out === undefined) {
    process.stderr.write(
      'usage: cli.ts --records N --out FILE|- [--seed S] [--format csv|jsonl|parquet] [--profile ' + PROFILE_NAMES.join('|') + ']\n' +
        '       [--dup-rate 0.3] [--max-cluster 6]\n' +
        '       [--cluster-dist geometric|zipf|uniform] [--cluster-param P] [--household-rate 0.08] [--twin-rate 0.15]\n' +
        '       [--shuffle-window 10000] [--reference-date YYYY-MM-DD] [--household-truth FILE]\n',
    );
    process.exit(values.help ? 0 : 2);
  }
  const format = values.format as OutputFormat;
  if (format !== 'csv' && format !== 'jsonl' && format !== 'parquet') throw new Error(`--format: ${values.format}`);
  const profile = values.profile ?? 'us-crm';
  if (!isProfileName(profile)) throw new Error(`--profile: ${profile} (one of ${PROFILE_NAMES.join(', ')})`);
  if (profile !== 'us-crm') {
    // The shape profiles have their own cluster and corruption models: the us-crm knobs do not apply.
    const usOnly = ['dup-rate', 'max-cluster', 'cluster-dist', 'cluster-param', 'household-rate', 'twin-rate', 'reference-date', 'household-truth'] as const;
    for (const k of usOnly) if (values[k] !== undefined) throw new Error(`--${k} applies to --profile us-crm only`);
    if (format === 'parquet') throw new Error(`--format parquet is not supported for --profile ${profile} (csv or jsonl)`);
    const seedN = Number(values.seed);
    const sw = num('shuffle-window', values['shuffle-window']);
    const cpu0 = process.cpuUsage();
    const s = await writeProfileDataset(profile, {
      records: num('records', values.records) ?? 0,
      seed: Number.isInteger(seedN) ? seedN : (values.seed ?? '1'),
      format,
      out: values.out,
      ...(sw !== undefined ? { shuffleWindow: sw } : {}),
    });
    const cpu = process.cpuUsage(cpu0);
    const mapping = profileMapping(profile);
    // The mapping next to the file (<out>.mapping.json): npm run quality -- --synthetic FILE reads it.
    let mappingFile: string | undefined;
    if (values.out !== '-') {
      mappingFile = mappingSidecarPath(values.out);
      const side: ColumnMapping & { map: string } = {
        profile, mapping: { ...mapping }, map: mapSpec(mapping), id_column: 'record_id', truth_column: 'entity_id', standardize: { ...PROFILES[profile].standardize },
      };
      writeFileSync(mappingFile, `${JSON.stringify(side, null, 2)}\n`);
    }
    const summary = {
      profile, records: s.records, entities: s.entities, seconds: Number(s.seconds.toFixed(3)),
      records_per_second: s.seconds > 0 ? Math.round(s.records / s.seconds) : 0, bytes: s.bytes,
      cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)), loadavg_1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      format: s.format, out: s.out, seed: Number.isInteger(seedN) ? seedN : values.seed,
      dup_rate_observed: s.records > 0 ? Number(((s.records - s.entities) / s.records).toFixed(4)) : 0,
      entities_with_duplicates: s.entitiesWithDuplicates, largest_cluster: s.largestCluster,
      id_column: 'record_id', truth_column: 'entity_id', mapping, map: mapSpec(mapping),
      ...(mappingFile ? { mapping_file: mappingFile } : {}),
    };
    (values.out === '-' ? process.stderr : process.stdout).write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const dist = values['cluster-dist'];
  if (dist !== undefined && dist !== 'geometric' && dist !== 'zipf' && dist !== 'uniform') throw new Error(`--cluster-dist: ${dist}`);
  const seedNum = Number(values.seed);
  const opts: GeneratorOptions & { format: OutputFormat; out: string; householdTruth?: string } = {
    records: num('records', values.records) ?? 0,
    seed: Number.isInteger(seedNum) ? seedNum : (values.seed ?? '1'),
    format,
    out: values.out,
  };
  const dupRate = num('dup-rate', values['dup-rate']);
  if (dupRate !== undefined) opts.dupRate = dupRate;
  const maxCluster = num('max-cluster', values['max-cluster']);
  if (maxCluster !== undefined) opts.maxCluster = maxCluster;
  if (dist !== undefined) opts.clusterDist = dist as ClusterDistribution;
  const cp = num('cluster-param', values['cluster-param']);
  if (cp !== undefined) opts.clusterParam = cp;
  const hr = num('household-rate', values['household-rate']);
  if (hr !== undefined) opts.householdRate = hr;
  const tr = num('twin-rate', values['twin-rate']);
  if (tr !== undefined) opts.twinRate = tr;
  const sw = num('shuffle-window', values['shuffle-window']);
  if (sw !== undefined) opts.shuffleWindow = sw;
  if (values['reference-date'] !== undefined) opts.referenceDate = values['reference-date'];
  if (values['household-truth'] !== undefined) opts.householdTruth = values['household-truth'];

  const cpu0 = process.cpuUsage();
  const s = await writeDataset(opts);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const summary = {
    records: s.records,
    entities: s.entities,
    seconds: Number(s.seconds.toFixed(3)),
    records_per_second: Math.round(s.records_per_second),
    bytes: s.bytes,
    // CPU time of this process (all threads) and the 1-minute load average: context for the rate
    // on a shared machine.
    cpu_seconds: Number(cpuSeconds.toFixed(3)),
    records_per_cpu_second: cpuSeconds > 0 ? Math.round(s.records / cpuSeconds) : 0,
    loadavg_1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    format: s.format,
    out: s.out,
    seed: opts.seed,
    dup_rate_observed: s.records > 0 ? Number(((s.records - s.entities) / s.records).toFixed(4)) : 0,
    entities_with_duplicates: s.entitiesWithDuplicates,
    households: s.households,
    twin_pairs: s.twinPairs,
  };
  (opts.out === '-' ? process.stderr : process.stdout).write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
