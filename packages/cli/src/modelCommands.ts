import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { chooseSettings, mulberry32, trainModel, type FieldSealer } from '@idres/core';
import { thresholdFromReviews } from '@idres/core/reviewLabels';
import { withReviewedMatches } from '@idres/core/mFromReviews';
import type { Reviews } from './reviewedPairs';
import { PgModelStore, type StoredModelSummary } from '@idres/models';
import { TOPICS, type AvroSerde, type StandardizedRecordAvro } from '@idres/runtime';

export interface StandardizedSample {
  values: Array<Record<string, string>>;
  /** Current (not deleted) records seen in the topic. */
  records: number;
}

/**
 * A seeded uniform sample of the current records in identity.standardized, read up to the topic's end at the
 * time of the call. Each record's latest version counts once (later versions replace earlier ones); a delete
 * removes it. Memory is bounded by the sample plus one small entry per record ID.
 */
export async function sampleStandardized(kafka: Kafka, serde: AvroSerde, size: number, seed = 1): Promise<StandardizedSample> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(TOPICS.standardized)) if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const slotOf = new Map<string, number>(); // record ID -> its slot in the sample, or -1 when not sampled
  const sample: Array<Record<string, string> | undefined> = [];
  const rand = mulberry32(seed);
  let live = 0;
  let seen = 0;
  if (ends.size > 0) {
    const consumer = kafka.consumer({ groupId: `idres.model-train-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    let done!: () => void;
    let failed!: (e: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
    try {
      await consumer.subscribe({ topics: [TOPICS.standardized], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          try {
            const end = ends.get(batch.partition);
            if (end === undefined) return;
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= end || m.value === null) continue;
              const r = await serde.decode<StandardizedRecordAvro>(m.value, 'StandardizedRecord');
              const slot = slotOf.get(r.recordId);
              if (r.deleted) {
                if (slot !== undefined) { live--; slotOf.delete(r.recordId); if (slot >= 0) sample[slot] = undefined; }
                continue;
              }
              if (slot !== undefined) { if (slot >= 0) sample[slot] = r.values; continue; }
              live++;
              seen++;
              // Reservoir sampling (Algorithm R) over first versions; later versions update in place.
              if (sample.length < size) { slotOf.set(r.recordId, sample.length); sample.push(r.values); }
              else {
                const j = Math.floor(rand() * seen);
                if (j < size) { slotOf.set(r.recordId, j); sample[j] = r.values; } else slotOf.set(r.recordId, -1);
              }
            }
            if (BigInt(batch.lastOffset()) + 1n >= end) ends.delete(batch.partition);
            if (ends.size === 0) done();
          } catch (err) {
            failed(err);
          }
        },
      });
      await finished;
    } finally {
      await consumer.disconnect();
    }
  }
  return { values: sample.filter((v): v is Record<string, string> => v !== undefined && Object.keys(v).length > 0), records: live };
}

/** `idres model train`: trains on what the deployment holds, stores a new version and (by default) activates it. */
export async function trainFromTopic(kafka: Kafka, serde: AvroSerde, databaseUrl: string, opts: { sampleSize: number; activate: boolean; log: (m: string) => void; reviews?: Reviews; sealer?: FieldSealer }): Promise<{ version: number; trainedOn: number; records: number; threshold: number; thresholdFromReviews: boolean; mFromReviewedMatches: number }> {
  opts.log(`sampling up to ${opts.sampleSize} records of ${TOPICS.standardized}...`);
  const s = await sampleStandardized(kafka, serde, opts.sampleSize);
  // Sealed national IDs are compared in clear by match (in memory), so the model learns their levels in clear too.
  const open = (v: Record<string, string>): Record<string, string> => (opts.sealer ? opts.sealer.openValues(v) : v);
  s.values = s.values.map(open);
  if (s.values.length < 2) throw new Error(`${TOPICS.standardized} holds ${s.values.length} usable records; at least 2 are needed to train`);
  opts.log(`training on ${s.values.length} of ${s.records} records (no labels)...`);
  const description = `${TOPICS.standardized} (seeded sample of ${s.values.length} of ${s.records} records)`;
  let model = trainModel(s.values, { settings: chooseSettings(s.values), seed: 1, trainedOn: { description, records: s.values.length } });
  // Reviewers' "same person" pairs are matches whose levels are known: they join EM's expected matches in m.
  const sameValues = (opts.reviews?.sameValues ?? []).map(([a, b]) => [open(a), open(b)] as const);
  if (sameValues.length > 0) {
    const r = withReviewedMatches(model, sameValues);
    model = r.model;
    opts.log(`m probabilities: ${sameValues.length} reviewed "same person" pairs counted beside the ~${Math.round(r.emMatches)} matches EM expected per training rule`);
  }
  // Reviewers' decisions label pairs: the threshold that best separates them replaces the estimated one.
  const reviewed = opts.reviews?.pairs ?? [];
  const fromReviews = thresholdFromReviews(reviewed, model.threshold);
  if (fromReviews !== undefined) {
    opts.log(`threshold ${fromReviews.toFixed(4)} from ${reviewed.length} reviewed pairs (best F1 on them; estimated without labels: ${model.threshold.toFixed(4)})`);
    model.trainedOn = { ...model.trainedOn, thresholdFromReviews: { reviewedPairs: reviewed.length, unlabelledThreshold: model.threshold } };
    model.threshold = fromReviews;
  } else if (reviewed.length > 0) {
    opts.log(`${reviewed.length} reviewed pairs: too few of each kind (at least 5 "same" and 5 "different") to set the threshold`);
  }
  const version = await withModelStore(databaseUrl, (store) => store.add(model, { kind: 'trained', description }, { activate: opts.activate }));
  return { version, trainedOn: s.values.length, records: s.records, threshold: model.threshold, thresholdFromReviews: fromReviews !== undefined, mFromReviewedMatches: sameValues.length };
}

export async function withModelStore<T>(databaseUrl: string, fn: (store: PgModelStore) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    return await fn(new PgModelStore(pool));
  } finally {
    await pool.end();
  }
}

export function formatModelList(list: readonly StoredModelSummary[]): string {
  if (list.length === 0) return 'no stored models: match scores with the shipped default model\n';
  return list.map((m) => `${m.active ? '*' : ' '} ${String(m.version).padStart(4)}  ${m.createdAt.toISOString()}  ${m.provenance.kind.padEnd(7)}  ${m.provenance.description}`).join('\n') + '\n';
}
