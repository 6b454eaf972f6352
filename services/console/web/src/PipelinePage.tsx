import { useEffect, useRef, useState } from 'react';
import { api, fmtTime, type JobRow, type ServiceState, type SourceRow } from './api';

interface Reading { at: number; services: ServiceState[]; threshold: number | null; jobs: JobRow[]; sources: SourceRow[] }

/**
 * Every 2 s while the page is open: each service's /ready, its message counters (as rates between two readings),
 * its consumer lag, the newest jobs with their live progress, and the followed sources' sync.
 */
export function PipelinePage() {
  const [now, setNow] = useState<Reading | null>(null);
  const prev = useRef<Reading | null>(null);
  const [rates, setRates] = useState<Record<string, { in: number | null; out: number | null }>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      try {
        const r = await api<Reading>('/api/pipeline');
        if (stop) return;
        const p = prev.current;
        if (p) {
          const dt = (r.at - p.at) / 1000;
          const next: Record<string, { in: number | null; out: number | null }> = {};
          for (const s of r.services) {
            const o = p.services.find((x) => x.name === s.name);
            const rate = (a: number | null, b: number | null | undefined) => (a === null || b === null || b === undefined || dt <= 0 ? null : Math.max(0, (a - b) / dt));
            next[s.name] = { in: rate(s.messagesIn, o?.messagesIn), out: rate(s.messagesOut, o?.messagesOut) };
          }
          setRates(next);
        }
        prev.current = r;
        setNow(r);
        setError(null);
      } catch (e) { setError((e as Error).message); }
    };
    void tick();
    const t = setInterval(() => void tick(), 2000);
    return () => { stop = true; clearInterval(t); };
  }, []);
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(1));
  return (
    <section>
      <h1>Pipeline</h1>
      {error && <p className="error">{error}</p>}
      {now && <p className="small">match threshold {now.threshold ?? '—'} · read {new Date(now.at).toLocaleTimeString()}</p>}
      {now && (
        <table data-testid="pipeline">
          <thead><tr><th>service</th><th>ready</th><th>model / details</th><th>in (msg/s)</th><th>out (msg/s)</th><th>consumed</th><th>produced</th><th>lag</th></tr></thead>
          <tbody>
            {now.services.map((s) => (
              <tr key={s.name} data-testid={`svc-${s.name}`}>
                <td><a href={`${s.url}/ready`}>{s.name}</a></td>
                <td className={s.ready ? 'ok' : 'bad'}>{s.ready ? 'ready' : 'not ready'}</td>
                <td className="small">{describe(s.details)}</td>
                <td>{fmt(rates[s.name]?.in)}</td>
                <td>{fmt(rates[s.name]?.out)}</td>
                <td>{s.messagesIn ?? '—'}</td>
                <td>{s.messagesOut ?? '—'}</td>
                <td>{s.lag.length === 0 ? '—' : s.lag.map((l) => <div key={l.group}>{l.topic}: {l.lag < 0 ? '?' : l.lag}</div>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {now && <Jobs jobs={now.jobs} />}
      {now && <Sources sources={now.sources ?? []} />}
    </section>
  );
}

const fmtEta = (s: number | null): string => (s === null ? '—' : s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** The newest jobs (npx idres job submit, POST /jobs, npx idres resolve): phase, counts, rate and ETA. */
function Jobs({ jobs }: { jobs: JobRow[] }) {
  return (
    <>
      <h2>Jobs</h2>
      {jobs.length === 0 ? <p className="small" data-testid="jobs-empty">No jobs yet (npx idres job submit, or POST /jobs on ingest).</p> : (
        <table data-testid="jobs">
          <thead><tr><th>job</th><th>type</th><th>source</th><th>phase</th><th>progress</th><th>read / rejected / sent / resolved</th><th>records/s</th><th>ETA</th><th>created</th></tr></thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-testid={`job-${j.id}`}>
                <td>{j.id}</td>
                <td>{j.type}</td>
                <td>{j.source ?? '—'}</td>
                <td className={j.phase === 'failed' ? 'bad' : j.phase === 'done' ? 'ok' : ''} title={j.error ? `${j.error.code}: ${j.error.message}` : undefined}>{j.phase}</td>
                <td>{j.progress.percent === null ? '—' : <><progress max={100} value={j.progress.percent} /> {j.progress.percent}%</>}</td>
                <td>{j.counts.read} / {j.counts.rejected} / {j.counts.sent} / {j.counts.resolved}{j.counts.total === null ? '' : ` of ${j.counts.total}`}</td>
                <td>{j.progress.recordsPerSecond ?? '—'}</td>
                <td>{j.phase === 'done' ? '—' : fmtEta(j.progress.etaSeconds)}</td>
                <td className="small">{fmtTime(j.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Followed sources (npx idres source add): connector, snapshot progress, changes applied, lag, errors, stalls. */
function Sources({ sources }: { sources: SourceRow[] }) {
  return (
    <>
      <h2>Sources</h2>
      {sources.length === 0 ? <p className="small" data-testid="sources-empty">No sources followed (npx idres source add NAME --connector postgres ...).</p> : (
        <table data-testid="sources">
          <thead><tr><th>source</th><th>table</th><th>connector</th><th>snapshot</th><th>rows/s</th><th>changes / deletes / rejected</th><th>last change</th><th>commit → applied</th><th>errors</th></tr></thead>
          <tbody>
            {sources.map((s) => {
              const problem = s.stalled ?? (s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : null);
              const snap = s.snapshot;
              return (
                <tr key={s.name} data-testid={`source-${s.name}`}>
                  <td>{s.name}</td>
                  <td>{s.table}</td>
                  <td className={s.connector === 'RUNNING' ? 'ok' : 'bad'}>{s.connector}</td>
                  <td>{snap.state}: {snap.rowsDone}{snap.estimatedRows > 0 ? ` of ~${snap.estimatedRows}` : ''}{snap.state === 'running' ? `, ETA ${fmtEta(snap.etaSeconds === null ? null : Math.round(snap.etaSeconds))}` : ''}</td>
                  <td>{snap.rowsPerSecond === null ? '—' : Math.round(snap.rowsPerSecond)}</td>
                  <td>{s.changes} / {s.deletes} / {s.rejected}</td>
                  <td className="small">{s.lastEventAt === null ? '—' : fmtTime(s.lastEventAt)}</td>
                  <td>{s.lastChangeLagSeconds === null ? '—' : `${s.lastChangeLagSeconds.toFixed(2)} s`}</td>
                  <td className={s.stalled ? 'bad' : ''} title={problem ?? undefined}>{s.errors}{s.stalled ? ` (stalled: ${s.stalled})` : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

function describe(d: Record<string, unknown>): string {
  if (typeof d['error'] === 'string') return d['error'];
  const m = d['model'] as { version?: unknown; kind?: unknown } | undefined;
  return m ? `model ${String(m.kind ?? '')} v${String(m.version ?? '—')}` : '';
}
