import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatSealKeyring, parseSealKeyring, type SealKeyring } from '@idres/core';
import { CliError } from './cliError';
import { STACK_DIR } from './repoPaths';

type Env = Readonly<Record<string, string | undefined>>;

/** The local stack's keyring, made on first use so a local deployment seals national IDs without any setup. */
export const LOCAL_SEAL_KEYS_FILE = path.join(STACK_DIR, 'seal-keys.json');

/**
 * The keyring file the services and the CLI use: IDRES_SEAL_KEYS_FILE when set (set but empty: sealing off),
 * else the local stack's file, created (mode 0600) when missing.
 */
export function sealKeysFile(env: Env): string | undefined {
  const configured = env['IDRES_SEAL_KEYS_FILE'];
  if (configured !== undefined) return configured === '' ? undefined : configured;
  if (!existsSync(LOCAL_SEAL_KEYS_FILE)) writeKeyring(LOCAL_SEAL_KEYS_FILE, { primary: 'k1', keys: new Map([['k1', randomBytes(32)]]) });
  return LOCAL_SEAL_KEYS_FILE;
}

/** `env` with IDRES_SEAL_KEYS_FILE resolved as sealKeysFile does (for child services and readSealer). */
export function withSealKeys<E extends Env>(env: E): E & { IDRES_SEAL_KEYS_FILE: string } {
  return { ...env, IDRES_SEAL_KEYS_FILE: sealKeysFile(env) ?? '' };
}

function writeKeyring(file: string, ring: SealKeyring): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, formatSealKeyring(ring), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function readKeyring(file: string): SealKeyring {
  if (!existsSync(file)) throw new CliError('USAGE', `no keyring at ${file}`);
  return parseSealKeyring(readFileSync(file, 'utf8'));
}

/**
 * `idres seal-key list|rotate|retire ID`. Rotation: a new key becomes primary (new values are sealed with it, old
 * ones still open); restart the services, `idres replay` re-seals everything under the new key, then retire the old.
 */
export function sealKeyCommand(args: readonly string[], env: Env, log: (m: string) => void): void {
  const file = sealKeysFile(env);
  if (file === undefined) throw new CliError('USAGE', 'IDRES_SEAL_KEYS_FILE is set empty: sealing is off');
  const [sub, id] = args;
  const ring = readKeyring(file);
  if (sub === 'list') {
    for (const k of ring.keys.keys()) process.stdout.write(`${k === ring.primary ? '*' : ' '} ${k}\n`);
    log(`keyring ${file}; * seals new values, every key opens`);
  } else if (sub === 'rotate') {
    let n = ring.keys.size + 1;
    while (ring.keys.has(`k${n}`)) n++;
    const next = `k${n}`;
    const keys = new Map(ring.keys);
    keys.set(next, randomBytes(32));
    writeKeyring(file, { primary: next, keys });
    log(`key ${next} added and made primary in ${file}. Next: restart the services (idres services down && idres services up), run idres replay to re-seal every record under ${next}, then idres seal-key retire ${ring.primary}`);
  } else if (sub === 'retire' && id) {
    if (id === ring.primary) throw new CliError('USAGE', `${id} is the primary key; rotate first`);
    if (!ring.keys.has(id)) throw new CliError('USAGE', `no key ${id} in ${file}`);
    const keys = new Map(ring.keys);
    keys.delete(id);
    writeKeyring(file, { primary: ring.primary, keys });
    log(`key ${id} removed: values sealed under it no longer open (run idres replay after a rotation first)`);
  } else {
    throw new CliError('USAGE', 'usage: idres seal-key list | rotate | retire ID');
  }
}
