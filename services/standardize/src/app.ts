import { ATTRIBUTE_PREFIX, standardizeRecord, type FieldSealer, type RawFields, type StandardizeOptions } from '@idres/core';
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

/**
 * A canonical value longer than this is not a name, date or address but a producer's bug (a whole row in one
 * field): the record is quarantined rather than matched on a truncated prefix. Ingest refuses the same.
 */
export const MAX_CANONICAL_LENGTH = 1_000;

/** What makes a decoded string unusable: NUL (Postgres text refuses it) or U+FFFD (the producer's bytes were not UTF-8). */
function badCharacters(v: string): string | undefined {
  if (v.includes('\u0000')) return 'contains a NUL character';
  if (v.includes('\uFFFD')) return 'contains U+FFFD (invalid UTF-8 from the producer, or a replacement character)';
  return undefined;
}

export interface StandardizeAppOptions {
  standardize?: StandardizeOptions;
  /** Seals the configured fields (national IDs) before anything leaves standardize; without it they rest in clear. */
  sealer?: FieldSealer;
}

/** Pure per-message step, exported for tests: a raw record (or tombstone) to its standardized form, or a rejection reason. */
export function standardizeMessage(
  key: RecordKey | null,
  value: RawRecord | null,
  timestamp: number,
  options: StandardizeOptions = {},
): { ok: StandardizedRecordAvro } | { code: string; reason: string } {
  if (!key || !key.source || !key.sourceRecordId) return { code: 'INPUT_INVALID', reason: 'message key must be a RecordKey with source and sourceRecordId' };
  if (key.source.includes(':')) return { code: 'INPUT_INVALID', reason: "the key's source must not contain ':'" };
  const keyChars = badCharacters(key.source) ?? badCharacters(key.sourceRecordId);
  if (keyChars) return { code: 'INPUT_INVALID', reason: `the key's source or sourceRecordId ${keyChars}` };
  const recordId = recordIdOf(key.source, key.sourceRecordId);
  if (value === null) {
    return { ok: { recordId, source: key.source, sourceRecordId: key.sourceRecordId, version: timestamp, deleted: true, values: {}, flags: [], attributes: {}, ingestedAt: timestamp } };
  }
  if (value.source !== key.source || value.sourceRecordId !== key.sourceRecordId) {
    return { code: 'INPUT_INVALID', reason: `key ${recordId} does not match the value's source and sourceRecordId` };
  }
  const fields: RawFields = {};
  for (const f of CANONICAL) {
    const v = value[f];
    if (typeof v !== 'string') continue;
    if (v.length > MAX_CANONICAL_LENGTH) return { code: 'FIELD_TOO_LONG', reason: `record ${recordId}: ${f} is ${v.length} characters, over the ${MAX_CANONICAL_LENGTH}-character limit of a canonical field` };
    const chars = badCharacters(v);
    if (chars) return { code: 'FIELD_CHARACTERS', reason: `record ${recordId}: ${f} ${chars}` };
    fields[f] = v;
  }
  for (const [k, v] of Object.entries(value.attributes ?? {})) {
    const chars = badCharacters(k) ?? badCharacters(v);
    if (chars) return { code: 'FIELD_CHARACTERS', reason: `record ${recordId}: an attribute name or value ${chars}` };
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
        if ('ok' in r && options.sealer) r.ok.values = options.sealer.sealValues(r.ok.values);
        if ('ok' in r) outputs.push({ topic: TOPICS.standardized, key: { source: r.ok.source, sourceRecordId: r.ok.sourceRecordId }, value: r.ok });
        else rejects.push({ message: m, code: r.code, reason: r.reason });
      }
      return { outputs, rejects };
    },
  });
  return { start: () => runner.start(), stop: () => runner.stop(), isReady: () => runner.isRunning() };
}
