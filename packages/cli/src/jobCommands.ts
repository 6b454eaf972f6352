import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createParser } from 'eventsource-parser';
import { servicePorts } from '@idres/runtime';
import { CliError } from './cliError';
import { LOCAL_TOKEN_FILE } from './authCommands';
import { JobProgressBar, fmtSeconds, type JobView } from './jobProgressBar';

export const JOB_USAGE = `  idres job submit --input FILE --id-column COL [--map canonical=column,...] [--source NAME] [--format csv|jsonl|parquet]
                   [--upload] [--outputs master,crosswalk,pairs,households,rejected] [--partition-by-state] [--train] [--no-wait]
  idres job submit --generate N [--profile us-crm|civil-register-de|historical|febrl-like] [--seed S] [--target raw|file]
                   [--source NAME] [--outputs ...] [--no-wait]
      Submits a job to ingest's job API (IDRES_INGEST_URL, default the local ingest) and follows it with a progress
      bar (records/s, percentage, ETA) until it ends; --no-wait prints the job ID and returns at once. A path is read
      on the server's machine; --upload sends the file instead.
  idres job status ID [--watch] | list | cancel ID | outputs ID
`;

const ingestUrl = (env: Readonly<Record<string, string | undefined>>): string => env['IDRES_INGEST_URL'] ?? `http://127.0.0.1:${servicePorts(env)['ingest']}`;

/**
 * The bearer token for the job API when authentication is on: IDRES_API_TOKEN, else the token the local demo
 * keeps in .stack/api-token (see authCommands.ts). Without either, requests go without one (auth off or open).
 */
function authHeader(): Record<string, string> {
  const fromEnv = process.env['IDRES_API_TOKEN'];
  const token = fromEnv !== undefined && fromEnv !== '' ? fromEnv : existsSync(LOCAL_TOKEN_FILE) ? readFileSync(LOCAL_TOKEN_FILE, 'utf8').trim() : '';
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function call<T>(base: string, method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${url}`, { method, headers: { ...authHeader(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (err) {
    throw new CliError('STACK_UNAVAILABLE', `cannot reach the job API at ${base} (${err instanceof Error ? err.message : String(err)}); is ingest running? (idres services up)`);
  }
  const answer = (await res.json().catch(() => ({}))) as T & { error?: string; message?: string };
  if (!res.ok) throw new CliError(answer.error ?? 'JOB_API', `${answer.message ?? `HTTP ${res.status}`}`);
  return answer;
}

const fmtBytes = (b: number | undefined): string => (b === undefined ? '' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);

/** One line per job for `status` and `list`. */
export function jobLine(j: JobView): string {
  const c = j.counts;
  const p = j.progress;
  return `${j.id}  ${j.phase.padEnd(9)} read ${c.read}/${c.total ?? '?'}  rejected ${c.rejected}  sent ${c.sent}  resolved ${c.resolved}` +
    `${p.percent !== null ? `  ${p.percent}%` : ''}${p.recordsPerSecond !== null ? `  ${p.recordsPerSecond} rec/s` : ''}${p.etaSeconds !== null && j.phase !== 'done' ? `  ETA ${fmtSeconds(p.etaSeconds)}` : ''}` +
    `  ${fmtSeconds(p.elapsedSeconds)}${j.error ? `\n    ${j.error.code}: ${j.error.message}` : ''}`;
}

function printOutputs(j: JobView): void {
  process.stdout.write(`${j.id} ${j.phase}: outputs in ${j.outputDir}\n`);
  for (const o of j.outputs) process.stdout.write(`  ${o.kind.padEnd(10)} ${o.path ?? '-'}${o.rows !== undefined ? `  ${o.rows} rows` : ''}${o.bytes !== undefined ? `  ${fmtBytes(o.bytes)}` : ''}${o.note ? `  (${o.note})` : ''}\n`);
}

/** How long `follow` keeps trying to reach the job API again (a restart of ingest, a network blip) before giving up. */
const RECONNECT_FOR_MS = 10 * 60_000;

/**
 * Follows GET /jobs/:id/events with a progress bar until the job ends; resolves with the last state. When the
 * stream breaks before the job ended (ingest restarted: the job resumes from its checkpoint there), it connects
 * again, for up to RECONNECT_FOR_MS without an answer.
 */
async function follow(base: string, id: string, log: (msg: string) => void = () => undefined): Promise<JobView> {
  const bar = new JobProgressBar();
  let last: JobView | undefined;
  const show = (j: JobView): void => {
    last = j;
    bar.show(j);
  };
  let lostSince: number | undefined;
  try {
    for (;;) {
      try {
        const res = await fetch(`${base}/jobs/${id}/events`, { headers: authHeader() });
        if (res.status === 404 || res.status === 401 || res.status === 403) throw new CliError('JOB_API', `no event stream for ${id} (HTTP ${res.status})`);
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        lostSince = undefined;
        const parser = createParser({ onEvent: (e) => { if (e.event === 'progress') show(JSON.parse(e.data) as JobView); } });
        const decoder = new TextDecoder();
        for await (const chunk of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      } catch (err) {
        if (err instanceof CliError) throw err;
        // The stream broke (ingest stopped or restarted); the job's state is in Postgres and it resumes there.
      }
      if (last && TERMINAL.has(last.phase)) return last;
      if (lostSince === undefined) {
        lostSince = Date.now();
        log(`lost the job API at ${base}; the job resumes from its checkpoint when ingest is back; reconnecting...`);
      } else if (Date.now() - lostSince > RECONNECT_FOR_MS) {
        throw new CliError('STACK_UNAVAILABLE', `no answer from the job API at ${base} for ${RECONNECT_FOR_MS / 60_000} minutes; the job goes on when ingest runs again (idres job status ${id} --watch)`);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    bar.stop();
  }
}

const TERMINAL = new Set(['done', 'failed', 'cancelled']);

function parseMap(spec: string | undefined): Record<string, string> | undefined {
  if (spec === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const [field, col] = part.split('=').map((s) => s.trim());
    if (!field || !col) throw new CliError('USAGE', `--map entries must look like canonical=column, got "${part}"`);
    map[field] = col;
  }
  return map;
}

async function upload(base: string, file: string, format: string): Promise<string> {
  const res = await fetch(`${base}/jobs/uploads?format=${format}`, {
    method: 'POST', headers: { ...authHeader(), 'content-type': 'application/octet-stream', 'content-length': String(statSync(file).size) },
    body: Readable.toWeb(createReadStream(file)) as unknown as NonNullable<RequestInit["body"]>, duplex: 'half',
  } as RequestInit & { duplex: 'half' });
  const answer = (await res.json()) as { upload?: string; error?: string; message?: string };
  if (!res.ok || !answer.upload) throw new CliError(answer.error ?? 'JOB_API', answer.message ?? `upload failed (HTTP ${res.status})`);
  return answer.upload;
}

/** `idres job ...` */
export async function jobCommand(argv: string[], env: Readonly<Record<string, string | undefined>>, log: (msg: string) => void): Promise<void> {
  const [sub, ...rest] = argv;
  const base = ingestUrl(env);
  switch (sub) {
    case 'submit': {
      const { values } = parseArgs({
        args: rest,
        options: {
          input: { type: 'string' }, 'id-column': { type: 'string' }, map: { type: 'string' }, source: { type: 'string' }, format: { type: 'string' },
          upload: { type: 'boolean', default: false }, outputs: { type: 'string' }, 'partition-by-state': { type: 'boolean', default: false },
          train: { type: 'boolean', default: false }, 'no-wait': { type: 'boolean', default: false },
          generate: { type: 'string' }, profile: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string' },
        },
      });
      const outputs = values.outputs?.split(',').map((s) => s.trim()).filter(Boolean);
      const common = { ...(outputs ? { outputs } : {}), ...(values['partition-by-state'] ? { partitionByState: true } : {}), ...(values.train ? { model: 'train' } : {}) };
      let body: Record<string, unknown>;
      if (values.generate !== undefined) {
        const records = Number(values.generate);
        if (!Number.isInteger(records) || records < 1) throw new CliError('USAGE', '--generate N needs a whole number of records');
        body = { type: 'generate', generate: { records, profile: values.profile ?? 'us-crm', seed: Number(values.seed ?? 1), target: values.target ?? 'raw', ...(values.source ? { source: values.source } : {}) }, ...common };
      } else {
        if (!values.input || !values['id-column']) throw new CliError('USAGE', `job submit needs --input and --id-column (or --generate N)\n\n${JOB_USAGE}`);
        const source = values.source ?? path.basename(values.input).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
        const format = values.format ?? (/\.parquet$/i.test(values.input) ? 'parquet' : /\.(jsonl|ndjson)$/i.test(values.input) ? 'jsonl' : 'csv');
        let where: Record<string, string>;
        if (values.upload) {
          if (!existsSync(values.input)) throw new CliError('INPUT_INVALID', `input file not found: ${values.input}`);
          log(`uploading ${values.input} (${fmtBytes(statSync(values.input).size)})...`);
          where = { upload: await upload(base, values.input, format) };
        } else where = { path: path.resolve(values.input) };
        const map = parseMap(values.map);
        body = { type: 'resolve', input: { ...where, format, idColumn: values['id-column'], source, ...(map ? { mapping: map } : {}) }, ...common };
      }
      const job = await call<JobView>(base, 'POST', '/jobs', body);
      log(`submitted ${job.id} (outputs in ${job.outputDir})`);
      if (values['no-wait']) {
        process.stdout.write(`${job.id}\n`);
        return;
      }
      const end = await follow(base, job.id, log);
      process.stdout.write(`${jobLine(end)}\n`);
      if (end.phase === 'done') printOutputs(end);
      else throw new CliError(end.error?.code ?? 'JOB_FAILED', `job ${end.id} ended ${end.phase}${end.error ? `: ${end.error.message}` : ''}`, 3);
      return;
    }
    case 'status': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { watch: { type: 'boolean', default: false } } });
      const id = positionals[0] ?? (() => { throw new CliError('USAGE', 'usage: idres job status ID [--watch]'); })();
      const j = values.watch ? await follow(base, id, log) : await call<JobView>(base, 'GET', `/jobs/${id}`);
      process.stdout.write(`${jobLine(j)}\n`);
      return;
    }
    case 'list': {
      const { jobs } = await call<{ jobs: JobView[] }>(base, 'GET', '/jobs?limit=50');
      for (const j of jobs) process.stdout.write(`${jobLine(j)}\n`);
      if (jobs.length === 0) process.stdout.write('no jobs\n');
      return;
    }
    case 'cancel': {
      const id = rest[0] ?? (() => { throw new CliError('USAGE', 'usage: idres job cancel ID'); })();
      await call<JobView>(base, 'POST', `/jobs/${id}/cancel`);
      log(`cancel requested; the job stops reading after the batch in hand`);
      const end = await follow(base, id, log);
      process.stdout.write(`${jobLine(end)}\n`);
      return;
    }
    case 'outputs': {
      const id = rest[0] ?? (() => { throw new CliError('USAGE', 'usage: idres job outputs ID'); })();
      printOutputs(await call<JobView>(base, 'GET', `/jobs/${id}/outputs`));
      return;
    }
    default:
      throw new CliError('USAGE', JOB_USAGE);
  }
}
