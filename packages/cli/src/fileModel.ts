import { chooseSettings, mulberry32, standardizeRecord, trainModel, type MatchSettings, type ModelJson, type StandardizeOptions } from '@idres/core';
import type { InputRecord } from '@idres/core/inputRecord';
import { fileRows } from './fileRows';

// The same mapping for the records sent, the training sample and change-data-capture rows (packages/sources).
import { mapRow, type RowMapping } from '@idres/core/rowMapping';
export { mapRow, type RowMapping };

export interface FileModelOptions extends RowMapping {
  input: string;
  standardize: StandardizeOptions;
  /** Records trained on at most (a seeded uniform sample of the file beyond that). */
  sampleSize?: number;
  seed?: number;
  /** Attributes to compare whatever their fill rate (--compare). */
  compare?: readonly string[];
  /** Settings to train with instead of those chosen from the data (--settings FILE). */
  settings?: MatchSettings;
}

export interface FileModel {
  /** Undefined when the file has fewer than MIN_TRAINING_RECORDS usable records. */
  model: ModelJson | undefined;
  /** Usable records in the file, and how many of them the model was trained on. */
  records: number;
  sampled: number;
  seconds: number;
}

export const DEFAULT_TRAINING_SAMPLE = 200_000;
/**
 * Below this many usable records a file is not trained on: EM needs enough duplicate pairs in its blocks to
 * estimate m, and a handful of records yields none (`resolve` then uses the default model and says so).
 */
export const MIN_TRAINING_RECORDS = 200;

/**
 * Trains a model on the file about to be resolved, without labels: its own term frequencies, its own m and u and
 * its own prior. The default model was trained on other populations; scoring a German register with it linked
 * strangers called PETRA MUELLER because MUELLER was rare where it was trained.
 */
export async function trainFileModel(opts: FileModelOptions): Promise<FileModel> {
  const t0 = Date.now();
  const cap = opts.sampleSize ?? DEFAULT_TRAINING_SAMPLE;
  const rand = mulberry32(opts.seed ?? 1);
  // Reservoir sampling (Algorithm R): one pass, memory bounded by the sample, same sample for the same file.
  const sample: InputRecord[] = [];
  let seen = 0;
  for await (const row of fileRows(opts.input)) {
    const r = mapRow(row, opts);
    if ('error' in r) continue;
    seen++;
    if (sample.length < cap) sample.push(r.ok);
    else {
      const j = Math.floor(rand() * seen);
      if (j < cap) sample[j] = r.ok;
    }
  }
  const values = sample.map((r) => standardizeRecord(r.fields, opts.standardize, r.attributes).values).filter((v) => Object.keys(v).length > 0);
  if (values.length < MIN_TRAINING_RECORDS) return { model: undefined, records: seen, sampled: values.length, seconds: (Date.now() - t0) / 1000 };
  const description = `${opts.input}${values.length < seen ? ` (seeded sample of ${values.length} of ${seen} records)` : ` (${values.length} records)`}`;
  // Comparisons, training and blocking rules for the fields this file has (attributes included), then EM on them.
  const settings = opts.settings ?? chooseSettings(values, undefined, opts.compare ? { compare: opts.compare } : {});
  const model = trainModel(values, { settings, seed: opts.seed ?? 1, trainedOn: { description, records: values.length } });
  return { model, records: seen, sampled: values.length, seconds: (Date.now() - t0) / 1000 };
}
