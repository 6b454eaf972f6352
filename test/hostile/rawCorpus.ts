import type { Message } from 'kafkajs';
import { mulberry32 } from '@idres/core';
import { TOPICS, type AvroSerde, type RawRecord } from '@idres/runtime';

/** A hostile message on identity.raw, as another client might produce it, and what standardize must do with it. */
export interface HostileRaw {
  name: string;
  message: Message;
  /** Quarantine code expected, or 'standardized' (with these flags) when the record is usable. */
  expect: { quarantine: string; reason: RegExp } | { standardized: string; flags?: string[] };
}

export const RAW_PII = 'PIIRAW';

/**
 * Seeded corpus; record IDs carry runId so a test finds its own results. Needs the serde registered for all topics.
 * A message without a key is not in it: identity.raw is compacted, so the broker refuses one (hostileRaw.test.ts
 * checks that); standardize still quarantines a keyless record should a topic allow one.
 */
export function hostileRawCorpus(seed: number, runId: string, serde: AvroSerde, ids: { pairEventValue: number; recordKeyKey: number }): HostileRaw[] {
  const rand = mulberry32(seed);
  const src = `rawhostile${runId}`;
  const key = (id: string): Buffer => serde.encodeKey(TOPICS.raw, { source: src, sourceRecordId: id });
  const rec = (id: string, over: Partial<RawRecord> = {}): RawRecord => ({ source: src, sourceRecordId: id, given_name: 'Ann', family_name: 'Lee', dob: '1980-02-01', attributes: {}, ...over });
  const value = (r: RawRecord): Buffer => serde.encodeValue(TOPICS.raw, r);
  const withId = (id: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([0, (id >>> 24) & 255, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]), body]);
  const garbage = Buffer.from(Array.from({ length: 200 }, () => Math.floor(rand() * 256)));
  const good = value(rec('x'));
  const avroBody = good.subarray(5);
  const out: HostileRaw[] = [
    { name: 'garbage bytes', message: { key: key('garbage'), value: garbage }, expect: { quarantine: 'DECODE_FAILED', reason: /./ } },
    { name: 'wrong magic byte', message: { key: key('magic'), value: Buffer.concat([Buffer.from([1]), good.subarray(1)]) }, expect: { quarantine: 'DECODE_FAILED', reason: /magic byte/ } },
    { name: 'too short for the wire format', message: { key: key('short'), value: Buffer.from([0, 0]) }, expect: { quarantine: 'DECODE_FAILED', reason: /wire format/ } },
    { name: 'unknown schema ID', message: { key: key('unknown-id'), value: withId(987_654_321, avroBody) }, expect: { quarantine: 'DECODE_FAILED', reason: /unknown to the registry/ } },
    { name: 'negative schema ID', message: { key: key('negative-id'), value: withId(-5, avroBody) }, expect: { quarantine: 'DECODE_FAILED', reason: /./ } },
    { name: "a PairEvent's schema ID on identity.raw", message: { key: key('pair-id'), value: withId(ids.pairEventValue, avroBody) }, expect: { quarantine: 'DECODE_FAILED', reason: /./ } },
    { name: "the key schema's ID as a value (another record type)", message: { key: key('key-as-value'), value: withId(ids.recordKeyKey, serde.encodeKey(TOPICS.raw, { source: src, sourceRecordId: 'key-as-value' }).subarray(5)) }, expect: { quarantine: 'DECODE_FAILED', reason: /RecordKey/ } },
    { name: 'trailing bytes after a valid value', message: { key: key('trailing'), value: Buffer.concat([value(rec('trailing')), Buffer.from([1, 2, 3])]) }, expect: { quarantine: 'DECODE_FAILED', reason: /./ } },
    { name: 'truncated value', message: { key: key('truncated'), value: value(rec('truncated')).subarray(0, 12) }, expect: { quarantine: 'DECODE_FAILED', reason: /./ } },
    { name: 'garbage key', message: { key: garbage, value: value(rec('garbage-key')) }, expect: { quarantine: 'DECODE_FAILED', reason: /./ } },
    { name: 'key and value disagree', message: { key: key('mismatch-a'), value: value(rec('mismatch-b')) }, expect: { quarantine: 'INPUT_INVALID', reason: /does not match/ } },
    { name: 'dob of 31/02 and nothing else', message: { key: key('feb31'), value: value(rec('feb31', { given_name: null, family_name: null, dob: '31/02/1980' })) }, expect: { quarantine: 'NO_USABLE_FIELDS', reason: /dob:INVALID_DATE/ } },
    { name: 'dob of 1980-02-31 beside a name (usable; the dob is flagged and dropped)', message: { key: key('feb31-named'), value: value(rec('feb31-named', { dob: '1980-02-31' })) }, expect: { standardized: 'feb31-named', flags: ['dob:INVALID_DATE'] } },
    { name: 'dob in the year 3000', message: { key: key('y3000'), value: value(rec('y3000', { given_name: null, family_name: null, dob: '3000-01-01' })) }, expect: { quarantine: 'NO_USABLE_FIELDS', reason: /dob/ } },
    { name: '5,000-character name', message: { key: key('long-name'), value: value(rec('long-name', { given_name: RAW_PII + 'A'.repeat(5_000) })) }, expect: { quarantine: 'FIELD_TOO_LONG', reason: /given_name is 5006 characters/ } },
    { name: 'NUL in a name', message: { key: key('nul'), value: value(rec('nul', { family_name: `${RAW_PII}\u0000` })) }, expect: { quarantine: 'FIELD_CHARACTERS', reason: /family_name contains a NUL/ } },
    { name: 'invalid UTF-8 inside an Avro string', message: { key: key('bad-utf8'), value: ((): Buffer => { const b = value(rec('bad-utf8', { family_name: `${RAW_PII}ZZ` })); const at = b.indexOf('ZZ'); b[at] = 0xff; b[at + 1] = 0xfe; return b; })() }, expect: { quarantine: 'FIELD_CHARACTERS', reason: /U\+FFFD/ } },
    { name: '900 KB record (attributes)', message: { key: key('big-attrs'), value: value(rec('big-attrs', { attributes: { blob: RAW_PII + 'b'.repeat(900 * 1024) } })) }, expect: { quarantine: 'VALIDATION_FAILED', reason: /over the \d+-byte limit/ } },
    { name: '900 KB record (one name)', message: { key: key('big-name'), value: value(rec('big-name', { family_name: RAW_PII + 'c'.repeat(900 * 1024) })) }, expect: { quarantine: 'FIELD_TOO_LONG', reason: /family_name is \d+ characters/ } },
    { name: 'SQL in a name (text, usable)', message: { key: key('sql'), value: value(rec('sql', { family_name: "O'Brien'); DROP TABLE resolve_records;--" })) }, expect: { standardized: 'sql' } },
  ];
  return out;
}
