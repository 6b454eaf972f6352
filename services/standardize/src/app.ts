import { ATTRIBUTE_PREFIX, standardizeRecord, type RawFields, type StandardizeOptions } from '@idres/core';
import {
  ConsumerRunner,
  TOPICS,
  recordIdOf,
  type InboundMessage,
  type OutboundMessage,
  type RawRecord,
  type RecordKey,
  type Rejection,
  type RunnerDeps,
  type ServiceApp,
  type StandardizedRecordAvro,
} from '@idres/runtime';

const CANONICAL: ReadonlyArray<keyof RawFields> = [
  'given_name', 'middle_name', 'family_name', 'full_name', 'dob', 'dob_year', 'dob_month', 'dob_day', 'gender', 'ssn',
  'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country',
];

export interface StandardizeAppOptions {
  standardize?: StandardizeOptions;
}

/** Pure per-message step, exported for tests: a raw record (or tombstone) to its standardized form, or a rejection reason. */
export function standardizeMessage(
  key: RecordKey | null,
  value: RawRecord | null,
  timestamp: number,
  options: StandardizeOptions = {},
): { ok: StandardizedRecordAvro } | { code: string; reason: string } {
  if (!key || !key.source || !key.sourceRecordId) return { code: 'INPUT_INVALID', reason: 'message key must be a RecordKey with source and sourceRecordId' };
  if (key.source.includes(':')) return { code: 'INPUT_INVALID', reason: `source "${key.source}" must not contain ':'` };
  const recordId = recordIdOf(key.source, key.sourceRecordId);
  if (value === null) {
    return { ok: { recordId, source: key.source, sourceRecordId: key.sourceRecordId, version: timestamp, deleted: true, values: {}, flags: [], attributes: {}, ingestedAt: timestamp } };
  }
  if (value.source !== key.source || value.sourceRecordId !== key.sourceRecordId) {
    return { code: 'INPUT_INVALID', reason: `key ${recordId} does not match the value's ${value.source}:${value.sourceRecordId}` };
  }
  const fields: RawFields = {};
  for (const f of CANONICAL) {
    const v = value[f];
    if (typeof v === 'string') fields[f] = v;
  }
  const std = standardizeRecord(fields, options, value.attributes ?? undefined);
  // Attributes (attr.*) are compared only where a model chooses to; alone they do not identify a person.
  if (!Object.keys(std.values).some((k) => !k.startsWith(ATTRIBUTE_PREFIX))) {
    return { code: 'NO_USABLE_FIELDS', reason: `record ${recordId} has no usable identifying field after standardization (${std.flags.map((f) => `${f.field}:${f.code}`).join(', ') || 'all empty'})` };
  }
  return {
    ok: {
      recordId,
      source: key.source,
      sourceRecordId: key.sourceRecordId,
      version: timestamp,
      deleted: false,
      values: std.values,
      flags: std.flags.map((f) => ({ field: f.field, code: f.code, detail: f.detail ?? null })),
      attributes: value.attributes ?? {},
      ingestedAt: timestamp,
    },
  };
}

export function buildStandardizeApp(deps: RunnerDeps, options: StandardizeAppOptions = {}): ServiceApp {
  const runner = new ConsumerRunner<RecordKey, RawRecord>({
    ...deps,
    stage: 'standardize',
    groupId: `${deps.groupPrefix}.standardize`,
    topic: TOPICS.raw,
    keySchema: 'RecordKey',
    valueSchema: 'RawRecord',
    maxBatchSize: deps.batchSize,
    handle: async (messages: InboundMessage<RecordKey, RawRecord>[]) => {
      const outputs: OutboundMessage[] = [];
      const rejects: Rejection<RecordKey, RawRecord>[] = [];
      for (const m of messages) {
        const r = standardizeMessage(m.key, m.value, m.timestamp, options.standardize);
        if ('ok' in r) outputs.push({ topic: TOPICS.standardized, key: { source: r.ok.source, sourceRecordId: r.ok.sourceRecordId }, value: r.ok });
        else rejects.push({ message: m, code: r.code, reason: r.reason });
      }
      return { outputs, rejects };
    },
  });
  return { start: () => runner.start(), stop: () => runner.stop(), isReady: () => runner.isRunning() };
}
