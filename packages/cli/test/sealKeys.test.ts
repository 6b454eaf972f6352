import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FieldSealer, parseSealKeyring } from '@idres/core';
import { readSealer } from '@idres/runtime';

// The local keyring lives under IDRES_STACK_DIR: point it at a temporary directory before the module loads.
const dir = mkdtempSync(path.join(tmpdir(), 'idres-sealkeys-'));
process.env['IDRES_STACK_DIR'] = dir;
const { LOCAL_SEAL_KEYS_FILE, sealKeyCommand, sealKeysFile, withSealKeys } = await import('../src/sealKeys');
const quiet = (): void => undefined;

test('the local keyring is made once (0600), configured files win, empty turns sealing off', () => {
  assert.equal(LOCAL_SEAL_KEYS_FILE, path.join(dir, 'seal-keys.json'));
  const f = sealKeysFile({})!;
  assert.equal(f, LOCAL_SEAL_KEYS_FILE);
  assert.equal(statSync(f).mode & 0o777, 0o600);
  const before = readFileSync(f, 'utf8');
  assert.equal(sealKeysFile({}), f);
  assert.equal(readFileSync(f, 'utf8'), before, 'an existing keyring is kept');
  assert.equal(sealKeysFile({ IDRES_SEAL_KEYS_FILE: '/etc/idres/keys.json' }), '/etc/idres/keys.json');
  assert.equal(sealKeysFile({ IDRES_SEAL_KEYS_FILE: '' }), undefined);
  assert.equal(withSealKeys({ A: '1' }).IDRES_SEAL_KEYS_FILE, f);
});

test('rotate makes a new primary that old seals still open under; retire refuses the primary and removes an old key', () => {
  const env = { IDRES_SEAL_KEYS_FILE: path.join(dir, 'rot.json') };
  sealKeysFile({}); // the local file exists; copy its form for this test's own file
  writeFileSync(env.IDRES_SEAL_KEYS_FILE, readFileSync(LOCAL_SEAL_KEYS_FILE));
  const old = readSealer(env)!.seal('ssn', '581449327');
  sealKeyCommand(['rotate'], env, quiet);
  const ring = parseSealKeyring(readFileSync(env.IDRES_SEAL_KEYS_FILE, 'utf8'));
  assert.equal(ring.primary, 'k2');
  const after = readSealer(env)!;
  assert.equal(after.open('ssn', old), '581449327');
  assert.notEqual(after.seal('ssn', '581449327'), old);
  assert.throws(() => sealKeyCommand(['retire', 'k2'], env, quiet), /primary/);
  sealKeyCommand(['retire', 'k1'], env, quiet);
  assert.throws(() => readSealer(env)!.open('ssn', old), (e: unknown) => (e as { code?: string }).code === 'SEAL_KEY_UNKNOWN');
  assert.ok(FieldSealer.isSealed(readSealer(env)!.seal('ssn', '1')));
  assert.throws(() => sealKeyCommand(['bogus'], env, quiet), /usage/);
});
