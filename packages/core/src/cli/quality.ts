/**
 * Measured matching quality: for each labelled dataset, standardize, train on that data WITHOUT labels
 * (or use --model), block, score, cluster, and compare clusters with the ground truth.
 * Prints one JSON line per dataset. CLI file: does file I/O.
 */
import { readFileSync } from 'node:fs';
import { FIXTURES_DIR, LABELLED_DATASETS, loadLabelledDataset, loadSynthetic, type ColumnMapping, type LabelledDataset, type LabelledDatasetName } from '../fixtures/labelledDatasets.js';
import { runQuality } from '../quality.js';
import type { ModelJson } from '../model.js';
import { loadModel } from '../model.js';
import { IdresError } from '../errors.js';

const USAGE = `Usage: tsx packages/core/src/cli/quality.ts [--dataset <name>]... [--mapping <file.mapping.json>] [--synthetic <file.csv>]... [--fixtures <dir>] [--model <model.json>] [--threshold <p>]
Datasets: ${LABELLED_DATASETS.join(', ')} (default: all, unless only --synthetic files are given). Fixtures dir default: ${FIXTURES_DIR}
--synthetic reads a labelled CSV written by loadtest/generator/cli.ts (truth = entity_id); for a --profile other than
us-crm its columns are mapped by the <file>.mapping.json the generator wrote next to it (or by --mapping FILE.json,
which applies to the --synthetic files after it). Mapped attribute columns are listed, not compared.
Without --model each dataset gets a model trained on its own records without labels.`;

function main(): void {
  const args = process.argv.slice(2);
  const datasets: LabelledDatasetName[] = [];
  const syntheticFiles: Array<{ file: string; mapping: ColumnMapping | undefined }> = [];
  let mapping: ColumnMapping | undefined;
  let dir = FIXTURES_DIR;
  let model: ModelJson | undefined;
  let threshold: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (a === '--help' || a === '-h') { process.stdout.write(`${USAGE}\n`); return; }
    if (v === undefined) { process.stderr.write(`missing value for ${String(a)}\n${USAGE}\n`); process.exit(2); }
    i++;
    if (a === '--dataset') {
      if (!(LABELLED_DATASETS as readonly string[]).includes(v)) { process.stderr.write(`unknown dataset ${v}\n${USAGE}\n`); process.exit(2); }
      datasets.push(v as LabelledDatasetName);
    } else if (a === '--synthetic') syntheticFiles.push({ file: v, mapping });
    else if (a === '--mapping') mapping = JSON.parse(readFileSync(v, 'utf8')) as ColumnMapping;
    else if (a === '--fixtures') dir = v;
    else if (a === '--model') {
      const json: unknown = JSON.parse(readFileSync(v, 'utf8'));
      loadModel(json); // validate early
      model = json as ModelJson;
    } else if (a === '--threshold') threshold = Number(v);
    else { process.stderr.write(`unknown argument ${String(a)}\n${USAGE}\n`); process.exit(2); }
  }
  const loaders: Array<() => LabelledDataset> = [
    ...(datasets.length || syntheticFiles.length ? datasets : LABELLED_DATASETS).map((n) => () => loadLabelledDataset(n, dir)),
    ...syntheticFiles.map((f) => () => loadSynthetic(f.file, f.file, f.mapping)),
  ];
  for (const load of loaders) {
    const d = load();
    const name = d.name;
    const opts: Parameters<typeof runQuality>[1] = { standardize: d.standardize };
    if (model) opts.model = model;
    if (threshold !== undefined) opts.threshold = threshold;
    const r = runQuality(d.records, opts);
    const round = (x: number): number => Math.round(x * 10000) / 10000;
    process.stdout.write(`${JSON.stringify({
      dataset: name,
      records: r.records,
      precision: round(r.precision),
      recall: round(r.recall),
      f1: round(r.f1),
      truePairs: r.truePairs,
      predictedPairs: r.predictedPairs,
      truePositives: r.truePositives,
      pairsCompared: r.pairsCompared,
      blockingRecall: round(r.blockingRecall),
      threshold: r.threshold,
      model: model ? 'given' : 'trained_unsupervised_on_this_dataset',
      ...(d.attributes?.length ? { attributes: d.attributes } : {}),
      seconds: r.seconds.total,
      secondsDetail: r.seconds,
    })}\n`);
  }
}

try {
  main();
} catch (e) {
  const code = e instanceof IdresError ? e.code : 'UNEXPECTED';
  process.stderr.write(`quality failed [${code}]: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
