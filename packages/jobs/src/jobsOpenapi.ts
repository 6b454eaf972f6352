import { DEFAULT_OUTPUTS, OUTPUT_KINDS } from './job';

/** OpenAPI paths of the job API, merged into the document of the service that mounts it. */
const errorSchema = { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string', description: 'stable code' }, message: { type: 'string' } } } as const;
const json = <S extends object>(schema: S): { 'application/json': { schema: S } } => ({ 'application/json': { schema } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^JOB_\\d{10}$' } } as const;

const counts = {
  type: 'object',
  properties: {
    total: { type: 'integer', nullable: true, description: 'rows in the input (once checked) or records to generate' },
    read: { type: 'integer' }, rejected: { type: 'integer' }, sent: { type: 'integer' }, resolved: { type: 'integer' },
  },
} as const;
const output = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: [...OUTPUT_KINDS, 'summary', 'generated'] },
    path: { type: 'string' }, bytes: { type: 'integer' }, rows: { type: 'integer' }, note: { type: 'string' },
  },
} as const;
const job = {
  type: 'object',
  properties: {
    id: { type: 'string', example: 'JOB_0000000001' },
    spec: { $ref: '#/components/schemas/JobSpec' },
    phase: { type: 'string', enum: ['queued', 'training', 'reading', 'resolving', 'exporting', 'reporting', 'done', 'failed', 'cancelled'] },
    counts, checkpoint: { type: 'integer', description: 'rows consumed and recorded; a restarted job resumes after it' },
    cancelRequested: { type: 'boolean' }, outputs: { type: 'array', items: output },
    error: { type: 'object', nullable: true, properties: { code: { type: 'string' }, message: { type: 'string' } } },
    outputDir: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, startedAt: { type: 'string', format: 'date-time', nullable: true },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
    progress: {
      type: 'object',
      properties: {
        phase: { type: 'string' }, percent: { type: 'number', nullable: true }, recordsPerSecond: { type: 'number', nullable: true },
        etaSeconds: { type: 'number', nullable: true }, elapsedSeconds: { type: 'number' },
      },
    },
  },
} as const;

export const JOBS_OPENAPI_COMPONENTS = {
  schemas: {
    JobSpec: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['resolve', 'generate'], default: 'resolve' },
        input: {
          type: 'object', required: ['idColumn', 'source'],
          description: 'A file on the server (path) or an upload (POST /jobs/uploads)',
          properties: {
            path: { type: 'string' }, upload: { type: 'string' }, format: { type: 'string', enum: ['csv', 'jsonl', 'parquet'] },
            idColumn: { type: 'string' }, source: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,200}$' },
            mapping: { type: 'object', additionalProperties: { type: 'string' }, description: 'canonical field -> column; default: columns named like canonical fields' },
          },
        },
        generate: {
          type: 'object', required: ['records'],
          properties: {
            records: { type: 'integer', minimum: 1 }, profile: { type: 'string', enum: ['us-crm', 'civil-register-de', 'historical', 'febrl-like'] },
            seed: { type: 'integer' }, target: { type: 'string', enum: ['raw', 'file'] }, format: { type: 'string', enum: ['csv', 'jsonl'] },
            path: { type: 'string' }, source: { type: 'string' },
          },
        },
        outputs: { type: 'array', items: { type: 'string', enum: [...OUTPUT_KINDS] }, default: [...DEFAULT_OUTPUTS] },
        partitionByState: { type: 'boolean' }, model: { type: 'string', enum: ['active', 'train'], default: 'active' }, timeoutSeconds: { type: 'integer' },
      },
    },
  },
} as const;

export const JOBS_OPENAPI_PATHS = {
  '/jobs': {
    post: {
      summary: 'Submit a job; answered at once with its ID (it runs in the background, one job at a time, and survives restarts)',
      requestBody: { required: true, content: json({ $ref: '#/components/schemas/JobSpec' }) },
      responses: { '202': { description: 'Queued', content: json(job) }, '400': { description: 'Bad spec or input not found', content: json(errorSchema) } },
    },
    get: {
      summary: 'Jobs, newest first',
      parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', default: 50, maximum: 1000 } }],
      responses: { '200': { description: 'Jobs', content: json({ type: 'object', properties: { jobs: { type: 'array', items: job } } }) } },
    },
  },
  '/jobs/uploads': {
    post: {
      summary: 'Upload an input file (streamed to disk); name it in a job as input.upload',
      parameters: [{ name: 'format', in: 'query', required: true, schema: { type: 'string', enum: ['csv', 'jsonl', 'parquet'] } }],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: { '201': { description: 'Stored', content: json({ type: 'object', properties: { upload: { type: 'string' }, bytes: { type: 'integer' }, format: { type: 'string' } } }) } },
    },
  },
  '/jobs/{id}': { get: { summary: 'A job: phase, counts, percentage, records/s, ETA', parameters: [idParam], responses: { '200': { description: 'The job', content: json(job) }, '404': { description: 'No such job', content: json(errorSchema) } } } },
  '/jobs/{id}/cancel': {
    post: {
      summary: 'Stop reading; the job ends cancelled and says what was sent',
      parameters: [idParam],
      responses: { '202': { description: 'Cancel requested', content: json(job) }, '404': { description: 'No such job', content: json(errorSchema) }, '409': { description: 'Already finished', content: json(errorSchema) } },
    },
  },
  '/jobs/{id}/outputs': { get: { summary: 'Files the job wrote (path, rows, bytes) or why one was not written', parameters: [idParam], responses: { '200': { description: 'Outputs' }, '404': { description: 'No such job', content: json(errorSchema) } } } },
  '/jobs/{id}/files/{path}': {
    get: {
      summary: 'Download one output file',
      parameters: [idParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, '404': { description: 'No such file', content: json(errorSchema) } },
    },
  },
  '/jobs/{id}/events': {
    get: {
      summary: 'Server-sent events: `progress` (the job, as GET /jobs/{id}) whenever it changes, then `end`',
      parameters: [idParam],
      responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': { description: 'No such job', content: json(errorSchema) } },
    },
  },
} as const;
