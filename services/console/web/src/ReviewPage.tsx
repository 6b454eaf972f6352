import { useCallback, useEffect, useState } from 'react';
import { api, decide, fmtP, undo, type Decision, type ReviewItem } from './api';
import { NO_REVIEW_RIGHT, useMe } from './me';

const DERIVED = /(_dm\d|_tl|_nick|_user|_domain|^name_dm_pair|^dob_(year|month|day))$/;

/**
 * One pair at a time, most uncertain first. Keys: s = same person, d = different people, n / → = skip,
 * p / ← = back, u = undo the last decision.
 */
export function ReviewPage({ identity }: { identity?: string }) {
  const [band, setBand] = useState(0.15);
  const [data, setData] = useState<{ band: { threshold: number; lo: number; hi: number }; items: ReviewItem[] } | null>(null);
  const [index, setIndex] = useState(0);
  const [last, setLast] = useState<Decision | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    const d = await api<{ band: { threshold: number; lo: number; hi: number }; items: ReviewItem[] }>(`/api/review?band=${band}&limit=100${identity ? `&identity=${encodeURIComponent(identity)}` : ''}`);
    setData(d);
    setIndex((i) => Math.min(i, Math.max(d.items.length - 1, 0)));
  }, [band, identity]);
  useEffect(() => { void load().catch((e: Error) => setMessage(e.message)); }, [load]);
  const item = data?.items[index];

  const { mayReview } = useMe();
  const mark = useCallback(async (decision: 'SAME' | 'DIFFERENT') => {
    if (!item || !mayReview) return;
    try {
      const res = await decide(item.a, item.b, decision);
      setLast(res.override);
      setMessage(`${item.a} and ${item.b}: ${decision === 'SAME' ? 'same person' : 'different people'} (decision ${res.override.id})`);
      await load(); // decided pairs leave the queue
    } catch (e) { setMessage((e as Error).message); }
  }, [item, load, mayReview]);
  const undoLast = useCallback(async () => {
    if (!last || !mayReview) return;
    try {
      await undo(last.id);
      setMessage(`decision ${last.id} undone`);
      setLast(null);
      await load();
    } catch (e) { setMessage((e as Error).message); }
  }, [last, load, mayReview]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 's') void mark('SAME');
      else if (e.key === 'd') void mark('DIFFERENT');
      else if (e.key === 'u') void undoLast();
      else if (e.key === 'n' || e.key === 'ArrowRight') setIndex((i) => Math.min(i + 1, (data?.items.length ?? 1) - 1));
      else if (e.key === 'p' || e.key === 'ArrowLeft') setIndex((i) => Math.max(i - 1, 0));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mark, undoLast, data]);

  return (
    <section>
      <h1>Review queue{identity ? <> — the pairs inside <a href={`#/identity/${identity}`}>{identity}</a></> : null}</h1>
      {identity ? <p className="small">Every scored pair between this identity's records, most uncertain first. <a href="#/review">The whole queue</a></p> : <p>
        Pairs with a probability within ±<input data-testid="band" type="number" step="0.05" min="0" max="1" value={band} onChange={(e) => setBand(Number(e.target.value))} style={{ width: '4em' }} /> of
        the threshold{data ? <> ({data.band.threshold}: {data.band.lo.toFixed(2)}–{data.band.hi.toFixed(2)})</> : null}, and links the clustering held apart; most uncertain first.
      </p>}
      <p className="small">Keys: <kbd>s</kbd> same person · <kbd>d</kbd> different people · <kbd>n</kbd>/<kbd>→</kbd> skip · <kbd>p</kbd>/<kbd>←</kbd> back · <kbd>u</kbd> undo last decision</p>
      {message && <p data-testid="review-message" className="note">{message}</p>}
      {data && data.items.length === 0 && <p data-testid="review-empty">Nothing to review in this band.</p>}
      {item && (
        <div className="panel" data-testid="review-item">
          <h2>{index + 1} of {data!.items.length}: {item.reason === 'HELD_APART' ? 'a link the clustering held apart' : identity ? (item.link ? 'a link of this identity' : 'a pair below the threshold') : 'a borderline pair'} — p = {fmtP(item.probability)}, {item.matchWeight.toFixed(2)} bits ({item.distance.toFixed(2)} from the threshold)</h2>
          <table data-testid="review-pair">
            <thead><tr><th>field</th>{item.records.map((r) => <th key={r.recordId}>{r.recordId}<br /><span className="small">{r.masterId ? <a href={`#/identity/${r.masterId}`}>{r.masterId}</a> : '—'}</span></th>)}</tr></thead>
            <tbody>
              {item.fields.filter((f) => !DERIVED.test(f.field)).map((f) => (
                <tr key={f.field} className={f.differs ? 'differs' : ''}><td>{f.field}</td>{item.records.map((r) => <td key={r.recordId}>{f.values[r.recordId] ?? ''}</td>)}</tr>
              ))}
            </tbody>
          </table>
          <p>
            <button data-testid="review-same" disabled={!mayReview} title={mayReview ? undefined : NO_REVIEW_RIGHT} onClick={() => void mark('SAME')}>same person (s)</button>{' '}
            <button data-testid="review-different" disabled={!mayReview} title={mayReview ? undefined : NO_REVIEW_RIGHT} onClick={() => void mark('DIFFERENT')}>different people (d)</button>{' '}
            <button onClick={() => setIndex((i) => Math.min(i + 1, data!.items.length - 1))}>skip (n)</button>{' '}
            {last && <button data-testid="review-undo" onClick={() => void undoLast()}>undo last (u)</button>}
          </p>
        </div>
      )}
    </section>
  );
}
