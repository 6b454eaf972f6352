import type { Producer } from 'kafkajs';
import type { AvroSerde } from './avroSerde';
import type { RawRecord } from './records';
import { TOPICS } from './topics';
import { activeTraceHeaders } from './kafkaTracing';

export interface RawInput {
  source: string;
  sourceRecordId: string;
  fields: Readonly<Record<string, string | undefined>>;
  attributes: Readonly<Record<string, string>>;
}

const FIELDS = [
  'given_name', 'middle_name', 'family_name', 'full_name', 'dob', 'dob_year', 'dob_month', 'dob_day', 'gender', 'ssn',
  'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country',
] as const;

export function toRawRecord(r: RawInput): RawRecord {
  const out: RawRecord = { source: r.source, sourceRecordId: r.sourceRecordId, attributes: { ...r.attributes } };
  for (const f of FIELDS) out[f] = r.fields[f] ?? null;
  return out;
}

/** Produces validated records (and deletes, as tombstones) to identity.raw, keyed by source record. */
export class RawRecordProducer {
  constructor(private readonly producer: Producer, private readonly serde: AvroSerde) {}

  async send(records: readonly RawInput[]): Promise<void> {
    if (records.length === 0) return;
    // With tracing on, each record carries the sender's trace (e.g. ingest's HTTP request) into the pipeline.
    const headers = activeTraceHeaders();
    await this.producer.send({
      topic: TOPICS.raw,
      acks: -1,
      messages: records.map((r) => ({
        key: this.serde.encodeKey(TOPICS.raw, { source: r.source, sourceRecordId: r.sourceRecordId }),
        value: this.serde.encodeValue(TOPICS.raw, toRawRecord(r)),
        ...(headers ? { headers } : {}),
      })),
    });
  }

  async delete(keys: ReadonlyArray<{ source: string; sourceRecordId: string }>): Promise<void> {
    if (keys.length === 0) return;
    await this.producer.send({
      topic: TOPICS.raw,
      acks: -1,
      messages: keys.map((k) => ({ key: this.serde.encodeKey(TOPICS.raw, k), value: null })),
    });
  }
}
