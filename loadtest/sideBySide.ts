// idres and Splink side by side, in one run, on the same files: each system trains on the file without labels
// (Splink: u by random sampling, m by EM; idres: `trainModel`, the same for u and m), then dedupes it; pairwise
// precision/recall/F1 against the file's truth, time and records per second, and the ratios idres/Splink.
// idres runs the whole pipeline through Kafka exactly as `idres resolve` does (trains on the file, activates that model version), Splink runs in-process
// on DuckDB. Usage (holds the pipeline lock; resets the local pipeline):
//   npm run bench:splink -- [--datasets febrl1,febrl2,febrl3,fake_1000,synthetic_2000] [--synthetic N] [--file F.csv] [--train-max 250000]
//     [--profile civil-register-de|civil-register-de-names|historical|febrl-like[,...] --records N]
// --synthetic N generates N records (seed 1) first; --file takes a generator CSV already made (record_id, entity_id).
// --profile generates a file of each named generator profile (--records N, default 10000, seed 1) and runs it with the
// profile's --map mapping (its attribute columns go in as attributes) and the Splink format of that profile.
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { febrlEntity, loadFake1000, loadFebrl, loadSynthetic, FIXTURES_DIR, type LabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { readBaseConfig } from '@idres/runtime';
import { resetPipeline } from '../packages/cli/src/pipelineReset';
import { resolveFile } from '../packages/cli/src/resolveFile';
import { resolveMapping } from '../packages/cli/src/resolveMapping';
import { chooseModel, waitForModel } from '../packages/cli/src/modelChoice';
import { servicesDown, servicesUp } from '../packages/cli/src/serviceSupervisor';
import { runStack, stackEnv } from '../packages/cli/src/stackControl';
import { PROFILES, isProfileName, type ShapeProfileName } from './generator/profiles/index';
import { STACK_DIR, SUPERVISED_SERVICES } from '../packages/cli/src/repoPaths';
import { CLK_TCK, sampleProcess, watchedProcesses, type Watched } from './bench/procfs';

interface Spec {
  name: string;
  file: string;
  splinkFormat: 'febrl' | 'fake1000' | 'canonical' | ShapeProfileName;
  idColumn: string;
  map: Record<string, string> | undefined;
  truthOf: (row: Readonly<Record<string, string>>) => string | undefined;
  load: () => LabelledDataset;
}

const FEBRL_MAP = { given_name: 'given_name', family_name: 'surname', house_number: 'street_number', address_line1: 'address_1', address_line2: 'address_2', city: 'suburb', postcode: 'postcode', state: 'state', dob: 'date_of_birth', ssn: 'soc_sec_id' };
const febrl = (n: number): Spec => {
  const file = path.join(FIXTURES_DIR, 'febrl', `dataset${n}.csv`);
  return { name: `febrl${n}`, file, splinkFormat: 'febrl', idColumn: 'rec_id', map: FEBRL_MAP, truthOf: (r) => (r['rec_id'] ? febrlEntity(r['rec_id']) : undefined), load: () => loadFebrl(file, `febrl_dataset${n}`) };
};
const canonical = (name: string, file: string): Spec => ({ name, file, splinkFormat: 'canonical', idColumn: 'record_id', map: undefined, truthOf: (r) => r['entity_id'], load: () => loadSynthetic(file, name) });

const { values } = parseArgs({ options: { datasets: { type: 'string', default: 'febrl1,febrl2,febrl3,fake_1000,synthetic_2000' }, synthetic: { type: 'string' }, file: { type: 'string' }, 'train-max': { type: 'string', default: '250000' }, profile: { type: 'string' }, records: { type: 'string', default: '10000' } } });
const fake = path.join(FIXTURES_DIR, 'splink', 'fake_1000.csv');
const specs: Spec[] = [
  febrl(1), febrl(2), febrl(3),
  { name: 'fake_1000', file: fake, splinkFormat: 'fake1000', idColumn: 'unique_id', map: { given_name: 'first_name', family_name: 'surname', dob: 'dob', city: 'city', email: 'email' }, truthOf: (r) => r['cluster'], load: () => loadFake1000(fake) },
  canonical('synthetic_2000', path.join(FIXTURES_DIR, 'synthetic', 'sample_2000.csv')),
];
const wanted = values.datasets!.split(',').filter(Boolean);
const chosen = specs.filter((s) => wanted.includes(s.name));
if (values.synthetic) {
  const n = Number(values.synthetic);
  const file = path.resolve('loadtest/out', `synthetic_${n}_seed1.csv`);
  mkdirSync('loadtest/out', { recursive: true });
  spawnSync('npx', ['tsx', 'loadtest/generator/cli.ts', '--records', String(n), '--seed', '1', '--format', 'csv', '--out', file], { stdio: 'inherit' });
  chosen.push(canonical(`synthetic_${n}`, file));
}
for (const prof of (values.profile ?? '').split(',').filter(Boolean)) {
  if (!isProfileName(prof) || prof === 'us-crm') throw new Error(`--profile ${prof}: one of ${Object.keys(PROFILES).join(', ')} (us-crm is --synthetic N)`);
  const n = Number(values.records);
  const name = `${prof}_${n}`;
  const file = path.resolve('loadtest/out', `${name}_seed1.csv`);
  mkdirSync('loadtest/out', { recursive: true });
  // Also writes <file>.mapping.json, which loadSynthetic reads (canonical fields; attribute columns listed, not loaded).
  const gen = spawnSync('npx', ['tsx', 'loadtest/generator/cli.ts', '--profile', prof, '--records', String(n), '--seed', '1', '--format', 'csv', '--out', file], { stdio: 'inherit' });
  if (gen.status !== 0) throw new Error(`generator failed for --profile ${prof}`);
  chosen.push({ name, file, splinkFormat: prof, idColumn: 'record_id', map: { ...PROFILES[prof].mapping }, truthOf: (r) => r['entity_id'], load: () => loadSynthetic(file, name) });
}
if (values.file) chosen.push(canonical(path.basename(values.file, '.csv').replace(/_seed\d+$/, ''), path.resolve(values.file)));

const log = (m: string): void => void process.stderr.write(`[side-by-side] ${m}\n`);

// CPU per process over idres's part of a dataset (training in this process included), so a run on a shared
// machine still says what each record cost: cumulative ticks at the start and the end, from /proc.
const watched: Watched[] = watchedProcesses(path.join(STACK_DIR, 'services'), process.env['IDRES_STACK_DIR'] ?? STACK_DIR, SUPERVISED_SERVICES)
  .map((w) => (w.kind === 'bench' ? { ...w, name: 'cli (training, reading the file)' } : w));
const cpuTicks = (): Map<string, number> => new Map(watched.flatMap((w) => { const s = sampleProcess(w); return s ? [[w.name, s.ticks] as const] : []; }));
const cpuPerRecord = (before: Map<string, number>, after: Map<string, number>, records: number): { total_us_per_record: number; us_per_record: Record<string, number> } => {
  const per: Record<string, number> = {};
  for (const [name, t] of after) per[name] = Math.round(((t - (before.get(name) ?? 0)) / CLK_TCK) * 1e6 / records);
  return { total_us_per_record: Object.values(per).reduce((a, b) => a + b, 0), us_per_record: per };
};
await runStack('up');
spawnSync('bash', ['loadtest/splink/setup.sh'], { stdio: 'inherit' });
const stack = stackEnv();
const cfg = readBaseConfig(stack, 'bench');
const date = new Date().toISOString().slice(0, 10);
const lines: unknown[] = [];
for (const spec of chosen) {
  const ds = spec.load();
  await servicesDown();
  await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix }, 'all');
  const env = { ...stack, IDRES_DEFAULT_COUNTRY: ds.standardize.defaultCountry ?? 'US', IDRES_DATE_LOCALE: ds.standardize.dateLocale ?? 'US', LOG_LEVEL: 'warn' };
  await servicesUp(env);
  log(`${spec.name}: idres`);
  const ticksBefore = cpuTicks();
  // Exactly what `idres resolve` does without --model: train on (a seeded sample of at most --train-max records
  // of) the file, make it the active version, then stream the file. Its training time counts, as Splink's does.
  const map = await resolveMapping(spec.file, spec.idColumn, spec.map);
  const choice = await chooseModel({ input: spec.file, idColumn: spec.idColumn, map, source: 'side', model: undefined, standardize: ds.standardize, sampleSize: Number(values['train-max']) }, env, log);
  await waitForModel(choice.version, env, log);
  const resolved = await resolveFile({ input: spec.file, idColumn: spec.idColumn, map: spec.map, source: 'side', output: path.join(os.tmpdir(), `idres-side-${spec.name}.out.csv`), timeoutMs: 4 * 3_600_000, truthOf: spec.truthOf }, env, log);
  const seconds = resolved.seconds + choice.trainSeconds;
  const cpu = cpuPerRecord(ticksBefore, cpuTicks(), resolved.records);
  const ours = { ...resolved, seconds, recordsPerSecond: Math.round(resolved.records / seconds) };
  log(`${spec.name}: splink`);
  const splinkOut = path.join(os.tmpdir(), `splink-side-${spec.name}.json`);
  const sp = spawnSync('loadtest/splink/.venv/bin/python', ['loadtest/splink/run_splink.py', '--quiet', '--dataset', spec.name, '--input', spec.file, '--format', spec.splinkFormat, '--out', splinkOut], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (sp.status !== 0) throw new Error(`splink failed on ${spec.name}`);
  const splink = JSON.parse(readFileSync(splinkOut, 'utf8')) as {
    seconds: number; records_per_second: number; precision: number; recall: number; f1: number;
    best_threshold?: { threshold: number; precision: number; recall: number; f1: number };
  };
  const q = ours.quality ?? { precision: 0, recall: 0, f1: 0 };
  const line = {
    dataset: spec.name, records: ours.records,
    idres: { seconds: +ours.seconds.toFixed(2), records_per_second: ours.recordsPerSecond, precision: +q.precision.toFixed(4), recall: +q.recall.toFixed(4), f1: +q.f1.toFixed(4), path: 'full pipeline through Kafka', cpu },
    splink: {
      seconds: splink.seconds, records_per_second: splink.records_per_second, precision: +splink.precision.toFixed(4), recall: +splink.recall.toFixed(4), f1: +splink.f1.toFixed(4), path: 'in-process, DuckDB',
      ...(splink.best_threshold ? { best_threshold_chosen_with_labels: { threshold: splink.best_threshold.threshold, precision: +splink.best_threshold.precision.toFixed(4), recall: +splink.best_threshold.recall.toFixed(4), f1: +splink.best_threshold.f1.toFixed(4) } } : {}),
    },
    ratios: { speed_idres_over_splink: +(ours.recordsPerSecond / splink.records_per_second).toFixed(3), f1_idres_over_splink: +(q.f1 / splink.f1).toFixed(4) },
  };
  console.log(JSON.stringify(line));
  lines.push(line);
}
await servicesDown();
mkdirSync('loadtest/results', { recursive: true });
const out = `loadtest/results/side-by-side-${chosen.map((c) => c.name).join('+').slice(0, 80)}-${date}.json`;
writeFileSync(out, JSON.stringify({ machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, date, results: lines }, null, 2) + '\n');
log(`wrote ${out}`);
process.exit(0);
