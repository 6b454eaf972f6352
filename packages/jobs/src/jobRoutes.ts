import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { isTerminal, type Job } from './job';
import type { JobStore } from './jobStore';
import type { JobRunner } from './jobRunner';
import { parseJobSpec } from './jobSpec';
import { progressOf } from './jobProgress';
import { JobError } from './jobError';

export interface JobsApiOptions {
  store: JobStore;
  runner: Pick<JobRunner, 'notify'>;
  /** Each job's files go to outputRoot/<job ID>/. */
  outputRoot: string;
  /** Where uploads are kept (default outputRoot/uploads). */
  uploadDir?: string;
  /** Largest upload in bytes (default 64 GiB). */
  maxUploadBytes?: number;
  /** How often the event stream looks at the job (default 1000 ms). */
  eventPollMs?: number;
}

const view = (job: Job): Job & { progress: ReturnType<typeof progressOf> } => ({ ...job, progress: progressOf(job) });
const UPLOAD_ID = /^[0-9a-f-]{36}$/;

/** The job API (mounted on ingest): submit, list, look at, cancel, follow and fetch the outputs of jobs. */
export function jobRoutes(opts: JobsApiOptions): (http: FastifyInstance) => Promise<void> {
  const uploadDir = opts.uploadDir ?? path.join(opts.outputRoot, 'uploads');
  const maxUpload = opts.maxUploadBytes ?? 64 * 1024 ** 3;
  const uploadPath = (id: string): string | undefined => {
    if (!UPLOAD_ID.test(id) || !existsSync(uploadDir)) return undefined;
    const f = readdirSync(uploadDir).find((n) => n.startsWith(`${id}.`));
    return f ? path.join(uploadDir, f) : undefined;
  };
  const refuse = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply => reply.code(status).send({ error: code, message });

  return async (http) => {
    // Uploads stream to disk as they arrive (never held in memory).
    http.addContentTypeParser(['application/octet-stream', 'text/csv', 'application/x-ndjson', 'application/vnd.apache.parquet'], { bodyLimit: maxUpload }, (_req, payload, done) => done(null, payload));

    http.post<{ Querystring: { format?: string } }>('/jobs/uploads', { bodyLimit: maxUpload }, async (req, reply) => {
      const format = req.query.format;
      if (format !== 'csv' && format !== 'jsonl' && format !== 'parquet') return refuse(reply, 400, 'SPEC_INVALID', 'give ?format=csv, jsonl or parquet');
      if (!req.body || typeof (req.body as Readable).pipe !== 'function') return refuse(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the file as application/octet-stream');
      mkdirSync(uploadDir, { recursive: true });
      const id = randomUUID();
      const file = path.join(uploadDir, `${id}.${format}`);
      await pipeline(req.body as Readable, createWriteStream(file));
      return reply.code(201).send({ upload: id, bytes: statSync(file).size, format });
    });

    http.post('/jobs', async (req, reply) => {
      let spec;
      try {
        spec = parseJobSpec(req.body, uploadPath);
      } catch (err) {
        if (err instanceof JobError) return refuse(reply, 400, err.code, err.message);
        throw err;
      }
      if (spec.input && !existsSync(spec.input.path)) return refuse(reply, 400, 'INPUT_INVALID', `input file not found on the server: ${spec.input.path}`);
      const job = await opts.store.create(spec, { outputDir: (id) => path.join(opts.outputRoot, id) });
      opts.runner.notify();
      return reply.code(202).header('location', `/jobs/${job.id}`).send(view(job));
    });

    http.get<{ Querystring: { limit?: string } }>('/jobs', async (req) => {
      const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 1000);
      return { jobs: (await opts.store.list({ limit })).map(view) };
    });

    http.get<{ Params: { id: string } }>('/jobs/:id', async (req, reply) => {
      const job = await opts.store.get(req.params.id);
      return job ? view(job) : refuse(reply, 404, 'JOB_UNKNOWN', `no job ${req.params.id}`);
    });

    http.post<{ Params: { id: string } }>('/jobs/:id/cancel', async (req, reply) => {
      const job = await opts.store.requestCancel(req.params.id);
      if (!job) return refuse(reply, 404, 'JOB_UNKNOWN', `no job ${req.params.id}`);
      if (isTerminal(job.phase)) return refuse(reply, 409, 'JOB_FINISHED', `job ${job.id} is already ${job.phase}`);
      return reply.code(202).send(view(job));
    });

    http.get<{ Params: { id: string } }>('/jobs/:id/outputs', async (req, reply) => {
      const job = await opts.store.get(req.params.id);
      if (!job) return refuse(reply, 404, 'JOB_UNKNOWN', `no job ${req.params.id}`);
      return {
        id: job.id, phase: job.phase, outputDir: job.outputDir,
        outputs: job.outputs.map((o) => ({ ...o, ...(o.path && !path.isAbsolute(o.path) ? { file: path.join(job.outputDir, o.path), url: `/jobs/${job.id}/files/${o.path}` } : {}) })),
      };
    });

    http.get<{ Params: { id: string; '*': string } }>('/jobs/:id/files/*', async (req, reply) => {
      const job = await opts.store.get(req.params.id);
      if (!job) return refuse(reply, 404, 'JOB_UNKNOWN', `no job ${req.params.id}`);
      const file = path.resolve(job.outputDir, req.params['*']);
      if (!file.startsWith(path.resolve(job.outputDir) + path.sep) || !existsSync(file) || !statSync(file).isFile()) return refuse(reply, 404, 'FILE_UNKNOWN', 'no such output file');
      return reply.type('application/octet-stream').send(createReadStream(file));
    });

    // Server-sent events: the job whenever it changes, until it ends.
    http.get<{ Params: { id: string } }>('/jobs/:id/events', async (req, reply) => {
      const first = await opts.store.get(req.params.id);
      if (!first) return refuse(reply, 404, 'JOB_UNKNOWN', `no job ${req.params.id}`);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      req.raw.once('close', () => { closed = true; });
      let last = '';
      let job: Job | undefined = first;
      let ticks = 0;
      while (!closed && job) {
        const stamp = `${job.updatedAt.getTime()}:${job.phase}`;
        if (stamp !== last || ++ticks % 15 === 0) {
          // Unchanged jobs are re-sent every ~15 s too: rate and ETA move, and proxies keep the stream open.
          res.write(`event: progress\ndata: ${JSON.stringify(view(job))}\n\n`);
          last = stamp;
        }
        if (isTerminal(job.phase)) {
          res.write(`event: end\ndata: ${JSON.stringify({ id: job.id, phase: job.phase })}\n\n`);
          break;
        }
        await new Promise((r) => setTimeout(r, opts.eventPollMs ?? 1000));
        job = await opts.store.get(job.id);
      }
      res.end();
    });
  };
}
