import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Parent pid of a process, from /proc/<pid>/stat (undefined when it is gone). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when a flock(2) on `lockPath` is held by this process or one of its ancestors, e.g. when the bench runs as
 * `flock .stack/pipeline.lock npx tsx loadtest/bench/cli.ts`. Read from /proc/locks (pid + inode of each lock).
 */
export function lockHeldByAncestor(lockPath: string): boolean {
  let inode: number;
  try {
    inode = statSync(lockPath).ino;
  } catch {
    return false;
  }
  const holders = new Set<number>();
  for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
    if (line.includes('->')) continue; // a waiter, not a holder
    const parts = line.trim().split(/\s+/);
    if (parts[1] !== 'FLOCK') continue;
    const ino = Number(parts[5]?.split(':')[2]);
    if (ino === inode) holders.add(Number(parts[4]));
  }
  if (holders.size === 0) return false;
  for (let pid: number | undefined = process.pid, hops = 0; pid !== undefined && hops < 64; pid = parentOf(pid), hops++) {
    if (holders.has(pid)) return true;
  }
  return false;
}

/**
 * Makes sure this run holds the pipeline lock (the integration tests take the same one before they reset topics,
 * tables and Redis). If no ancestor holds it, re-runs this very command under `flock LOCK ...` and exits with its
 * exit code; returns only when the lock is held.
 */
export async function ensurePipelineLock(lockPath: string, log: (msg: string) => void): Promise<void> {
  if (lockHeldByAncestor(lockPath)) return;
  mkdirSync(path.dirname(lockPath), { recursive: true });
  closeSync(openSync(lockPath, 'a'));
  log(`taking the pipeline lock (${lockPath}); waits while the integration tests or another benchmark hold it`);
  const script = process.argv[1];
  if (!script) throw new Error('cannot re-run under flock: no script path in process.argv');
  const child = spawn('flock', [lockPath, process.execPath, ...process.execArgv, script, ...process.argv.slice(2)], { stdio: 'inherit' });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  process.exit(code);
}
