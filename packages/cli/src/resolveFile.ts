import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { CANONICAL_FIELDS } from '@idres/core';
import {
  AvroSerde, RawRecordProducer, TOPIC_SPECS, TOPICS, createKafka, createLogger, createProducer, ensureTopics, type RawInput,
} from '@idres/runtime';
import { CliError } from './cliError';
import { fileColumns, fileRows } from './fileRows';
import { mapRow } from './fileModel';
import { PipelineWatcher } from './pipelineWatcher';

export interface ResolveFileOptions {
  input: string;
  idColumn: string;
  /** canonical field (or attribute name) -> input column */
  map: Record<string, string> | undefined;
  source: string;
  output: string;
  timeoutMs: number;
  /** Column holding a true entity label, for scoring the result (optional). */
  truthColumn?: string;
  /** Or a function deriving the true entity from a row (e.g. FEBRL's rec-12-dup-0 -> 12). */
  truthOf?: (row: Readonly<Record<string, string>>) => string | undefined;
}

export interface ResolveSummary {
  input: string;
  records: number;
  rejected: number;
  identities: number;
  seconds: number;
  recordsPerSecond: number;
  largestClusters: Array<{ masterId: string; size: number; members: string[] }>;
  quality?: { precision: number; recall: number; f1: number };
  output: string;
  rejectedOutput?: string;
}

const CANONICAL = new Set<string>(CANONICAL_FIELDS);

async function writeCsv(path: string, header: string[], rows: Iterable<string[]>): Promise<void> {
  const out = createWriteStream(path);
  const esc = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  out.write(header.map(esc).join(',') + '\n');
  for (const row of rows) if (!out.write(row.map(esc).join(',') + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/**
 * Streams a file into identity.raw, follows identity.resolved until every record has a master ID (or was
 * quarantined) and the pipeline has drained, then writes `record_id,master_id` (the input's own IDs).
 */
/** The --map given, or every column named like a canonical field; checked against the file's columns. */
export async function resolveMapping(input: string, idColumn: string, given: Record<string, string> | undefined): Promise<Record<string, string>> {
  const columns = await fileColumns(input);
  if (!columns.includes(idColumn)) throw new CliError('INPUT_INVALID', `--id-column ${idColumn} is not a column of ${input} (columns: ${columns.join(', ')})`);
  const map = given ?? Object.fromEntries(columns.filter((c) => CANONICAL.has(c)).map((c) => [c, c]));
  for (const [field, col] of Object.entries(map)) {
    if (!columns.includes(col)) throw new CliError('INPUT_INVALID', `--map ${field}=${col}: no column ${col} in ${input} (columns: ${columns.join(', ')})`);
  }
  if (!Object.keys(map).some((f) => CANONICAL.has(f))) throw new CliError('INPUT_INVALID', `no canonical field mapped; use --map given_name=COL,family_name=COL,... (canonical fields: ${CANONICAL_FIELDS.join(', ')})`);
  return map;
}

export async function resolveFile(opts: ResolveFileOptions, env: Record<string, string>, log: (msg: string) => void): Promise<ResolveSummary> {
  const map = await resolveMapping(opts.input, opts.idColumn, opts.map);
  // Failures surface as one clear CliError line, so client logs stay quiet unless LOG_LEVEL asks for them.
  const logger = createLogger('idres-cli', env['IDRES_CLI_LOG_LEVEL'] ?? 'fatal');
  const kafka = createKafka({ clientId: 'idres-cli', brokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), logger, retries: 3 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await ensureTopics(admin, Number(env['IDRES_PARTITIONS'] ?? 6));
  } catch (err) {
    throw new CliError('STACK_UNAVAILABLE', `cannot reach Kafka at ${env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'}: ${(err as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const serde = AvroSerde.connect(env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
  try {
    await serde.registerTopics(TOPIC_SPECS);
  } catch (err) {
    throw new CliError('STACK_UNAVAILABLE', `cannot reach the schema registry at ${env['SCHEMA_REGISTRY_URL']}: ${(err as Error).message}`);
  }
  const producer = createProducer(kafka);
  await producer.connect();
  const watcher = new PipelineWatcher(kafka, serde, env['IDRES_GROUP_PREFIX'] ?? 'idres');
  await watcher.start();
  const raw = new RawRecordProducer(producer, serde);
  const t0 = Date.now();
  const ownId = new Map<string, string>(); // recordId -> input's own id
  const truth = new Map<string, string>();
  const rejected = new Map<string, string>(); // input id -> reason
  let batch: RawInput[] = [];
  let rowNo = 0;
  let sent = 0;
  try {
    const rows = async function* (): AsyncGenerator<Record<string, string>> {
      try {
        yield* fileRows(opts.input);
      } catch (err) {
        // The file was checked before; it changed or broke while being read. Say exactly what is already in.
        if (!(err instanceof CliError)) throw err;
        throw new CliError(err.code, `${err.message}; ${sent} records were sent to ${TOPICS.raw} before that row (the pipeline resolves them; ${rejected.size} rows were rejected), nothing from that row on was sent`);
      }
    };
    for await (const row of rows()) {
      rowNo++;
      const id = row[opts.idColumn] ?? '';
      const r = mapRow(row, { idColumn: opts.idColumn, map, source: opts.source });
      if ('error' in r) {
        rejected.set(id || `row ${rowNo}`, r.error);
        await producer.send({
          topic: TOPICS.quarantine,
          messages: [{
            key: serde.encodeKey(TOPICS.quarantine, { stage: 'ingest', ref: `${opts.input}:${rowNo}` }),
            value: serde.encodeValue(TOPICS.quarantine, { stage: 'ingest', code: 'INPUT_INVALID', reason: r.error, topic: null, partition: null, offset: null, key: null, value: Buffer.from(JSON.stringify(row)), at: Date.now() }),
          }],
        });
        continue;
      }
      const recordId = `${r.ok.source}:${r.ok.sourceRecordId}`;
      ownId.set(recordId, r.ok.sourceRecordId);
      const entity = opts.truthOf ? opts.truthOf(row) : opts.truthColumn ? row[opts.truthColumn] : undefined;
      if (entity !== undefined) truth.set(recordId, entity);
      batch.push(r.ok);
      if (batch.length >= 1000) {
        await raw.send(batch);
        sent += batch.length;
        batch = [];
      }
    }
    await raw.send(batch);
    log(`produced ${ownId.size} records to ${TOPICS.raw} (${rejected.size} rejected) in ${((Date.now() - t0) / 1000).toFixed(1)}s; waiting for master IDs...`);

    const { settled, progress } = await watcher.waitUntilSettled([...ownId.keys()], {
      timeoutMs: opts.timeoutMs,
      onProgress: (p) => log(`  ${p.resolved}/${p.total} records have a master ID; pipeline lag ${p.lag}`),
    });
    if (!settled) {
      throw new CliError('TIMEOUT', `timed out after ${opts.timeoutMs / 1000}s with ${progress.total - progress.resolved} records still without a master ID (pipeline lag ${progress.lag}); check the service logs`, 3);
    }
  } finally {
    await watcher.stop();
    await producer.disconnect();
  }
  const seconds = (Date.now() - t0) / 1000;
  for (const [recordId, reason] of watcher.quarantined) if (ownId.has(recordId) && !watcher.masterOf.has(recordId)) rejected.set(ownId.get(recordId)!, reason);

  const rows: string[][] = [];
  const clusters = new Map<string, string[]>();
  for (const [recordId, id] of ownId) {
    const m = watcher.masterOf.get(recordId);
    if (!m) continue;
    rows.push([id, m.masterId]);
    const list = clusters.get(m.masterId) ?? [];
    list.push(id);
    clusters.set(m.masterId, list);
  }
  await writeCsv(opts.output, ['record_id', 'master_id'], rows);
  let rejectedOutput: string | undefined;
  if (rejected.size > 0) {
    rejectedOutput = opts.output.replace(/(\.csv)?$/i, '.rejected.csv');
    await writeCsv(rejectedOutput, ['record_id', 'reason'], [...rejected].map(([id, reason]) => [id, reason]));
  }
  const largest = [...clusters].sort((a, b) => b[1].length - a[1].length).slice(0, 5).map(([masterId, members]) => ({ masterId, size: members.length, members: members.slice(0, 8) }));
  const summary: ResolveSummary = {
    input: opts.input, records: rowNo, rejected: rejected.size,
    identities: clusters.size, seconds, recordsPerSecond: Math.round(ownId.size / seconds), largestClusters: largest, output: opts.output,
    ...(rejectedOutput ? { rejectedOutput } : {}),
  };
  if (truth.size > 0) {
    const { pairwiseQuality } = await import('@idres/core');
    const predicted = new Map<string, string>();
    for (const [recordId] of truth) {
      const m = watcher.masterOf.get(recordId);
      if (m) predicted.set(recordId, m.masterId);
    }
    const q = pairwiseQuality(truth, predicted);
    summary.quality = { precision: q.precision, recall: q.recall, f1: q.f1 };
  }
  return summary;
}

/** Waits until every stage's consumer group has caught up with its input topic (twice in a row). */
export async function waitForDrain(env: Record<string, string>, log: (msg: string) => void, timeoutMs = 3_600_000): Promise<void> {
  const logger = createLogger('idres-cli', 'warn');
  const kafka = createKafka({ clientId: 'idres-cli', brokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), logger });
  const serde = AvroSerde.connect(env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
  const watcher = new PipelineWatcher(kafka, serde, env['IDRES_GROUP_PREFIX'] ?? 'idres');
  await watcher.start();
  try {
    const { settled, progress } = await watcher.waitUntilSettled([], { timeoutMs, pollMs: 1000, onProgress: (p) => log(`  pipeline lag ${p.lag}`) });
    if (!settled) throw new CliError('TIMEOUT', `pipeline still has lag ${progress.lag} after ${timeoutMs / 1000}s`, 3);
  } finally {
    await watcher.stop();
  }
}
