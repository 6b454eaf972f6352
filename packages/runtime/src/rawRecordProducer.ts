import type { Message, Producer } from 'kafkajs';
import type { AvroSerde } from './avroSerde';
import { chunkBySize } from './chunkBySize';
import { IdresRuntimeError, errorMessage } from './errors';
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

/** Under Kafka's default message.max.bytes (1 MiB), with room for record overhead (as the consumer runner). */
const MAX_RECORD_BYTES = 900 * 1024;
/** One produce request carries at most this much, so no partition's record batch can exceed the broker's limit. */
const MAX_SEND_BYTES = 512 * 1024;

export function toRawRecord(r: RawInput): RawRecord {
  const out: RawRecord = { source: r.source, sourceRecordId: r.sourceRecordId, attributes: { ...r.attributes } };
  for (const f of FIELDS) out[f] = r.fields[f] ?? null;
  return out;
}

/** One record in the wire format, ready to produce, or why it cannot be (it would be refused by the broker for good). */
export type EncodedRaw = { message: Message; bytes: number } | { code: 'RECORD_TOO_LARGE'; reason: string };

/** Produces validated records (and deletes, as tombstones) to identity.raw, keyed by source record. */
export class RawRecordProducer {
  constructor(private readonly producer: Producer, private readonly serde: AvroSerde) {}

  /** Encodes one record; a record over the broker's message size limit is refused here, not by the broker. */
  encode(r: RawInput): EncodedRaw {
    const key = this.serde.encodeKey(TOPICS.raw, { source: r.source, sourceRecordId: r.sourceRecordId });
    const value = this.serde.encodeValue(TOPICS.raw, toRawRecord(r));
    const bytes = key.length + value.length + 64;
    if (bytes > MAX_RECORD_BYTES) return { code: 'RECORD_TOO_LARGE', reason: `record is ${bytes} bytes encoded, over the ${MAX_RECORD_BYTES}-byte limit of one Kafka message` };
    return { message: { key, value }, bytes };
  }

  /**
   * Produces encoded records in requests of at most MAX_SEND_BYTES, in order. Returns how many were acknowledged
   * (all of them, or those before the first request that failed, with the error).
   */
  async sendEncoded(items: ReadonlyArray<{ message: Message; bytes: number }>): Promise<{ sent: number; error?: unknown }> {
    // With tracing on, each record carries the sender's trace (e.g. ingest's HTTP request) into the pipeline.
    const headers = activeTraceHeaders();
    let sent = 0;
    for (const chunk of chunkBySize(items, (i) => i.bytes, MAX_SEND_BYTES)) {
      try {
        await this.producer.send({ topic: TOPICS.raw, acks: -1, messages: chunk.map((i) => (headers ? { ...i.message, headers } : i.message)) });
      } catch (error) {
        return { sent, error };
      }
      sent += chunk.length;
    }
    return { sent };
  }

  /** Produces all records or throws (a record over the size limit is an INPUT_INVALID error before anything is sent). */
  async send(records: readonly RawInput[]): Promise<void> {
    if (records.length === 0) return;
    const encoded = records.map((r) => this.encode(r));
    const items: Array<{ message: Message; bytes: number }> = [];
    for (const [i, e] of encoded.entries()) {
      if ('code' in e) throw new IdresRuntimeError('INPUT_INVALID', `record ${i} of ${records.length}: ${e.reason}`);
      items.push(e);
    }
    const { sent, error } = await this.sendEncoded(items);
    if (error !== undefined) {
      throw new IdresRuntimeError('HANDLER_FAILED', `produce to ${TOPICS.raw} failed after ${sent} of ${items.length} records: ${errorMessage(error)}`, { retriable: true, cause: error });
    }
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
