import { readFileSync } from 'node:fs';
import { DEFAULT_SEALED_FIELDS, FieldSealer, isIdresError, parseSealKeyring } from '@idres/core';
import { IdresRuntimeError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The sealer of national IDs (and other fields in IDRES_SEALED_FIELDS) from configuration: IDRES_SEAL_KEYS_FILE
 * names a keyring file (`idres seal-key new` writes one). Without it, nothing is sealed (undefined). Every service
 * that writes or reads record values must get the same file: standardize seals, match, publish, the console and
 * jobs open in memory.
 */
export function readSealer(env: Env): FieldSealer | undefined {
  const file = env['IDRES_SEAL_KEYS_FILE'];
  if (file === undefined || file === '') return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new IdresRuntimeError('CONFIG_INVALID', `IDRES_SEAL_KEYS_FILE ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const fields = (env['IDRES_SEALED_FIELDS'] ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  try {
    return new FieldSealer(parseSealKeyring(text), fields.length > 0 ? fields : DEFAULT_SEALED_FIELDS);
  } catch (e) {
    if (isIdresError(e)) throw new IdresRuntimeError('CONFIG_INVALID', `IDRES_SEAL_KEYS_FILE ${file}: ${e.message}`);
    throw e;
  }
}

/** What a service says about sealing at start-up and in /ready (no key material). */
export function describeSealing(sealer: FieldSealer | undefined): { sealed: string[] } | { sealed: []; warning: string } {
  return sealer ? { sealed: [...sealer.fields] } : { sealed: [], warning: 'no IDRES_SEAL_KEYS_FILE: national IDs rest in clear in topics, Redis and Postgres' };
}
