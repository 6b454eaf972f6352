import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FieldSealer } from '@idres/core';
import { describeSealing, readSealer } from '../src/sealerConfig';

const dir = mkdtempSync(path.join(tmpdir(), 'idres-seal-'));
const file = (name: string, text: string): string => { const p = path.join(dir, name); writeFileSync(p, text); return p; };
const good = file('good.json', JSON.stringify({ primary: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64') } }));

test('readSealer: no file configured means no sealing, and services say so', () => {
  assert.equal(readSealer({}), undefined);
  assert.equal(readSealer({ IDRES_SEAL_KEYS_FILE: '' }), undefined);
  assert.match(JSON.stringify(describeSealing(undefined)), /rest in clear/);
});

test('readSealer: the keyring file and the sealed fields (default ssn)', () => {
  const s = readSealer({ IDRES_SEAL_KEYS_FILE: good })!;
  assert.deepEqual([...s.fields], ['ssn']);
  assert.ok(FieldSealer.isSealed(s.seal('ssn', '581449327')));
  assert.deepEqual([...readSealer({ IDRES_SEAL_KEYS_FILE: good, IDRES_SEALED_FIELDS: 'ssn, phone' })!.fields], ['ssn', 'phone']);
  assert.deepEqual(describeSealing(s), { sealed: ['ssn'] });
});

test('readSealer: unreadable or malformed keyrings are CONFIG_INVALID and quote no key material', () => {
  const secret = Buffer.alloc(16, 9).toString('base64');
  const cases: Array<[string, string]> = [
    ['missing file', path.join(dir, 'nope.json')],
    ['not JSON', file('bad.json', '{')],
    ['short key', file('short.json', JSON.stringify({ primary: 'k1', keys: { k1: secret } }))],
    ['primary not in keys', file('noprimary.json', JSON.stringify({ primary: 'k2', keys: { k1: Buffer.alloc(32).toString('base64') } }))],
  ];
  for (const [name, f] of cases) {
    assert.throws(() => readSealer({ IDRES_SEAL_KEYS_FILE: f }), (e: unknown) => (e as { code?: string }).code === 'CONFIG_INVALID' && !(e as Error).message.includes(secret), name);
  }
});
