import cliProgress from 'cli-progress';

/** What the job API answers (GET /jobs/:id, the event stream); the CLI reads only these fields. */
export interface JobView {
  id: string;
  phase: string;
  counts: { total: number | null; read: number; rejected: number; sent: number; resolved: number };
  checkpoint: number;
  error: { code: string; message: string } | null;
  outputDir: string;
  outputs: Array<{ kind: string; path?: string; bytes?: number; rows?: number; note?: string }>;
  progress: { percent: number | null; recordsPerSecond: number | null; etaSeconds: number | null; elapsedSeconds: number };
  spec: { type: string; input?: { path: string; source: string }; generate?: { records: number; profile: string } };
}

export const fmtSeconds = (s: number | null): string => (s === null ? '?' : s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

/**
 * A job's progress on stderr (cli-progress): rows read while reading, then records with a master ID, with the
 * rate and ETA the job reports. Without a terminal it prints a line every 5 s instead of redrawing.
 */
export class JobProgressBar {
  private readonly bar = new cliProgress.SingleBar({
    format: '{phase} |{bar}| {percentage}% | {value}/{total} | {rate} rec/s | ETA {etaText} | {elapsedText}',
    hideCursor: true, stream: process.stderr, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 5000,
  }, cliProgress.Presets.shades_classic);
  private started = false;

  show(j: JobView): void {
    const total = j.phase === 'resolving' || j.phase === 'exporting' || j.phase === 'reporting' || j.phase === 'done' ? Math.max(1, j.counts.sent) : Math.max(1, j.counts.total ?? 1);
    const value = j.phase === 'reading' || j.phase === 'queued' || j.phase === 'training' ? j.counts.read : j.counts.resolved;
    const payload = { phase: j.phase.padEnd(9), rate: j.progress.recordsPerSecond ?? 0, etaText: fmtSeconds(j.progress.etaSeconds), elapsedText: fmtSeconds(j.progress.elapsedSeconds) };
    if (!this.started) {
      this.bar.start(total, value, payload);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(value, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}
