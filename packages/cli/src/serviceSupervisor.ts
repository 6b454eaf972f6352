import { spawn } from 'node:child_process';
import { withSealKeys } from './sealKeys';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { servicePorts } from '@idres/runtime';
import { CliError } from './cliError';
import { buildConsoleWeb, buildServices, bundlePath } from './serviceBuild';
import { REPO_ROOT, STACK_DIR, SUPERVISED_SERVICES, type ServiceName } from './repoPaths';

const RUN_DIR = path.join(STACK_DIR, 'services');

export interface ServiceStatus {
  name: ServiceName;
  url: string;
  pid: number | undefined;
  ready: boolean;
}

const portOf = (name: ServiceName): number => servicePorts(process.env)[name]!;
const urlOf = (name: ServiceName): string => `http://127.0.0.1:${portOf(name)}`;
export const pidFile = (name: ServiceName): string => path.join(RUN_DIR, `${name}.pid`);
export const logFile = (name: ServiceName): string => path.join(RUN_DIR, `${name}.log`);
/** The IDRES_MODEL a running service was started with ('' for none): the benchmarks pin a model file. */
const pinFile = (name: ServiceName): string => path.join(RUN_DIR, `${name}.model-pin`);
const readPin = (name: ServiceName): string => {
  try {
    return readFileSync(pinFile(name), 'utf8');
  } catch {
    return '';
  }
};

export function readPid(name: ServiceName): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(name), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function isReady(name: ServiceName): Promise<boolean> {
  try {
    const res = await fetch(`${urlOf(name)}/ready`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function servicesStatus(): Promise<ServiceStatus[]> {
  return Promise.all(SUPERVISED_SERVICES.map(async (name) => ({ name, url: urlOf(name), pid: readPid(name), ready: await isReady(name) })));
}

/**
 * Extra Node flags for every service from IDRES_SERVICE_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * (Node refuses --cpu-prof in NODE_OPTIONS, and profiling the services is how their cost is measured).
 */
const extraNodeArgs = (): string[] => (process.env.IDRES_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/**
 * Starts each of the six services and the console that is not already running, as a detached process with its log under
 * .stack/services/, and waits until every one answers /ready. Idempotent. A running service started with another
 * model pin (IDRES_MODEL) than `env` asks for is restarted: after `npm run bench` pinned the default model, `idres
 * resolve` would otherwise score its file with that model, not with the one it trained and activated.
 */
export async function servicesUp(env: Record<string, string>, timeoutMs = 120_000): Promise<ServiceStatus[]> {
  mkdirSync(RUN_DIR, { recursive: true });
  const childEnv = withSealKeys({ ...process.env, ...env });
  const pin = childEnv['IDRES_MODEL'] ?? '';
  const repinned = SUPERVISED_SERVICES.filter((name) => readPid(name) !== undefined && readPin(name) !== pin);
  if (repinned.length > 0) await servicesDown(30_000, repinned);
  // Built from the sources every time (about a second for all six), so a bundle is never older than its code.
  const toStart = SUPERVISED_SERVICES.filter((name) => readPid(name) === undefined);
  await buildServices(toStart);
  if (toStart.includes('console')) await buildConsoleWeb();
  for (const name of toStart) {
    const out = openSync(logFile(name), 'a');
    const child = spawn(process.execPath, ['--enable-source-maps', ...extraNodeArgs(), bundlePath(name)], {
      cwd: REPO_ROOT,
      // Every service gets the same sealing keyring (the local stack's unless IDRES_SEAL_KEYS_FILE says otherwise).
      env: { ...childEnv, HTTP_PORT: String(portOf(name)) },
      stdio: ['ignore', out, out],
      detached: true,
    });
    child.unref();
    if (child.pid === undefined) throw new CliError('SERVICE_START_FAILED', `could not start ${name}`);
    writeFileSync(pidFile(name), String(child.pid));
    writeFileSync(pinFile(name), pin);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await servicesStatus();
    const dead = status.filter((s) => s.pid === undefined);
    if (dead.length > 0) {
      throw new CliError('SERVICE_START_FAILED', `service ${dead.map((d) => d.name).join(', ')} exited during start-up; see ${dead.map((d) => logFile(d.name)).join(', ')}`);
    }
    if (status.every((s) => s.ready)) return status;
    if (Date.now() > deadline) {
      const slow = status.filter((s) => !s.ready).map((s) => s.name);
      throw new CliError('SERVICE_START_FAILED', `services not ready after ${timeoutMs / 1000}s: ${slow.join(', ')}; see their logs in ${RUN_DIR}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** SIGTERM to each service (each finishes its batch and commits), then waits for them to exit. */
export async function servicesDown(timeoutMs = 30_000, names: readonly ServiceName[] = SUPERVISED_SERVICES): Promise<void> {
  const pids = names.map((n) => [n, readPid(n)] as const);
  for (const [, pid] of pids) if (pid !== undefined) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  for (const [name, pid] of pids) {
    if (pid === undefined) continue;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 200));
      } catch {
        break;
      }
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    if (existsSync(pidFile(name))) rmSync(pidFile(name));
    rmSync(pinFile(name), { force: true });
  }
}
