import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, decide, fmtP, fmtTime, undo, type Identity, type Link } from './api';
import { NO_REVIEW_RIGHT, useMe } from './me';
import { LinkGraph, Waterfall, probabilityColour } from './charts';

const FIRST = ['given_name', 'middle_name', 'family_name', 'full_name', 'dob', 'gender', 'ssn', 'phone', 'email', 'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country'];
/** Derived keys standardize adds for blocking and matching (phonetic codes, splits): not shown to people. */
const DERIVED = /(_dm\d|_tl|_nick|_user|_domain|^name_dm_pair|^dob_(year|month|day))$/;

export function IdentityPage({ masterId }: { masterId: string }) {
  const { mayReview } = useMe();
  const [view, setView] = useState<Identity | null>(null);
  const [gone, setGone] = useState<{ mergedInto: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Link | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const v = await api<Identity>(`/api/identities/${encodeURIComponent(masterId)}`);
      setView(v);
      setGone(null);
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) { setView(null); setGone({ mergedInto: (e.body as { mergedInto?: string | null }).mergedInto ?? null }); }
      else setError((e as Error).message);
    }
  }, [masterId]);
  useEffect(() => { setSelected(null); void load(); }, [load]);
  // Resolve applies a decision within a second or two: poll briefly after each one.
  const refreshSoon = async () => { for (let i = 0; i < 8; i++) { await new Promise((r) => setTimeout(r, 500)); await load(); } };
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    try { await f(); await refreshSoon(); } catch (e) { setError((e as Error).message); } finally { setBusy(false); }
  };

  if (error) return <p className="error">{error}</p>;
  if (gone) return (
    <section data-testid="identity-gone">
      <h1>{masterId}</h1>
      <p>This identity no longer exists{gone.mergedInto ? <> — it was merged into <a href={`#/identity/${gone.mergedInto}`}>{gone.mergedInto}</a></> : ' (its records moved to other identities or were deleted)'}.</p>
    </section>
  );
  if (!view) return <p>Loading…</p>;
  const ids = view.members.map((m) => m.recordId);
  const fields = view.fields.filter((f) => !DERIVED.test(f.field)).sort((x, y) => rank(x.field) - rank(y.field) || (x.field < y.field ? -1 : 1));
  const golden = Object.entries(view.golden.fields).filter(([f]) => !DERIVED.test(f)).sort(([x], [y]) => rank(x) - rank(y) || (x < y ? -1 : 1));
  const holding = view.decisions.filter((d) => d.undoneAt === null);
  return (
    <section>
      <h1 data-testid="identity-title">{view.masterId} <span className="small">{view.members.length} record{view.members.length === 1 ? '' : 's'} · mean pair weight {view.clustering.meanPairWeight} bits</span></h1>
      <div className="cols">
        <div>
          <h2>Golden record</h2>
          <table data-testid="golden">
            <thead><tr><th>field</th><th>value</th><th>from record</th></tr></thead>
            <tbody>{golden.map(([f, v]) => <tr key={f}><td>{f}</td><td>{v}</td><td className="small">{view.golden.sources[f] ?? ''}</td></tr>)}</tbody>
          </table>
        </div>
        <div>
          <h2>Link graph</h2>
          <p className="small">Edges coloured by probability (<span style={{ color: probabilityColour(0.5) }}>0.5</span> → <span style={{ color: probabilityColour(1) }}>1</span>); dashed: links to records the clustering keeps in other identities. Click an edge for its waterfall.</p>
          <LinkGraph members={ids} links={view.links} outside={view.clustering.heldApart} onSelect={setSelected} selected={selected} />
        </div>
      </div>
      {selected && (
        <div className="panel" data-testid="waterfall-panel">
          <h2>Why {selected.a} and {selected.b} linked <button onClick={() => setSelected(null)}>close</button></h2>
          <p className="small">rule {selected.rule ?? '—'} · model version {selected.modelVersion ?? 'default'} · probability {fmtP(selected.probability)}</p>
          <Waterfall terms={selected.explanation} total={selected.matchWeight} probability={selected.probability} />
        </div>
      )}
      <h2>Member records</h2>
      <div className="scroll">
        <table data-testid="members">
          <thead><tr><th>field</th>{ids.map((id) => <th key={id}>{id}</th>)}</tr></thead>
          <tbody>
            {fields.map((f) => (
              <tr key={f.field} className={f.differs ? 'differs' : ''} data-testid={f.differs ? 'member-field-differs' : 'member-field'}>
                <td>{f.field}</td>
                {ids.map((id) => <td key={id} className={f.differs && f.values[id] !== view.golden.fields[f.field] ? 'off' : ''}>{f.values[id] ?? ''}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Links <a className="small" data-testid="review-identity" href={`#/review?identity=${view.masterId}`}>review these pairs one by one</a></h2>
      <table data-testid="links">
        <thead><tr><th>records</th><th>probability</th><th>weight</th><th>rule</th><th></th></tr></thead>
        <tbody>
          {view.links.map((l) => (
            <tr key={`${l.a}-${l.b}`} data-testid="link-row">
              <td>{l.a} — {l.b}</td>
              <td><span className="dot" style={{ background: probabilityColour(l.probability) }} />{fmtP(l.probability)}</td>
              <td>{l.matchWeight.toFixed(2)}</td>
              <td className="small">{l.rule ?? ''}</td>
              <td>
                <button data-testid="show-waterfall" onClick={() => setSelected(l)}>waterfall</button>{' '}
                <button data-testid="link-different" disabled={busy || !mayReview} title={mayReview ? undefined : NO_REVIEW_RIGHT} onClick={() => act(() => decide(l.a, l.b, 'DIFFERENT'))}>different people</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.clustering.heldApart.length > 0 && (
        <>
          <h2>Links held apart by the clustering</h2>
          <table data-testid="held-apart">
            <thead><tr><th>this identity</th><th>other record</th><th>other identity</th><th>probability</th><th></th></tr></thead>
            <tbody>
              {view.clustering.heldApart.map((h) => (
                <tr key={`${h.recordId}-${h.otherRecordId}`}>
                  <td>{h.recordId}</td><td>{h.otherRecordId}</td>
                  <td>{h.otherMasterId ? <a href={`#/identity/${h.otherMasterId}`}>{h.otherMasterId}</a> : '—'}</td>
                  <td>{fmtP(h.probability)}</td>
                  <td><button data-testid="held-same" disabled={busy || !mayReview} title={mayReview ? undefined : NO_REVIEW_RIGHT} onClick={() => act(() => decide(h.recordId, h.otherRecordId, 'SAME'))}>same person</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>Reviewers' decisions</h2>
      {view.decisions.length === 0 ? <p className="small">None about these records.</p> : (
        <table data-testid="decisions">
          <thead><tr><th>records</th><th>decision</th><th>by</th><th>made</th><th>state</th><th></th></tr></thead>
          <tbody>
            {view.decisions.map((d) => (
              <tr key={d.id} className={d.undoneAt === null ? '' : 'undone'} data-testid={d.undoneAt === null ? 'decision-holding' : 'decision-undone'}>
                <td>{d.a} — {d.b}</td><td>{d.decision === 'SAME' ? 'same person' : 'different people'}</td><td>{d.reviewer ?? ''}</td>
                <td>{fmtTime(d.createdAt)}</td><td>{d.undoneAt === null ? 'holds' : `undone ${fmtTime(d.undoneAt)}`}</td>
                <td>{d.undoneAt === null && <button data-testid="decision-undo" disabled={busy || !mayReview} title={mayReview ? undefined : NO_REVIEW_RIGHT} onClick={() => act(() => undo(d.id))}>undo</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {holding.length > 0 && <p className="small">{holding.length === 1 ? 'One decision holds' : `${holding.length} decisions hold`} for these records; resolve obeys them whatever the scores.</p>}
      <h2>History</h2>
      <table data-testid="history">
        <thead><tr><th>time</th><th>event</th><th>identity</th><th>details</th></tr></thead>
        <tbody>
          {view.history.map((e) => (
            <tr key={e.seq} className={`ev-${e.type.toLowerCase()}`}>
              <td>{fmtTime(e.at)}</td>
              <td>{e.type === 'MEMBERSHIP' ? (e === view.history.find((x) => x.masterId === e.masterId) ? 'CREATED' : 'MEMBERSHIP') : e.type}</td>
              <td>{e.masterId === view.masterId ? e.masterId : <a href={`#/identity/${e.masterId}`}>{e.masterId}</a>}</td>
              <td>{e.type === 'MERGED' ? `merged into ${e.survivorId}` : e.type === 'SPLIT' ? `split off from ${e.splitFrom} with ${plural(e.members)}` : e.type === 'RETIRED' ? 'no records left' : plural(e.members)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Household</h2>
      {view.household.length === 0 ? <p className="small">No other identity at this identity's addresses.</p> : (
        <table data-testid="household">
          <thead><tr><th>identity</th><th>name</th><th>dob</th><th>address</th></tr></thead>
          <tbody>{view.household.map((h) => (
            <tr key={h.masterId}><td><a href={`#/identity/${h.masterId}`}>{h.masterId}</a></td><td>{h.values['given_name'] ?? ''} {h.values['family_name'] ?? ''}</td><td>{h.values['dob'] ?? ''}</td>
              <td>{[h.values['house_number'], h.values['address_line1'], h.values['postcode']].filter(Boolean).join(' ')}</td></tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}

const plural = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;

function rank(f: string): number {
  const i = FIRST.indexOf(f);
  return i < 0 ? FIRST.length : i;
}
