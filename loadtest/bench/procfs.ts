import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times. */
export const CLK_TCK: number = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

export interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself, in ticks */
  ticks: number;
  /** cutime + cstime: CPU of children it has waited for, in ticks */
  childTicks: number;
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): field n is f[n - 3]
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM (peak RSS) in bytes. */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.replace(/[^0-9]/g, ''));
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (Postgres backends and auxiliary processes of the postmaster). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st && st.ppid === pid) out.push(Number(name));
  }
  return out;
}

/** Whole-machine CPU jiffies from /proc/stat: busy (not idle/iowait) and total. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** The processes the bench watches: the six services, the four stack components, and the bench itself. */
export interface Watched {
  name: string;
  kind: 'service' | 'stack' | 'bench';
  /** Main pid (postmaster for Postgres); re-read every sample because services may restart. */
  pid: () => number | undefined;
  /** Count child processes too (Postgres backends). */
  withChildren: boolean;
}

export function watchedProcesses(serviceDir: string, stackDir: string, serviceNames: readonly string[]): Watched[] {
  return [
    ...serviceNames.map((name): Watched => ({ name, kind: 'service', pid: () => readPidFile(path.join(serviceDir, `${name}.pid`)), withChildren: false })),
    { name: 'kafka', kind: 'stack', pid: () => readPidFile(path.join(stackDir, 'kafka', 'kafka.pid')), withChildren: false },
    { name: 'registry', kind: 'stack', pid: () => readPidFile(path.join(stackDir, 'registry', 'registry.pid')), withChildren: false },
    { name: 'postgres', kind: 'stack', pid: () => readPidFile(path.join(stackDir, 'pg', 'data', 'postmaster.pid')), withChildren: true },
    { name: 'redis', kind: 'stack', pid: () => readPidFile(path.join(stackDir, 'redis', 'redis.pid')), withChildren: false },
    { name: 'bench', kind: 'bench', pid: () => process.pid, withChildren: false },
  ];
}

export interface ProcSample {
  pid: number;
  /** RSS in bytes (summed over children for Postgres: over-counts shared buffers) */
  rss: number;
  /** VmHWM of the main process in bytes (peak since that process started) */
  hwm: number;
  /** cumulative CPU ticks (for Postgres: postmaster + live children + reaped children) */
  ticks: number;
}

export function sampleProcess(w: Watched): ProcSample | undefined {
  const pid = w.pid();
  if (pid === undefined) return undefined;
  const st = readStat(pid);
  const mem = readMemory(pid);
  if (!st || !mem) return undefined;
  let rss = mem.rss;
  let ticks = st.ticks;
  if (w.withChildren) {
    ticks += st.childTicks;
    for (const c of childrenOf(pid)) {
      const cs = readStat(c);
      const cm = readMemory(c);
      if (cs) ticks += cs.ticks;
      if (cm) rss += cm.rss;
    }
  }
  return { pid, rss, hwm: mem.hwm, ticks };
}
