import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { IdentityPage } from './IdentityPage';
import { PipelinePage } from './PipelinePage';
import { ReviewPage } from './ReviewPage';
import { SearchPage } from './SearchPage';
import './styles.css';

/** Hash routes (#/search?q=, #/identity/MDM_…, #/review, #/pipeline): the server serves one static page. */
function useRoute(): { path: string[]; params: URLSearchParams } {
  const read = () => {
    const h = window.location.hash.replace(/^#\/?/, '');
    const [p = '', q = ''] = h.split('?');
    return { path: p.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function App() {
  const { path, params } = useRoute();
  const page = path[0] ?? 'search';
  return (
    <>
      <header>
        <strong>idres console</strong>
        <nav>
          <a href="#/search" className={page === 'search' ? 'on' : ''}>Search</a>
          <a href="#/review" className={page === 'review' ? 'on' : ''}>Review queue</a>
          <a href="#/pipeline" className={page === 'pipeline' ? 'on' : ''}>Pipeline</a>
        </nav>
      </header>
      <main>
        {page === 'identity' && path[1] ? <IdentityPage masterId={path[1]} /> :
          page === 'review' ? <ReviewPage identity={params.get('identity') ?? undefined} /> :
          page === 'pipeline' ? <PipelinePage /> :
          <SearchPage q={params.get('q') ?? ''} />}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
