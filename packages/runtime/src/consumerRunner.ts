import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AvroSerde } from './avroSerde';
import { chunkBySize } from './chunkBySize';
import { IdresRuntimeError, errorCode, errorMessage, isRetriable } from './errors';
import { activeTraceHeaders, linksFromHeaders } from './kafkaTracing';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { encodePacks, packItemCount, packValue, type PackItem } from './messagePacks';
import { TOPICS, TOPIC_SPECS, packingOf } from './topics';

/** A consumed message, decoded. `value` is null for a tombstone. */
export interface InboundMessage<K, V> {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: K | null;
  value: V | null;
  raw: KafkaMessage;
  /** For an item of a packed message: its position in the pack (the pack's offset is shared by all its items). */
  packIndex?: number;
}

/** What a handler wants produced; `value: null` produces a tombstone. */
export interface OutboundMessage {
  topic: string;
  key: unknown;
  value: unknown;
  headers?: Record<string, string>;
  /** Required for a packed topic (see messagePacks.ts): the key whose hash picks the item's partition; `key` is unused there. */
  partitionKey?: string;
}

/** A message the handler refuses for good: it goes to the quarantine topic with the reason, never silently dropped. */
export interface Rejection<K, V> {
  message: InboundMessage<K, V>;
  code: string;
  reason: string;
}

export interface HandlerResult<K, V> {
  outputs: OutboundMessage[];
  rejects?: Rejection<K, V>[];
}

interface EncodedMessage {
  topic: string;
  message: Message;
  bytes: number;
  /** Items in it, for a packed message (counted as messages out). */
  items?: number;
}

/** Under Kafka's default message.max.bytes (1 MiB), with room for record overhead. */
export const MAX_MESSAGE_BYTES = 900 * 1024;
/**
 * A quarantine entry carries the original key and value, so it may be larger than our own outputs (an original
 * of up to 900 KB plus the reason) but stays under the broker's 1 MiB message.max.bytes. An original too large
 * for it is referenced (topic/partition/offset, where it stays) instead of copied, so quarantining never fails.
 */
export const MAX_QUARANTINE_BYTES = 1_000_000;
const MAX_REASON_CHARS = 2_000;

/** One produce request carries at most this much, so no partition's record batch can exceed the broker's limit. */
export const MAX_REQUEST_BYTES = 512 * 1024;
/** A packed message stays well under one produce request, so requests still fill with several partitions' packs. */
export const MAX_PACK_BYTES = 256 * 1024;

const sizeOf = (m: Message): number => (m.key ? (m.key as Buffer).length : 0) + (m.value ? (m.value as Buffer).length : 0) + 64;

interface IsolatedResult<K, V> {
  encoded: EncodedMessage[];
  rejects: Rejection<K, V>[];
}

export type BatchHandler<K, V> = (messages: InboundMessage<K, V>[]) => Promise<HandlerResult<K, V>>;

export interface ConsumerRunnerOptions<K, V> {
  stage: string;
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  logger: Logger;
  metrics: Metrics;
  groupId: string;
  topic: string;
  keySchema: string;
  valueSchema: string;
  handle: BatchHandler<K, V>;
  /** Largest slice of a fetched batch handed to the handler at once. */
  maxBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** Kafka consumer session timeout (IDRES_KAFKA_SESSION_TIMEOUT_MS); default 30 s. */
  sessionTimeoutMs?: number;
  /** Called when this instance's partitions may change (a rebalance starts or it joined a new generation). */
  onAssignmentChange?: () => void;
  /**
   * Decodes a key or value that is not Confluent-framed Avro (e.g. Kafka Connect's JSON); a throw quarantines the
   * message like an Avro decode failure. Absent: Avro through `serde` with keySchema / valueSchema.
   */
  decode?: (bytes: Buffer, part: 'key' | 'value') => K | V;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The one consumer loop every service uses: consume in a group, decode Avro, hand slices of each batch to the
 * handler, produce its outputs and rejections, and only after the broker acknowledged them mark the offsets
 * processed and commit (at-least-once; handlers and downstream consumers are idempotent).
 * Retriable errors (broker, database, registry unavailable) are retried with capped exponential backoff and never
 * quarantined; a non-retriable error is narrowed down by bisecting the slice, so only the poison message is
 * quarantined and the rest of the batch goes through.
 */
export class ConsumerRunner<K, V> {
  private consumer: Consumer | undefined;
  /** Consuming (joined and fetching): what /ready reports. */
  private running = false;
  /** Set by stop(): no new slice starts and retries give up, so shutdown is prompt. */
  private stopping = false;
  private readonly opts: Required<Omit<ConsumerRunnerOptions<K, V>, 'fromBeginning' | 'sessionTimeoutMs' | 'onAssignmentChange' | 'decode'>> & Pick<ConsumerRunnerOptions<K, V>, 'sessionTimeoutMs' | 'onAssignmentChange' | 'decode'> & { fromBeginning: boolean };
  private readonly tracer = trace.getTracer('idres');
  private readonly packedPartitions = new Map<string, number>();
  /** The input topic's packing: its messages are unpacked into items before the handler sees them. */
  private readonly inputPacked: boolean;

  constructor(options: ConsumerRunnerOptions<K, V>) {
    this.opts = {
      maxBatchSize: 1000,
      partitionsConsumedConcurrently: 3,
      initialBackoffMs: 200,
      maxBackoffMs: 10_000,
      fromBeginning: true,
      ...options,
    };
    this.inputPacked = packingOf(options.topic) !== undefined;
  }

  isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const o = this.opts;
    const consumer = o.kafka.consumer({
      groupId: o.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    const changed = o.onAssignmentChange;
    if (changed) {
      consumer.on(consumer.events.REBALANCING, () => changed());
      consumer.on(consumer.events.GROUP_JOIN, () => changed());
    }
    await this.loadPackedPartitions();
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: o.fromBeginning });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: null,
      autoCommitThreshold: null,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.running = !this.stopping;
  }

  /** Finishes the slice in hand, commits what was produced, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    if (this.consumer) await this.consumer.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const o = this.opts;
    o.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    for (const slice of this.slices(batch.messages)) {
      if (!isRunning() || isStale() || this.stopping) return;
      const timer = o.metrics.batchSeconds.startTimer({ stage: o.stage });
      // The batch span links to the spans that produced its messages; its outputs carry its own trace headers.
      const links = linksFromHeaders(slice.map((m) => m.headers));
      await this.tracer.startActiveSpan(`${o.stage} batch`, { kind: SpanKind.CONSUMER, links }, async (span) => {
        span.setAttributes({ 'messaging.destination': batch.topic, 'messaging.kafka.partition': batch.partition, 'messaging.batch.message_count': slice.length });
        try {
          await this.processSlice(batch.topic, batch.partition, slice, heartbeat);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
          throw err;
        } finally {
          span.end();
        }
      });
      timer();
      const last = slice[slice.length - 1];
      if (last) resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /**
   * Slices of a fetched batch of at most maxBatchSize messages, or for a packed topic of whole packs holding about
   * maxBatchSize items together (a pack is never split: its offset is committed once all its items are done).
   */
  private *slices(messages: KafkaMessage[]): Generator<KafkaMessage[]> {
    const max = this.opts.maxBatchSize;
    if (!this.inputPacked) {
      for (let i = 0; i < messages.length; i += max) yield messages.slice(i, i + max);
      return;
    }
    let slice: KafkaMessage[] = [];
    let items = 0;
    for (const m of messages) {
      slice.push(m);
      items += packItemCount(m.value);
      if (items >= max) {
        yield slice;
        slice = [];
        items = 0;
      }
    }
    if (slice.length > 0) yield slice;
  }

  private async processSlice(topic: string, partition: number, slice: KafkaMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const o = this.opts;
    const decoded: InboundMessage<K, V>[] = [];
    const rejects: Rejection<K, V>[] = [];
    for (const raw of slice) {
      const msg: InboundMessage<K, V> = { topic, partition, offset: raw.offset, timestamp: Number(raw.timestamp), key: null, value: null, raw };
      try {
        if (o.decode) {
          msg.key = raw.key ? (o.decode(raw.key, 'key') as K) : null;
          msg.value = raw.value ? (o.decode(raw.value, 'value') as V) : null;
        } else {
          msg.key = raw.key ? await o.serde.decode<K>(raw.key, o.keySchema) : null;
          msg.value = raw.value ? await o.serde.decode<V>(raw.value, o.valueSchema) : null;
        }
        if (this.inputPacked && msg.value !== null) {
          // The handler sees the items, each as a message of its own at the pack's offset.
          const items = (msg.value as unknown as { items: V[] }).items;
          items.forEach((value, packIndex) => decoded.push({ ...msg, key: null, value, packIndex }));
        } else {
          decoded.push(msg);
        }
      } catch (err) {
        if (isRetriable(err)) throw err; // registry down: let kafkajs retry the batch rather than quarantining
        rejects.push({ message: msg, code: errorCode(err), reason: errorMessage(err) });
      }
    }
    o.metrics.messagesIn.inc({ topic }, decoded.length + rejects.length);
    const result = await this.handleIsolating(decoded, heartbeat);
    const quarantined = this.encodeAll([...rejects, ...result.rejects].map((r) => this.quarantineMessage(r)), MAX_QUARANTINE_BYTES);
    await this.sendWithRetry([...result.encoded, ...quarantined], heartbeat);
  }

  /** Encodes outputs; a value that does not fit its schema is a non-retriable error of the message that made it. */
  private encodeAll(outputs: OutboundMessage[], maxBytes = MAX_MESSAGE_BYTES): EncodedMessage[] {
    const serde = this.opts.serde;
    const traceHeaders = activeTraceHeaders();
    const encoded: EncodedMessage[] = [];
    const packed = new Map<string, PackItem[]>();
    for (const out of outputs) {
      if (packingOf(out.topic)) {
        if (out.partitionKey === undefined) throw new IdresRuntimeError('VALIDATION_FAILED', `output for packed topic ${out.topic} has no partitionKey`);
        let items = packed.get(out.topic);
        if (!items) packed.set(out.topic, (items = []));
        items.push({ partitionKey: out.partitionKey, value: out.value });
        continue;
      }
      let message: Message;
      try {
        const headers = traceHeaders ? { ...traceHeaders, ...out.headers } : out.headers;
        message = {
          key: serde.encodeKey(out.topic, out.key),
          value: out.value === null ? null : serde.encodeValue(out.topic, out.value),
          ...(headers ? { headers } : {}),
        };
      } catch (err) {
        if (err instanceof IdresRuntimeError) throw err;
        throw new IdresRuntimeError('VALIDATION_FAILED', `output for ${out.topic} does not fit its schema: ${errorMessage(err)}`, { cause: err });
      }
      const bytes = sizeOf(message);
      // The broker refuses a message over message.max.bytes (1 MiB by default) for good: quarantine what made it.
      if (bytes > maxBytes) {
        throw new IdresRuntimeError('VALIDATION_FAILED', `output for ${out.topic} is ${bytes} bytes, over the ${maxBytes}-byte limit`);
      }
      encoded.push({ topic: out.topic, message, bytes });
    }
    for (const [topic, items] of packed) {
      const spec = packingOf(topic)!;
      for (const pack of encodePacks({ serde, topic, spec, partitions: this.partitionsOf(topic), items, maxBytes: MAX_PACK_BYTES })) {
        if (traceHeaders) pack.message.headers = { ...traceHeaders };
        encoded.push({ topic, message: pack.message, bytes: pack.bytes, items: pack.items });
      }
    }
    return encoded;
  }

  /** Partition count of a packed topic, read at start (adding partitions later would move blocks, as it would with keys). */
  private partitionsOf(topic: string): number {
    const n = this.packedPartitions.get(topic);
    if (n === undefined) throw new IdresRuntimeError('HANDLER_FAILED', `partition count of ${topic} unknown to this runner`, { retriable: true });
    return n;
  }

  /** Reads the partition counts of every packed topic, which outputs need to be grouped by partition. */
  private async loadPackedPartitions(): Promise<void> {
    const topics = TOPIC_SPECS.filter((t) => t.packed).map((t) => t.name);
    if (topics.length === 0) return;
    const admin: Admin = this.opts.kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      for (const t of meta.topics) this.packedPartitions.set(t.name, t.partitions.length);
    } finally {
      await admin.disconnect();
    }
  }

  /** Runs the handler; on a non-retriable failure splits the messages in halves until the poison ones are found. */
  private async handleIsolating(messages: InboundMessage<K, V>[], heartbeat: () => Promise<void>): Promise<IsolatedResult<K, V>> {
    if (messages.length === 0) return { encoded: [], rejects: [] };
    try {
      return await this.withRetry(async () => {
        const result = await this.opts.handle(messages);
        return { encoded: this.encodeAll(result.outputs), rejects: result.rejects ?? [] };
      }, heartbeat);
    } catch (err) {
      if (messages.length === 1) {
        const only = messages[0]!;
        this.opts.logger.warn({ err: errorMessage(err), offset: only.offset, partition: only.partition }, 'quarantining message that fails the handler');
        return { encoded: [], rejects: [{ message: only, code: errorCode(err), reason: errorMessage(err) }] };
      }
      const mid = Math.floor(messages.length / 2);
      const a = await this.handleIsolating(messages.slice(0, mid), heartbeat);
      const b = await this.handleIsolating(messages.slice(mid), heartbeat);
      return { encoded: [...a.encoded, ...b.encoded], rejects: [...a.rejects, ...b.rejects] };
    }
  }

  /** Retries retriable failures forever with capped backoff (an outage must not dead-letter good data); rethrows the rest. */
  private async withRetry<T>(fn: () => Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    let delay = this.opts.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetriable(err) || this.stopping) throw err;
        this.opts.metrics.retries.inc({ stage: this.opts.stage });
        this.opts.logger.warn({ err: errorMessage(err), attempt, delayMs: delay }, 'retriable failure, backing off');
        await sleep(delay);
        await heartbeat().catch(() => undefined);
        delay = Math.min(delay * 2, this.opts.maxBackoffMs);
      }
    }
  }

  private quarantineMessage(r: Rejection<K, V>): OutboundMessage {
    this.opts.metrics.quarantined.inc({ stage: this.opts.stage, code: r.code });
    const m = r.message;
    const ref = m.packIndex === undefined ? `${m.topic}/${m.partition}/${m.offset}` : `${m.topic}/${m.partition}/${m.offset}#${m.packIndex}`;
    let reason = r.reason.length > MAX_REASON_CHARS ? `${r.reason.slice(0, MAX_REASON_CHARS)}...` : r.reason;
    // One item of a pack is kept as a pack of that item alone: a replay to its partition then carries just it.
    const original = m.packIndex === undefined ? { key: m.raw.key, value: m.raw.value } : this.singleItemPack(m);
    const originalBytes = (original.key?.length ?? 0) + (original.value?.length ?? 0);
    const copy = originalBytes <= MAX_QUARANTINE_BYTES - 8 * 1024;
    if (!copy) reason += ` (the original's ${originalBytes} bytes are not copied here, over the quarantine entry limit; it stays at ${ref})`;
    return {
      topic: TOPICS.quarantine,
      key: { stage: this.opts.stage, ref },
      value: {
        stage: this.opts.stage,
        code: r.code,
        reason,
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: copy ? original.key ?? null : null,
        value: copy ? original.value ?? null : null,
        at: Date.now(),
      },
    };
  }

  private singleItemPack(m: InboundMessage<K, V>): { key: Buffer | null; value: Buffer | null } {
    const spec = packingOf(m.topic);
    if (!spec) return { key: m.raw.key, value: m.raw.value };
    try {
      const body = this.opts.serde.encodeBody(spec.itemSchema, m.value, m.topic);
      return { key: m.raw.key, value: packValue(this.opts.serde, m.topic, [body]) };
    } catch {
      return { key: m.raw.key, value: m.raw.value }; // the whole pack, rather than nothing
    }
  }

  /** Produces in requests of at most MAX_REQUEST_BYTES, in order; retriable failures are retried, never dropped. */
  private async sendWithRetry(encoded: EncodedMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const o = this.opts;
    for (const chunk of chunkBySize(encoded, (e) => e.bytes, MAX_REQUEST_BYTES)) {
      const byTopic = new Map<string, Message[]>();
      for (const e of chunk) {
        const list = byTopic.get(e.topic) ?? [];
        list.push(e.message);
        byTopic.set(e.topic, list);
      }
      const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      await this.withRetry(async () => {
        try {
          await o.producer.sendBatch({ topicMessages, acks: -1 });
        } catch (err) {
          // kafkajs has already retried transient broker errors; whatever is left is worth retrying after a pause
          // (an outage must not dead-letter good data), and the size bounds above rule out "too large".
          throw new IdresRuntimeError('HANDLER_FAILED', `produce failed: ${errorMessage(err)}`, { retriable: true, cause: err });
        }
      }, heartbeat);
      const counts = new Map<string, number>();
      for (const e of chunk) counts.set(e.topic, (counts.get(e.topic) ?? 0) + (e.items ?? 1));
      for (const [topic, n] of counts) o.metrics.messagesOut.inc({ topic }, n);
    }
  }
}
