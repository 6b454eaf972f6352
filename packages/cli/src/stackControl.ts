import { spawn, spawnSync } from 'node:child_process';
import { CliError } from './cliError';
import { STACK_SCRIPT } from './repoPaths';

/** Runs scripts/stack.sh with a subcommand, streaming its output to stderr. */
export async function runStack(cmd: 'up' | 'down' | 'status' | 'reset', components: readonly string[] = []): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [STACK_SCRIPT, cmd, ...components], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new CliError('STACK_UNAVAILABLE', `scripts/stack.sh ${cmd} failed (exit ${code}); see the messages above`))));
  });
}

/** Connection settings of the local stack (as `scripts/stack.sh env` prints them). */
export function stackEnv(): Record<string, string> {
  const res = spawnSync('bash', [STACK_SCRIPT, 'env'], { encoding: 'utf8' });
  if (res.status !== 0) throw new CliError('STACK_UNAVAILABLE', `scripts/stack.sh env failed: ${res.stderr}`);
  const env: Record<string, string> = {};
  for (const line of res.stdout.split('\n')) {
    const m = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
  }
  return env;
}

/** True when the user pointed us at their own stack; then we neither start nor stop anything. */
export function stackConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env['KAFKA_BROKERS']);
}
