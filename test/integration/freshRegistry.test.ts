import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readBaseConfig, TOPIC_SPECS } from '@idres/runtime';
import { logFile, servicesDown, servicesUp } from '../../packages/cli/src/serviceSupervisor';
import { SUPERVISED_SERVICES } from '../../packages/cli/src/repoPaths';
import { resetPipeline } from '../../packages/cli/src/pipelineReset';

// A newcomer's first `npm start`: the service processes (six and the console) register the same subjects at once against a registry
// that has never seen them. Before registration stopped checking the subject's compatibility first, four of the
// six died with "Compatibility does not match the configuration (BACKWARD != NONE)".
const cfg = readBaseConfig(process.env, 'test');
const registry = cfg.schemaRegistryUrl.replace(/\/+$/, '');
const SUBJECTS = TOPIC_SPECS.flatMap((t) => [`${t.name}-key`, `${t.name}-value`]);

async function emptyRegistry(): Promise<void> {
  // A fresh machine has no topic data either: messages written with the schema IDs deleted below would no
  // longer decode for the tests that read the topics after this one.
  await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix }, 'all');
  for (const s of SUBJECTS) {
    const subject = encodeURIComponent(s);
    await fetch(`${registry}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${registry}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  }
  const left = (await (await fetch(`${registry}/subjects`)).json()) as string[];
  assert.deepEqual(left.filter((s) => SUBJECTS.includes(s)), [], 'the registry still holds idres subjects');
}

const ROUNDS = 3;
for (let round = 1; round <= ROUNDS; round++) {
  test(`all services (the six and the console) start at once against an empty registry (round ${round} of ${ROUNDS})`, { timeout: 240_000 }, async () => {
    await servicesDown();
    await emptyRegistry();
    const env = {
      KAFKA_BROKERS: cfg.kafkaBrokers.join(','), SCHEMA_REGISTRY_URL: cfg.schemaRegistryUrl, DATABASE_URL: cfg.databaseUrl,
      REDIS_URL: cfg.redisUrl, IDRES_GROUP_PREFIX: `fresh-registry-${process.pid}`, LOG_LEVEL: 'warn',
    };
    try {
      const status = await servicesUp(env, 180_000);
      assert.deepEqual(status.map((s) => [s.name, s.ready]), SUPERVISED_SERVICES.map((n) => [n, true]));
    } catch (err) {
      const logs = SUPERVISED_SERVICES.map((n) => `--- ${n}\n${tail(logFile(n))}`).join('\n');
      throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
    } finally {
      await servicesDown();
    }
    for (const s of SUBJECTS) {
      const res = await fetch(`${registry}/config/${encodeURIComponent(s)}`);
      assert.equal(res.status, 200, `${s} has a subject config`);
      assert.equal(((await res.json()) as { compatibilityLevel: string }).compatibilityLevel, 'BACKWARD', `${s} is BACKWARD`);
    }
  });
}

// A benchmark pins the default model (IDRES_MODEL) and leaves its services running; `idres resolve` then asks for
// services that follow the stored model it just trained. Services up with another pin restart; with the same, stay.
test('services up restarts services that run with another model pin, and keeps those with the same', { timeout: 240_000 }, async () => {
  await servicesDown();
  const env = {
    KAFKA_BROKERS: cfg.kafkaBrokers.join(','), SCHEMA_REGISTRY_URL: cfg.schemaRegistryUrl, DATABASE_URL: cfg.databaseUrl,
    REDIS_URL: cfg.redisUrl, IDRES_GROUP_PREFIX: `model-pin-${process.pid}`, LOG_LEVEL: 'warn',
  };
  const matchModel = async (urls: Map<string, string>): Promise<string> => ((await (await fetch(`${urls.get('match')}/model`)).json()) as { kind: string }).kind;
  const pidsOf = (status: Awaited<ReturnType<typeof servicesUp>>): Map<string, number | undefined> => new Map(status.map((s) => [s.name, s.pid]));
  try {
    const pinned = await servicesUp({ ...env, IDRES_MODEL: 'packages/core/models/default.json' }, 180_000);
    const urls = new Map(pinned.map((s) => [s.name, s.url]));
    assert.equal(await matchModel(urls), 'file', 'started with the pinned model file');
    const unpinned = await servicesUp(env, 180_000);
    for (const [name, pid] of pidsOf(unpinned)) assert.notEqual(pid, pidsOf(pinned).get(name), `${name} restarted without the pin`);
    assert.notEqual(await matchModel(urls), 'file', 'match now follows the model store');
    const again = await servicesUp(env, 180_000);
    assert.deepEqual(pidsOf(again), pidsOf(unpinned), 'the same pin keeps the running services');
  } finally {
    await servicesDown();
  }
});

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
