import type { Job } from './job';

/** What status, list and the event stream show beside the job: percentage, rate and ETA of the work in hand. */
export interface JobProgress {
  phase: Job['phase'];
  /** Of the current phase's work (rows read while reading, records resolved while resolving). */
  percent: number | null;
  recordsPerSecond: number | null;
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export function progressOf(job: Job, now = Date.now()): JobProgress {
  const started = job.startedAt?.getTime() ?? now;
  const elapsedSeconds = Math.max(0, (job.finishedAt?.getTime() ?? now) - started) / 1000;
  const base: JobProgress = { phase: job.phase, percent: null, recordsPerSecond: null, etaSeconds: null, elapsedSeconds: Math.round(elapsedSeconds * 10) / 10 };
  const c = job.counts;
  const pct = (a: number, b: number): number => (b <= 0 ? 100 : Math.min(100, Math.round((a / b) * 1000) / 10));
  if (job.phase === 'reading' && c.total !== null) {
    const rate = c.read / Math.max(0.001, (now - started) / 1000);
    return { ...base, percent: pct(c.read, c.total), recordsPerSecond: Math.round(rate), etaSeconds: rate > 0 ? Math.round((c.total - c.read) / rate) : null };
  }
  if (job.phase === 'resolving') {
    // Records resolve while the file is still read: the rate is over the whole run.
    const rate = c.resolved / Math.max(0.001, (now - started) / 1000);
    return { ...base, percent: pct(c.resolved, c.sent), recordsPerSecond: Math.round(rate), etaSeconds: rate > 0 ? Math.round(Math.max(0, c.sent - c.resolved) / rate) : null };
  }
  if (job.phase === 'done') {
    // A job that resolves is done when its records are; one that only writes a file (generate to a file) resolves none.
    const done = job.spec.type === 'generate' && job.spec.generate?.target === 'file' ? c.sent : c.resolved;
    return { ...base, percent: 100, recordsPerSecond: elapsedSeconds > 0 ? Math.round(done / elapsedSeconds) : null, etaSeconds: 0 };
  }
  return base;
}
