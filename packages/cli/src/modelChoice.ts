import { readFileSync } from 'node:fs';
import { loadModel, validateSettings, type MatchSettings, type ModelJson, type StandardizeOptions } from '@idres/core';
import { servicePorts } from '@idres/runtime';
import type { ModelProvenance } from '@idres/models';
import { withModelStore } from './modelCommands';
import { CliError } from './cliError';
import { MIN_TRAINING_RECORDS, trainFileModel, type RowMapping } from './fileModel';

export interface ModelChoiceOptions extends RowMapping {
  input: string;
  /** A model JSON file, `default` for the shipped default model, or undefined: train on the input. */
  model: string | undefined;
  standardize: StandardizeOptions;
  sampleSize?: number;
  compare?: readonly string[];
  /** A settings JSON file (MatchSettings: comparisons, blocking and training rules) to train with. */
  settingsFile?: string;
}

export interface ModelChoice {
  version: number;
  provenance: ModelProvenance;
  /** One line for the user: which model and why. */
  reason: string;
  /** Time spent reading the file and training (0 when a model was given). */
  trainSeconds: number;
}

const DEFAULT_MODEL_FILE = new URL('../../../packages/core/models/default.json', import.meta.url);

/** A --settings file: MatchSettings JSON (comparisons as lists of levels, blocking and training rules as data). */
export function readSettingsFile(file: string): MatchSettings {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    validateSettings(parsed);
    return parsed;
  } catch (err) {
    throw new CliError('INPUT_INVALID', `--settings ${file}: not usable match settings (${(err as Error).message})`);
  }
}

/** The blocking rules training added or dropped for this data (`training.blocking`), for the model line. */
function learnedBlocking(json: ModelJson): string {
  const b = json.training?.['blocking'] as { added?: Array<{ rule: string }>; dropped?: Array<{ rule: string }> } | undefined;
  const added = (b?.added ?? []).map((a) => a.rule);
  const dropped = (b?.dropped ?? []).map((d) => d.rule);
  return `${added.length > 0 ? `; blocking rules added: ${added.join(', ')}` : ''}${dropped.length > 0 ? `; dropped: ${dropped.join(', ')}` : ''}`;
}

/**
 * Picks the model a file is resolved with and makes it the active version, so match scores the file with it:
 * by default one trained on the file itself; `--model FILE` or `--model default` when the user says so.
 */
export async function chooseModel(opts: ModelChoiceOptions, env: Readonly<Record<string, string | undefined>>, log: (msg: string) => void): Promise<ModelChoice> {
  let json: ModelJson;
  let provenance: ModelProvenance;
  let reason: string;
  const settings = opts.settingsFile === undefined ? undefined : readSettingsFile(opts.settingsFile);
  const fm = opts.model === undefined
    ? (log(`training a model on ${opts.input} (no labels; --model FILE or --model default to skip)...`), await trainFileModel({ ...opts, ...(settings ? { settings } : {}) }))
    : undefined;
  if (fm?.model !== undefined) {
    json = fm.model;
    provenance = { kind: 'trained', description: String(json.trainedOn?.description ?? opts.input) };
    reason = `trained on this file without labels: ${fm.sampled} of ${fm.records} records, ${fm.seconds.toFixed(1)} s (its own term frequencies, m, u and prior${learnedBlocking(json)})`;
  } else if (fm !== undefined) {
    json = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, 'utf8')) as ModelJson;
    provenance = { kind: 'default', description: 'packages/core/models/default.json' };
    reason = `the shipped default model: the file has ${fm.sampled} usable records, fewer than the ${MIN_TRAINING_RECORDS} needed to train on it`;
  } else {
    const given = opts.model ?? 'default';
    const file = given === 'default' ? DEFAULT_MODEL_FILE : given;
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
      loadModel(json);
    } catch (err) {
      throw new CliError('INPUT_INVALID', `--model ${given}: not a usable model file (${(err as Error).message})`);
    }
    provenance = given === 'default' ? { kind: 'default', description: 'packages/core/models/default.json' } : { kind: 'file', description: given };
    reason = given === 'default' ? 'the shipped default model, as asked (--model default)' : `${given}, as given (--model)`;
  }
  try {
    const version = await withModelStore(env['DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres', (store) => store.add(json, provenance, { activate: true }));
    return { version, provenance, reason, trainSeconds: fm?.seconds ?? 0 };
  } catch (err) {
    throw new CliError('STACK_UNAVAILABLE', `cannot store the model in Postgres (${(err as Error).message})`);
  }
}

/**
 * Waits until match and block answer that they use `version` (each polls the store), so no record of the file is
 * blocked or scored by the previous model. Services the CLI cannot reach (a remote deployment without
 * IDRES_MATCH_URL / IDRES_BLOCK_URL) get a warning and a short wait.
 */
export async function waitForModel(version: number, env: Readonly<Record<string, string | undefined>>, log: (msg: string) => void, timeoutMs = 60_000): Promise<void> {
  const ports = servicePorts(env);
  const services = [['match', env['IDRES_MATCH_URL'] ?? `http://127.0.0.1:${ports['match']}`], ['block', env['IDRES_BLOCK_URL'] ?? `http://127.0.0.1:${ports['block']}`]] as const;
  for (const [name, base] of services) await waitForService(name, `${base}/model`, version, log, timeoutMs);
}

async function waitForService(name: string, url: string, version: number, log: (msg: string) => void, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  let reached = false;
  while (Date.now() - t0 < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      reached = true;
      if (res.ok) {
        const body = (await res.json()) as { version?: number | null; kind?: string };
        if (body.version === version) return;
        if (body.version === null && body.kind !== 'default') {
          log(`${name} runs with a model pinned by IDRES_MODEL (or fixed rules); it ignores the stored model`);
          return;
        }
      }
    } catch {
      if (!reached && Date.now() - t0 > 5000) break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!reached) {
    log(`could not reach ${name} at ${url}; waiting 5 s for it to pick up model version ${version}`);
    await new Promise((r) => setTimeout(r, 5000));
    return;
  }
  throw new CliError('TIMEOUT', `${name} did not switch to model version ${version} within ${timeoutMs / 1000}s; see its log`, 3);
}
