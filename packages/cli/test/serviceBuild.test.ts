import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildServices, bundlePath } from '../src/serviceBuild';

test('a service bundle holds the workspace code and imports third-party packages from node_modules', async () => {
  const [file] = await buildServices(['ingest']);
  assert.equal(file, bundlePath('ingest'));
  const code = readFileSync(file!, 'utf8');
  assert.doesNotMatch(code, /from "@idres\//, 'workspace packages are bundled');
  assert.match(code, /from "kafkajs"/, 'kafkajs stays external');
  assert.match(code, /from "@opentelemetry\//, 'OpenTelemetry stays external (it instruments packages as they load)');
  assert.match(readFileSync(`${file!}.map`, 'utf8'), /"\.\.\/src\/main\.ts"/, 'source map back to the TypeScript');
});
