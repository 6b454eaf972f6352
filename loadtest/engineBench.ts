/**
 * Engine speed benchmark (one core, in-process). Prints one JSON line per measurement.
 *   npx tsx loadtest/engineBench.ts [--seconds 3]
 * Measures: standardization records/s (FEBRL dataset3 + fake_1000 raw records), pair scoring
 * comparisons/s for a six-comparison model and for the full default model, on blocked candidate pairs
 * (what services score) and on random pairs (worst case: most comparisons fall through to fuzzy levels).
 */
import { cpus } from 'node:os';
import { blockingKeys, candidatePairs, DEFAULT_SETTINGS, loadModel, matchWeightPrepared, prepareRecord, scorePair, scorePrepared, standardizeRecord, trainModel, type MatchModel, type MatchSettings } from '../packages/core/src/index.js';
import { loadLabelledDataset } from '../packages/core/src/fixtures/labelledDatasets.js';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg >= 0 ? Number(process.argv[secondsArg + 1] ?? '3') : 3;

/**
 * opsPerSecond is per wall-clock second; opsPerCpuSecond divides by this process's CPU time, which is the
 * one-core figure when the machine is shared (other processes inflate wall time, not our CPU time).
 */
function timeLoop(fn: () => number): { opsPerSecond: number; opsPerCpuSecond: number; ops: number; seconds: number; cpuSeconds: number } {
  // Warm up so the JIT has compiled the hot path before timing.
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let now = start;
  while (now < end) {
    ops += fn();
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { opsPerSecond: Math.round(ops / seconds), opsPerCpuSecond: Math.round(ops / cpuSeconds), ops, seconds: Math.round(seconds * 100) / 100, cpuSeconds: Math.round(cpuSeconds * 100) / 100 };
}

const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg1: Math.round((await import('node:os')).loadavg()[0]! * 100) / 100 };

const febrl = loadLabelledDataset('febrl_dataset3');
const fake = loadLabelledDataset('fake_1000');
const raw = [...febrl.records.map((r) => ({ f: r.fields, o: febrl.standardize })), ...fake.records.map((r) => ({ f: r.fields, o: fake.standardize }))];

// --- standardization ---
{
  let i = 0;
  const r = timeLoop(() => {
    for (let k = 0; k < 200; k++) {
      const x = raw[i++ % raw.length]!;
      standardizeRecord(x.f, x.o);
    }
    return 200;
  });
  console.log(JSON.stringify({ bench: 'standardize', unit: 'records/s', ...r, records: raw.length, ...env }));
}

// --- scoring ---
const values = febrl.records.map((r) => standardizeRecord(r.fields, febrl.standardize).values);
const six: MatchSettings = {
  ...DEFAULT_SETTINGS,
  comparisons: DEFAULT_SETTINGS.comparisons.filter((c) => ['given_name', 'family_name', 'dob', 'ssn', 'address', 'email'].includes(c.name)),
};
const models: Array<[string, MatchModel]> = [
  ['six_comparisons', loadModel(trainModel(values, { settings: six, maxPairsForU: 100_000 }))],
  ['default_all_comparisons', loadModel(trainModel(values, { maxPairsForU: 100_000 }))],
];
const blocked = candidatePairs(values.map((v) => blockingKeys(v))).pairs;
const randomPairs: Array<[number, number]> = [];
let seed = 7;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
for (let k = 0; k < 100_000; k++) randomPairs.push([Math.floor(rnd() * values.length), Math.floor(rnd() * values.length)]);

for (const [name, model] of models) {
  // Per-record features are prepared once (as the services do per record), then every pair is array reads.
  const prep = values.map((v) => prepareRecord(model, v));
  {
    let i = 0;
    const r = timeLoop(() => {
      for (let k = 0; k < 200; k++) prepareRecord(model, values[i++ % values.length]!);
      return 200;
    });
    console.log(JSON.stringify({ bench: 'prepareRecord', model: name, unit: 'records/s', ...r }));
  }
  // Variant: one shared string object per distinct value (prepareRecord shareStrings), for callers that score
  // each prepared record against many others; costs a few µs per record.
  const prepShared = values.map((v) => prepareRecord(model, v, { shareStrings: true }));
  {
    let i = 0;
    let sink = 0;
    const r = timeLoop(() => {
      for (let k = 0; k < 1000; k++) {
        const p = blocked[i++ % blocked.length]!;
        sink += matchWeightPrepared(model, prepShared[p[0]]!, prepShared[p[1]]!);
      }
      return 1000;
    });
    console.log(JSON.stringify({ bench: 'matchWeight_sharedStrings', model: name, comparisons: model.comparisons.length, pairs: 'blocked', unit: 'pairs/s', ...r, sink: Number.isFinite(sink) ? 1 : 0 }));
  }
  for (const [pairsName, pairs] of [['blocked', blocked], ['random', randomPairs]] as const) {
    let i = 0;
    let sink = 0;
    const r = timeLoop(() => {
      for (let k = 0; k < 1000; k++) {
        const p = pairs[i++ % pairs.length]!;
        sink += matchWeightPrepared(model, prep[p[0]]!, prep[p[1]]!);
      }
      return 1000;
    });
    console.log(JSON.stringify({ bench: 'matchWeight', model: name, comparisons: model.comparisons.length, pairs: pairsName, unit: 'pairs/s', ...r, sink: Number.isFinite(sink) ? 1 : 0 }));
    i = 0;
    const r2 = timeLoop(() => {
      for (let k = 0; k < 1000; k++) {
        const p = pairs[i++ % pairs.length]!;
        sink += scorePrepared(model, prep[p[0]]!, prep[p[1]]!).probability;
      }
      return 1000;
    });
    console.log(JSON.stringify({ bench: 'scorePrepared_with_explanation', model: name, comparisons: model.comparisons.length, pairs: pairsName, unit: 'pairs/s', ...r2 }));
    i = 0;
    const r3 = timeLoop(() => {
      for (let k = 0; k < 1000; k++) {
        const p = pairs[i++ % pairs.length]!;
        sink += scorePair(model, values[p[0]]!, values[p[1]]!).probability;
      }
      return 1000;
    });
    console.log(JSON.stringify({ bench: 'scorePair_unprepared_with_explanation', model: name, comparisons: model.comparisons.length, pairs: pairsName, unit: 'pairs/s', ...r3 }));
  }
}
