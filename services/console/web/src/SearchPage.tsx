import { useEffect, useState } from 'react';
import { api, type SearchResult } from './api';

const SHOWN = ['given_name', 'family_name', 'dob', 'city', 'postcode', 'ssn', 'phone', 'email'];

export function SearchPage({ q }: { q: string }) {
  const [text, setText] = useState(q);
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(q);
    if (q === '') { setResults(null); return; }
    setError(null);
    api<{ results: SearchResult[] }>(`/api/search?q=${encodeURIComponent(q)}`).then((r) => setResults(r.results), (e: Error) => { setResults(null); setError(e.message); });
  }, [q]);
  return (
    <section>
      <h1>Search identities</h1>
      <form onSubmit={(e) => { e.preventDefault(); window.location.hash = `#/search?q=${encodeURIComponent(text)}`; }}>
        <input data-testid="search-input" autoFocus size={60} value={text} onChange={(e) => setText(e.target.value)}
          placeholder="name, date of birth (1980-02-01), SSN, phone, email, record ID (source:id) or master ID (MDM_…)" />
        <button type="submit">Search</button>
      </form>
      {error && <p className="error">{error}</p>}
      {results && <p>{results.length === 0 ? 'No identity matches.' : `${results.length} identit${results.length === 1 ? 'y' : 'ies'}`}</p>}
      {results && results.length > 0 && (
        <table data-testid="search-results">
          <thead><tr><th>master ID</th><th>records</th>{SHOWN.map((f) => <th key={f}>{f}</th>)}<th>matched</th></tr></thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.masterId}>
                <td><a data-testid="search-hit" href={`#/identity/${r.masterId}`}>{r.masterId}</a></td>
                <td>{r.size}</td>
                {SHOWN.map((f) => <td key={f}>{r.golden[f] ?? ''}</td>)}
                <td className="small">{r.matched.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
