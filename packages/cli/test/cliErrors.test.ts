import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Bad input exits non-zero with one clear line; KAFKA_BROKERS is set so the CLI never tries to start a stack.
const dir = mkdtempSync(path.join(tmpdir(), 'idres-cli-'));
const csv = path.join(dir, 'people.csv');
writeFileSync(csv, 'id,first,last\n1,Ann,Lee\n');
writeFileSync(path.join(dir, 'x.txt'), 'id\n1\n');
writeFileSync(path.join(dir, 'bad-settings.json'), '{"comparisons": 3}');
const bin = path.resolve('packages/cli/bin/idres.mjs');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://idres:idres@127.0.0.1:1/idres', REDIS_URL: 'redis://127.0.0.1:1', ...env }, timeout: 120_000 });

const cases: Array<{ name: string; args: string[]; message: RegExp }> = [
  { name: 'missing options', args: ['resolve', '--input', csv], message: /needs --input, --id-column and --output/ },
  { name: 'file not found', args: ['resolve', '--input', path.join(dir, 'nope.csv'), '--id-column', 'id', '--output', 'o.csv'], message: /input file not found/ },
  { name: 'unsupported format', args: ['resolve', '--input', path.join(dir, 'x.txt'), '--id-column', 'id', '--output', 'o.csv'], message: /unsupported input .*x\.txt: use \.csv or \.jsonl/ },
  { name: 'unknown id column', args: ['resolve', '--input', csv, '--id-column', 'rid', '--output', 'o.csv'], message: /--id-column rid is not a column/ },
  { name: 'unknown mapped column', args: ['resolve', '--input', csv, '--id-column', 'id', '--map', 'given_name=fname', '--output', 'o.csv'], message: /no column fname/ },
  { name: 'nothing canonical mapped', args: ['resolve', '--input', csv, '--id-column', 'id', '--output', 'o.csv'], message: /no canonical field mapped/ },
  { name: 'bad --map syntax', args: ['resolve', '--input', csv, '--id-column', 'id', '--map', 'given_name', '--output', 'o.csv'], message: /canonical=column/ },
  { name: 'unknown command', args: ['frobnicate'], message: /unknown command frobnicate/ },
  { name: 'unusable --settings file', args: ['resolve', '--input', csv, '--id-column', 'id', '--map', 'given_name=first', '--settings', path.join(dir, 'bad-settings.json'), '--output', 'o.csv'], message: /--settings .*not usable match settings/ },
  { name: 'bad --train-sample', args: ['resolve', '--input', csv, '--id-column', 'id', '--map', 'given_name=first', '--train-sample', 'x', '--output', 'o.csv'], message: /--train-sample must be a whole number/ },
];

for (const c of cases) {
  test(`idres: ${c.name}`, () => {
    const r = run(c.args);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, c.message);
  });
}

test('idres: an unreachable stack is a clear error, not a hang', { timeout: 120_000 }, () => {
  const r = run(['resolve', '--input', csv, '--id-column', 'id', '--map', 'given_name=first,family_name=last', '--output', path.join(dir, 'o.csv')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot reach Kafka at 127\.0\.0\.1:1/);
});
