/**
 * Train a match model without labels and write it as versioned JSON.
 * CLI file: does file I/O (the domain code it calls does none).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CANONICAL_FIELDS, type RawFields, type StandardizeOptions } from '../fields.js';
import { standardizeRecord } from '../standardizeRecord.js';
import { trainModel } from '../trainModel.js';
import { chooseSettings } from '../chooseSettings.js';
import { validateSettings } from '../model.js';
import { DEFAULT_SETTINGS, type MatchSettings } from '../settings.js';
import { fake1000ToRaw, febrlToRaw } from '../fixtures/labelledDatasets.js';
import { IdresError } from '../errors.js';

const USAGE = `Usage: tsx packages/core/src/cli/train.ts --input <file.csv|file.jsonl> [--preset canonical|febrl|splink_fake] [--input ... [--preset ...]]
                 --output <model.json> [options]

Reads raw person records, standardizes them, trains a Fellegi-Sunter model WITHOUT labels
(u from random pairs, m by EM on blocked pairs, lambda by capture-recapture across the training rules) and writes versioned model JSON.

Input: CSV with a header row, or JSONL (one object per line). With --preset canonical (default) columns/keys
are canonical field names (${CANONICAL_FIELDS.join(', ')}); other columns are ignored, so label columns are
never read. --preset febrl / splink_fake map those datasets' columns. A --preset applies to the --input before it.

Options:
  --country <ISO2>          default country for phones/SSN rules (default US; febrl preset: AU)
  --date-locale US|EU       how NN/NN/YYYY dates are read (default US; febrl preset: EU)
  --gmail-normalize         strip dots/+tags from gmail addresses
  --settings <file.json>    MatchSettings JSON (default: chosen from the fields the input has, as idres resolve does)
  --seed <n>                PRNG seed (default 42)
  --max-pairs-u <n>         random pairs for u (default 300000)
  --em-iterations <n>       max EM iterations per training rule (default 50)
  --description <text>      provenance note stored in the model
  --help                    this text`;

type Preset = 'canonical' | 'febrl' | 'splink_fake';
interface InputSpec { path: string; preset: Preset }

function fail(msg: string): never {
  process.stderr.write(`${msg}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { inputs: InputSpec[]; output: string; opts: Record<string, string | boolean> } {
  const inputs: InputSpec[] = [];
  const opts: Record<string, string | boolean> = {};
  let output = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`missing value for ${a}`);
      return v;
    };
    switch (a) {
      case '--help': case '-h': process.stdout.write(`${USAGE}\n`); process.exit(0); break;
      case '--input': inputs.push({ path: next(), preset: 'canonical' }); break;
      case '--preset': {
        const p = next();
        if (p !== 'canonical' && p !== 'febrl' && p !== 'splink_fake') fail(`unknown preset ${p}`);
        const last = inputs[inputs.length - 1];
        if (!last) fail('--preset must follow an --input');
        last.preset = p;
        break;
      }
      case '--output': output = next(); break;
      case '--gmail-normalize': opts.gmail = true; break;
      case '--country': case '--date-locale': case '--settings': case '--seed': case '--max-pairs-u': case '--em-iterations': case '--description':
        opts[a.slice(2)] = next();
        break;
      default: fail(`unknown argument ${a}`);
    }
  }
  if (inputs.length === 0) fail('no --input given');
  if (!output) fail('no --output given');
  return { inputs, output, opts };
}

function readRows(path: string): Array<Record<string, string>> {
  const text = readFileSync(path, 'utf8');
  if (/\.jsonl?$/i.test(path)) {
    return text.split('\n').filter((l) => l.trim().length > 0).map((l, n) => {
      let o: unknown;
      try { o = JSON.parse(l); } catch (e) { throw new IdresError('INPUT_INVALID', `${path}:${n + 1}: not JSON`, { cause: e }); }
      const row: Record<string, string> = {};
      if (o !== null && typeof o === 'object') for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) row[k] = String(v);
      return row;
    });
  }
  return parse(text, { columns: (h: string[]) => h.map((x) => x.trim()), trim: true, skip_empty_lines: true, relax_column_count: true }) as Array<Record<string, string>>;
}

function canonicalToRaw(row: Readonly<Record<string, string>>): RawFields {
  const out: RawFields = {};
  for (const f of CANONICAL_FIELDS) {
    const v = row[f];
    if (v !== undefined && v !== '') out[f] = v;
  }
  return out;
}

function main(): void {
  const { inputs, output, opts } = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const values: Array<Record<string, string>> = [];
  const sources: Array<{ path: string; preset: Preset; records: number }> = [];
  for (const inp of inputs) {
    const rows = readRows(inp.path);
    const std: StandardizeOptions = {
      defaultCountry: typeof opts.country === 'string' ? opts.country : inp.preset === 'febrl' ? 'AU' : 'US',
      dateLocale: opts['date-locale'] === 'EU' || (opts['date-locale'] === undefined && inp.preset === 'febrl') ? 'EU' : 'US',
      emailProviderNormalization: opts.gmail === true,
    };
    const toRaw = inp.preset === 'febrl' ? febrlToRaw : inp.preset === 'splink_fake' ? fake1000ToRaw : canonicalToRaw;
    for (const r of rows) values.push(standardizeRecord(toRaw(r), std).values);
    sources.push({ path: inp.path, preset: inp.preset, records: rows.length });
  }
  // The same choice `idres resolve` makes: comparisons and rules for the fields these records have.
  let settings: MatchSettings = chooseSettings(values, DEFAULT_SETTINGS);
  if (typeof opts.settings === 'string') {
    const s: unknown = JSON.parse(readFileSync(opts.settings, 'utf8'));
    validateSettings(s);
    settings = s;
  }
  const num = (k: string): number | undefined => (typeof opts[k] === 'string' ? Number(opts[k]) : undefined);
  const trainOpts: Parameters<typeof trainModel>[1] = {
    settings,
    trainedOn: {
      description: typeof opts.description === 'string' ? opts.description : 'unsupervised (no labels)',
      sources,
    },
  };
  const seed = num('seed');
  const maxU = num('max-pairs-u');
  const emIt = num('em-iterations');
  if (seed !== undefined) trainOpts.seed = seed;
  if (maxU !== undefined) trainOpts.maxPairsForU = maxU;
  if (emIt !== undefined) trainOpts.emIterations = emIt;
  const model = trainModel(values, trainOpts);
  writeFileSync(output, `${JSON.stringify(model, null, 1)}\n`);
  process.stdout.write(`${JSON.stringify({ output, records: values.length, prior: model.prior, seconds: Math.round(performance.now() - t0) / 1000, training: model.training })}\n`);
}

try {
  main();
} catch (e) {
  const code = e instanceof IdresError ? e.code : 'UNEXPECTED';
  process.stderr.write(`train failed [${code}]: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
