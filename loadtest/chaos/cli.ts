/**
 * npm run chaos -- [--records 100000] [--seed 1] [--work-dir DIR]
 * Resolves a generated file undisturbed and then under faults (see chaos.ts) through the stack in the environment
 * (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, REDIS_URL, IDRES_STACK_DIR, IDRES_SERVICE_PORT_BASE),
 * and prints one JSON object. Exit 0 when every check holds, 1 when one fails, 2 on error.
 */
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { STACK_DIR } from '../../packages/cli/src/repoPaths';
import { ensureStackHealthy, runChaos } from './chaos';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' }, 'work-dir': { type: 'string' } } });
const records = Number(values.records);
const seed = Number(values.seed);
if (!Number.isInteger(records) || records < 100 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run chaos -- [--records N (>= 100)] [--seed S] [--work-dir DIR]\n');
  process.exit(2);
}
const workDir = values['work-dir'] ?? path.join(STACK_DIR, 'chaos');
mkdirSync(workDir, { recursive: true });
try {
  const report = await runChaos({ records, seed, workDir });
  await ensureStackHealthy();
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exit(report.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`chaos: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(2);
}
