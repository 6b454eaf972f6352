import { blockingKeys, candidatePairs } from './blocking.js';
import type { RawFields, StandardizeOptions } from './fields.js';
import { loadModel, matchWeightPrepared, prepareRecord, probabilityFromWeight, type MatchModel, type ModelJson } from './model.js';
import { standardizeRecord } from './standardizeRecord.js';
import { trainModel, type TrainOptions } from './trainModel.js';
import { chooseSettings } from './chooseSettings.js';
import { clusterRecords, DEFAULT_CLUSTER_FLOOR, type ScoredEdge } from './clustering.js';

export interface PairwiseQuality {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  predictedPairs: number;
  truePairs: number;
}

const c2 = (k: number): number => (k * (k - 1)) / 2;

/**
 * Pairwise dedup metrics. `truth` and `predicted` map record id -> entity/cluster id; ids missing from
 * `predicted` are singletons. Counts pairs via cluster intersections, never enumerating pairs.
 */
export function pairwiseQuality(truth: ReadonlyMap<string, string>, predicted: ReadonlyMap<string, string>): PairwiseQuality {
  const truthSizes = new Map<string, number>();
  const predSizes = new Map<string, number>();
  const both = new Map<string, number>();
  for (const [id, ent] of truth) {
    truthSizes.set(ent, (truthSizes.get(ent) ?? 0) + 1);
    const cl = predicted.get(id);
    if (cl === undefined) continue;
    const k = `${ent}\u0000${cl}`;
    both.set(k, (both.get(k) ?? 0) + 1);
  }
  for (const [id, cl] of predicted) if (truth.has(id)) predSizes.set(cl, (predSizes.get(cl) ?? 0) + 1);
  let tp = 0;
  let truePairs = 0;
  let predictedPairs = 0;
  for (const v of both.values()) tp += c2(v);
  for (const v of truthSizes.values()) truePairs += c2(v);
  for (const v of predSizes.values()) predictedPairs += c2(v);
  const precision = predictedPairs === 0 ? 1 : tp / predictedPairs;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePositives: tp, falsePositives: predictedPairs - tp, falseNegatives: truePairs - tp, predictedPairs, truePairs };
}

export interface LabelledRecord {
  id: string;
  entity: string;
  fields: RawFields;
  /** Non-canonical columns (standardized into attr.* values, compared when chooseSettings picks them). */
  attributes?: Record<string, string>;
}

export interface QualityRunResult extends PairwiseQuality {
  records: number;
  pairsCompared: number;
  blockingRecall: number;
  skippedBlocks: number;
  threshold: number;
  prior: number;
  seconds: { standardize: number; train: number; block: number; score: number; total: number };
}

/**
 * Whole pipeline in-process on labelled data: standardize -> train without labels (unless a model is given;
 * settings from chooseSettings on the data unless opts.train.settings)
 * -> block -> score -> cluster -> pairwise metrics. Labels are used only for the final metrics.
 */
export function runQuality(
  data: readonly LabelledRecord[],
  opts: { standardize?: StandardizeOptions; train?: TrainOptions; model?: ModelJson; maxBlockSize?: number; threshold?: number } = {},
): QualityRunResult {
  const t0 = performance.now();
  const values = data.map((r) => standardizeRecord(r.fields, opts.standardize, r.attributes).values);
  const t1 = performance.now();
  // Without a model: train one on this data, with settings chosen from the fields it has (unless given).
  const json = opts.model ?? trainModel(values, { ...opts.train, settings: opts.train?.settings ?? chooseSettings(values) });
  const model: MatchModel = loadModel(json);
  const t2 = performance.now();
  const keys = values.map((v) => blockingKeys(v, json.settings.blockingRules));
  const { pairs, skippedBlocks } = candidatePairs(keys, { maxBlockSize: opts.maxBlockSize ?? 1000 });
  const t3 = performance.now();
  const threshold = opts.threshold ?? model.threshold;
  const prepared = values.map((v) => prepareRecord(model, v));
  // Links (at or above the threshold) and the evidence pairs above the clustering floor, as resolve gets them.
  const edges: ScoredEdge[] = [];
  let blockedTrue = 0;
  for (const [i, j] of pairs) {
    const a = data[i] as LabelledRecord;
    const b = data[j] as LabelledRecord;
    if (a.entity === b.entity) blockedTrue++;
    const w = matchWeightPrepared(model, prepared[i] as readonly string[], prepared[j] as readonly string[]);
    if (w < DEFAULT_CLUSTER_FLOOR) continue;
    edges.push({ a: a.id, b: b.id, weight: w, link: probabilityFromWeight(w) >= threshold });
  }
  const t4 = performance.now();
  const clusters = clusterRecords(data.map((r) => r.id), edges);
  const truth = new Map(data.map((r) => [r.id, r.entity] as const));
  const q = pairwiseQuality(truth, clusters);
  const t5 = performance.now();
  const s = (x: number): number => Math.round(x) / 1000;
  return {
    records: data.length,
    ...q,
    pairsCompared: pairs.length,
    blockingRecall: q.truePairs === 0 ? 1 : blockedTrue / q.truePairs,
    skippedBlocks,
    threshold,
    prior: json.prior,
    seconds: { standardize: s(t1 - t0), train: s(t2 - t1), block: s(t3 - t2), score: s(t4 - t3), total: s(t5 - t0) },
  };
}
