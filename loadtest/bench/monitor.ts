import os from 'node:os';
import type { Admin } from 'kafkajs';
import { CLK_TCK, machineTicks, sampleProcess, type ProcSample, type Watched } from './procfs';
import { STAGE_INPUTS, lagPerStage, scrapeCounters } from './serviceMetrics';
import { MiB, downsample, round } from './stats';

/** One sample of the whole system, taken every `intervalMs`. Counters are cumulative, as the services report them. */
export interface Sample {
  /** ms since the monitor's t0 */
  atMs: number;
  produced: number;
  resolvedSeen: number;
  lag: Record<string, number>;
  counters: Record<string, Record<string, number>>;
  procs: Record<string, ProcSample>;
  machine: { busy: number; total: number };
}

export interface MonitorOptions {
  admin: Admin;
  groupPrefix: string;
  watched: Watched[];
  /** service name -> metrics port */
  ports: Record<string, number>;
  t0: number;
  intervalMs: number;
  progress: () => { produced: number; resolvedSeen: number };
}

const IN = 'idres_messages_in_total';
const OUT = 'idres_messages_out_total';

/** Samples consumer lag, service counters and per-process CPU and memory in the background. */
export class Monitor {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  /** Highest RSS seen per process (sampled), and VmHWM of the main pid at the last sample. */
  private readonly peakRss = new Map<string, number>();
  private readonly lastHwm = new Map<string, { pid: number; hwm: number }>();
  private lagErrors = 0;

  constructor(private readonly o: MonitorOptions) {}

  async sample(): Promise<Sample> {
    const p = this.o.progress();
    const [lag, counterList] = await Promise.all([
      lagPerStage(this.o.admin, this.o.groupPrefix).catch(() => {
        this.lagErrors++;
        return {} as Record<string, number>;
      }),
      Promise.all(Object.entries(this.o.ports).map(async ([name, port]) => [name, await scrapeCounters(port)] as const)),
    ]);
    const counters: Record<string, Record<string, number>> = {};
    for (const [name, c] of counterList) if (c) counters[name] = c;
    const procs: Record<string, ProcSample> = {};
    for (const w of this.o.watched) {
      const s = sampleProcess(w);
      if (!s) continue;
      procs[w.name] = s;
      this.peakRss.set(w.name, Math.max(this.peakRss.get(w.name) ?? 0, s.rss));
      this.lastHwm.set(w.name, { pid: s.pid, hwm: s.hwm });
    }
    const s: Sample = { atMs: Date.now() - this.o.t0, produced: p.produced, resolvedSeen: p.resolvedSeen, lag, counters, procs, machine: machineTicks() };
    this.samples.push(s);
    return s;
  }

  start(): void {
    this.running = true;
    const tick = (): void => {
      if (!this.running) return;
      this.inFlight = this.sample().then(() => undefined, () => undefined).finally(() => {
        if (this.running) this.timer = setTimeout(tick, this.o.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<Sample> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    return this.sample();
  }

  latest(): Sample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** Per-service throughput from the counters' deltas over the run. */
  throughput(): Record<string, unknown> {
    const first = this.samples[0];
    const out: Record<string, unknown> = {};
    if (!first) return out;
    for (const name of Object.keys(this.o.ports)) {
      const series = this.samples.filter((s) => s.counters[name] !== undefined);
      const a = series[0];
      const b = series[series.length - 1];
      if (!a || !b) {
        out[name] = { scraped: false };
        continue;
      }
      const ca = a.counters[name]!;
      const cb = b.counters[name]!;
      const deltas: Record<string, number> = {};
      for (const k of Object.keys(cb)) {
        const d = (cb[k] ?? 0) - (ca[k] ?? 0);
        if (d !== 0) deltas[k.replace(/^idres_/, '').replace(/_total$/, '')] = d;
      }
      // active span: first to last interval in which messages came in
      let firstActive = -1;
      let lastActive = -1;
      let peakIn = 0;
      let peakOut = 0;
      for (let i = 1; i < series.length; i++) {
        const p = series[i - 1]!;
        const q = series[i]!;
        const dt = (q.atMs - p.atMs) / 1000;
        const din = (q.counters[name]![IN] ?? 0) - (p.counters[name]![IN] ?? 0);
        const dout = (q.counters[name]![OUT] ?? 0) - (p.counters[name]![OUT] ?? 0);
        if (din > 0 || dout > 0) {
          if (firstActive < 0) firstActive = p.atMs;
          lastActive = q.atMs;
        }
        if (dt > 0) {
          peakIn = Math.max(peakIn, din / dt);
          peakOut = Math.max(peakOut, dout / dt);
        }
      }
      const activeSeconds = lastActive > firstActive ? (lastActive - firstActive) / 1000 : 0;
      const msgIn = (cb[IN] ?? 0) - (ca[IN] ?? 0);
      const msgOut = (cb[OUT] ?? 0) - (ca[OUT] ?? 0);
      out[name] = {
        messagesIn: msgIn,
        messagesOut: msgOut,
        activeSeconds: round(activeSeconds),
        inPerSecondWhileActive: activeSeconds > 0 ? Math.round(msgIn / activeSeconds) : 0,
        outPerSecondWhileActive: activeSeconds > 0 ? Math.round(msgOut / activeSeconds) : 0,
        peakInPerSecond: Math.round(peakIn),
        peakOutPerSecond: Math.round(peakOut),
        counters: deltas,
      };
    }
    return out;
  }

  /** CPU (of one core = 100 %) and memory per process over the run. */
  resources(): { processes: Record<string, unknown>; machineBusyPct: number; otherCpuSeconds: number; wallSeconds: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const processes: Record<string, unknown> = {};
    if (!first || !last) return { processes, machineBusyPct: NaN, otherCpuSeconds: NaN, wallSeconds: 0 };
    const wall = (last.atMs - first.atMs) / 1000;
    let ours = 0;
    for (const w of this.o.watched) {
      const series = this.samples.map((s) => s.procs[w.name]).filter((p): p is ProcSample => p !== undefined);
      const a = series[0];
      const b = series[series.length - 1];
      if (!a || !b) continue;
      // only count the span of one pid (a restarted service starts its counters again)
      const samePid = series.filter((p) => p.pid === b.pid);
      const cpuTicks = b.ticks - (samePid[0] ?? b).ticks;
      ours += Math.max(0, cpuTicks);
      let peakPct = 0;
      for (let i = 1; i < this.samples.length; i++) {
        const p = this.samples[i - 1]!.procs[w.name];
        const q = this.samples[i]!.procs[w.name];
        const dt = (this.samples[i]!.atMs - this.samples[i - 1]!.atMs) / 1000;
        if (p && q && p.pid === q.pid && dt > 0) peakPct = Math.max(peakPct, ((q.ticks - p.ticks) / CLK_TCK / dt) * 100);
      }
      const hwm = this.lastHwm.get(w.name);
      processes[w.name] = {
        pid: b.pid,
        cpuSeconds: round(cpuTicks / CLK_TCK),
        avgCpuPctOfOneCore: wall > 0 ? round((cpuTicks / CLK_TCK / wall) * 100) : 0,
        peakCpuPctOfOneCore: round(peakPct),
        peakRssMiB: MiB(this.peakRss.get(w.name) ?? 0),
        vmHwmMiB: MiB(hwm?.hwm ?? 0),
        ...(w.withChildren ? { note: 'RSS summed over the postmaster and its backends (over-counts shared buffers); VmHWM is the postmaster alone' } : {}),
        ...(w.kind === 'stack' ? { vmHwmNote: 'VmHWM is the peak since the component started, which may predate this run' } : {}),
      };
    }
    const busy = last.machine.busy - first.machine.busy;
    const total = last.machine.total - first.machine.total;
    return {
      processes,
      machineBusyPct: total > 0 ? round((busy / total) * 100) : NaN,
      otherCpuSeconds: round(Math.max(0, busy - ours) / CLK_TCK),
      wallSeconds: round(wall),
    };
  }

  /**
   * Where the work queued: per stage the time integral of its consumer lag, normalised by that stage's messages per
   * record (block fans out one message per blocking key, match emits pairs), so stages compare in record-seconds.
   */
  bottleneck(records: number): { stage: string | undefined; stages: Record<string, unknown>; evidence: string; saturation: string; cpuMsPerRecord: Record<string, number> } {
    const tp = this.throughput() as Record<string, { messagesIn?: number }>;
    const res = this.resources().processes as Record<string, { avgCpuPctOfOneCore?: number; peakCpuPctOfOneCore?: number }>;
    const stages: Record<string, { maxLag: number; lagMessageSeconds: number; messagesPerRecord: number; recordSecondsWaiting: number; lastLaggingAtSeconds: number; cpuAvgPct: number; cpuWhileLaggingPct: number }> = {};
    for (const [stage] of STAGE_INPUTS) {
      let maxLag = 0;
      let integral = 0;
      let lastLagging = 0;
      let busyTicks = 0;
      let busySeconds = 0;
      for (let i = 1; i < this.samples.length; i++) {
        const p = this.samples[i - 1]!;
        const q = this.samples[i]!;
        const dt = (q.atMs - p.atMs) / 1000;
        const lp = p.lag[stage] ?? 0;
        const lq = q.lag[stage] ?? 0;
        maxLag = Math.max(maxLag, lq);
        integral += ((lp + lq) / 2) * dt;
        if (lq > 0) lastLagging = q.atMs / 1000;
        const pp = p.procs[stage];
        const qp = q.procs[stage];
        if (lp > 0 && pp && qp && pp.pid === qp.pid) {
          busyTicks += qp.ticks - pp.ticks;
          busySeconds += dt;
        }
      }
      const msgs = tp[stage]?.messagesIn ?? 0;
      const perRecord = records > 0 && msgs > 0 ? msgs / records : 1;
      stages[stage] = {
        maxLag, lagMessageSeconds: Math.round(integral), messagesPerRecord: round(perRecord, 2), recordSecondsWaiting: Math.round(integral / perRecord),
        lastLaggingAtSeconds: round(lastLagging), cpuAvgPct: res[stage]?.avgCpuPctOfOneCore ?? 0,
        cpuWhileLaggingPct: busySeconds > 0 ? round((busyTicks / CLK_TCK / busySeconds) * 100) : 0,
      };
    }
    const all = this.resources();
    const cpuMsPerRecord: Record<string, number> = {};
    for (const [name, p] of Object.entries(all.processes as Record<string, { cpuSeconds: number }>)) cpuMsPerRecord[name] = records > 0 ? round((p.cpuSeconds * 1000) / records, 2) : 0;
    const ourCpu = Object.values(all.processes as Record<string, { cpuSeconds: number }>).reduce((x, p) => x + p.cpuSeconds, 0);
    const saturation = `machine CPU ${all.machineBusyPct}% busy over ${all.wallSeconds}s (${os.cpus().length} cores): the watched processes used ${round(ourCpu / Math.max(all.wallSeconds, 1e-9), 2)} cores, ` +
      `other processes on the machine ${round(all.otherCpuSeconds / Math.max(all.wallSeconds, 1e-9), 2)} cores; CPU ms per record: ` +
      Object.entries(cpuMsPerRecord).sort((x, y) => y[1] - x[1]).map(([n, v]) => `${n} ${v}`).join(', ');
    const ranked = Object.entries(stages).sort((a, b) => b[1].recordSecondsWaiting - a[1].recordSecondsWaiting);
    const top = ranked[0];
    const second = ranked[1];
    if (!top || top[1].recordSecondsWaiting === 0) return { stage: undefined, stages, evidence: 'no stage had measurable consumer lag', saturation, cpuMsPerRecord };
    const s = top[1];
    const evidence = `${top[0]}: input lag peaked at ${s.maxLag} messages (${s.messagesPerRecord} per record) and stayed > 0 until t=${s.lastLaggingAtSeconds}s; ` +
      `${s.recordSecondsWaiting} record-seconds queued in front of it vs ${second ? `${second[1].recordSecondsWaiting} for ${second[0]}` : 'none elsewhere'}; ` +
      `its process used ${s.cpuWhileLaggingPct}% of one core while it had lag (Node runs a service's handlers on one thread, so ~100% means CPU-bound there)`;
    return { stage: top[0], stages, evidence, saturation, cpuMsPerRecord };
  }

  /** Lag, throughput, CPU and RSS over time, downsampled to at most `maxPoints` points. */
  timeseries(maxPoints: number): { intervalSeconds: number; points: unknown[]; lagErrors: number } {
    const points: unknown[] = [];
    for (let i = 1; i < this.samples.length; i++) {
      const p = this.samples[i - 1]!;
      const q = this.samples[i]!;
      const dt = (q.atMs - p.atMs) / 1000;
      if (dt <= 0) continue;
      const inRate: Record<string, number> = {};
      const cpuPct: Record<string, number> = {};
      const rssMiB: Record<string, number> = {};
      for (const name of Object.keys(this.o.ports)) {
        const a = p.counters[name];
        const b = q.counters[name];
        if (a && b) inRate[name] = Math.round(((b[IN] ?? 0) - (a[IN] ?? 0)) / dt);
      }
      for (const w of this.o.watched) {
        const a = p.procs[w.name];
        const b = q.procs[w.name];
        if (b) rssMiB[w.name] = MiB(b.rss);
        if (a && b && a.pid === b.pid) cpuPct[w.name] = Math.round(((b.ticks - a.ticks) / CLK_TCK / dt) * 100);
      }
      const mt = q.machine.total - p.machine.total;
      points.push({
        t: round(q.atMs / 1000),
        produced: q.produced,
        resolvedSeen: q.resolvedSeen,
        lag: q.lag,
        lagTotal: Object.values(q.lag).reduce((x, y) => x + y, 0),
        inPerSecond: inRate,
        cpuPct,
        rssMiB,
        machineBusyPct: mt > 0 ? Math.round(((q.machine.busy - p.machine.busy) / mt) * 100) : 0,
      });
    }
    const interval = this.samples.length > 1 ? (this.samples[this.samples.length - 1]!.atMs - this.samples[0]!.atMs) / 1000 / (this.samples.length - 1) : 0;
    return { intervalSeconds: round(interval, 2), points: downsample(points, maxPoints), lagErrors: this.lagErrors };
  }
}
