import { DEFAULT_OUTPUTS, INPUT_FORMATS, OUTPUT_KINDS, type InputFormat, type JobSpec, type OutputKind } from './job';
import { JobError } from './jobError';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (msg: string): never => { throw new JobError('SPEC_INVALID', msg); };
const str = (v: unknown, name: string): string => (typeof v === 'string' && v.trim() !== '' ? v.trim() : bad(`${name} must be a non-empty string`));

/** Format from the file name when not given. */
export function formatOf(file: string): InputFormat | undefined {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  if (/\.parquet$/i.test(file)) return 'parquet';
  return undefined;
}

/**
 * A job as submitted (POST /jobs, `idres job submit`), checked field by field; an upload is named by its ID and
 * found with `uploadPath`. Messages name the field, never a value.
 */
export function parseJobSpec(body: unknown, uploadPath: (id: string) => string | undefined): JobSpec {
  if (!isObj(body)) bad('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const type = b['type'] ?? 'resolve';
  if (type !== 'resolve' && type !== 'generate') bad('type must be resolve or generate');
  const outputs = (b['outputs'] ?? DEFAULT_OUTPUTS) as unknown;
  if (!Array.isArray(outputs) || outputs.some((o) => !(OUTPUT_KINDS as readonly unknown[]).includes(o))) bad(`outputs must be a list of ${OUTPUT_KINDS.join(', ')}`);
  const spec: JobSpec = { type: type as JobSpec['type'], outputs: [...new Set(outputs as OutputKind[])] };
  if (b['partitionByState'] !== undefined) spec.partitionByState = b['partitionByState'] === true;
  if (b['model'] !== undefined) {
    if (b['model'] !== 'active' && b['model'] !== 'train') bad('model must be active or train');
    spec.model = b['model'] as 'active' | 'train';
  }
  if (b['timeoutSeconds'] !== undefined) {
    const t = b['timeoutSeconds'];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) bad('timeoutSeconds must be a whole number of seconds');
    spec.timeoutSeconds = t as number;
  }
  if (type === 'resolve') {
    if (!isObj(b['input'])) bad('a resolve job needs input {path or upload, idColumn, source, format?, mapping?}');
    const i = b['input'] as Record<string, unknown>;
    let file: string;
    let upload: string | undefined;
    if (i['upload'] !== undefined) {
      upload = str(i['upload'], 'input.upload');
      file = uploadPath(upload) ?? bad('input.upload names no upload (POST /jobs/uploads first)');
    } else file = str(i['path'], 'input.path');
    const format = i['format'] === undefined ? formatOf(file) : i['format'];
    if (!(INPUT_FORMATS as readonly unknown[]).includes(format)) bad(`input.format must be ${INPUT_FORMATS.join(', ')} (or the file name must end in .csv, .jsonl or .parquet)`);
    const source = str(i['source'], 'input.source');
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(source)) bad('input.source may hold letters, digits, _ . - (at most 200)');
    let mapping: Record<string, string> | undefined;
    if (i['mapping'] !== undefined) {
      if (!isObj(i['mapping'])) bad('input.mapping must be an object of canonical field -> column');
      mapping = {};
      for (const [k, v] of Object.entries(i['mapping'] as Record<string, unknown>)) mapping[k] = str(v, `input.mapping.${k}`);
    }
    spec.input = { path: file, format: format as InputFormat, idColumn: str(i['idColumn'], 'input.idColumn'), source, ...(mapping ? { mapping } : {}), ...(upload ? { upload } : {}) };
  } else {
    if (!isObj(b['generate'])) bad('a generate job needs generate {records, profile?, seed?, target?}');
    const g = b['generate'] as Record<string, unknown>;
    const records = g['records'];
    if (typeof records !== 'number' || !Number.isInteger(records) || records < 1) bad('generate.records must be a whole number of at least 1');
    const seed = g['seed'] ?? 1;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) bad('generate.seed must be a whole number');
    const target = g['target'] ?? 'raw';
    if (target !== 'raw' && target !== 'file') bad('generate.target must be raw or file');
    const format = g['format'] ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') bad('generate.format must be csv or jsonl');
    const source = g['source'] === undefined ? undefined : str(g['source'], 'generate.source');
    if (source !== undefined && !/^[A-Za-z0-9_.-]{1,200}$/.test(source)) bad('generate.source may hold letters, digits, _ . - (at most 200)');
    spec.generate = {
      records: records as number, profile: g['profile'] === undefined ? 'us-crm' : str(g['profile'], 'generate.profile'), seed: seed as number,
      target: target as 'raw' | 'file', format: format as 'csv' | 'jsonl',
      ...(g['path'] !== undefined ? { path: str(g['path'], 'generate.path') } : {}), ...(source ? { source } : {}),
    };
  }
  return spec;
}
