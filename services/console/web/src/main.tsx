import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, SIGNED_OUT_EVENT, api, signOut, type Me } from './api';
import { IdentityPage } from './IdentityPage';
import { MeContext } from './me';
import { PipelinePage } from './PipelinePage';
import { ReviewPage } from './ReviewPage';
import { SearchPage } from './SearchPage';
import { SignInPage } from './SignInPage';
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

/** Who is signed in: undefined while asking, null when the console wants a sign-in. */
function useMe(): [Me | null | undefined, (me: Me | null) => void] {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    api<Me>('/api/me').then(setMe, (e: unknown) => { if (e instanceof ApiError && e.status === 401) setMe(null); else setMe(undefined); });
    const out = () => setMe(null);
    window.addEventListener(SIGNED_OUT_EVENT, out);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, out);
  }, []);
  return [me, setMe];
}

function App() {
  const { path, params } = useRoute();
  const [me, setMe] = useMe();
  const page = path[0] ?? 'search';
  if (me === undefined) return <main><p>loading…</p></main>;
  if (me === null) return <><header><strong>idres console</strong></header><main><SignInPage onSignedIn={setMe} /></main></>;
  return (
    <MeContext.Provider value={me}>
      <header>
        <strong>idres console</strong>
        <nav>
          <a href="#/search" className={page === 'search' ? 'on' : ''}>Search</a>
          <a href="#/review" className={page === 'review' ? 'on' : ''}>Review queue</a>
          <a href="#/pipeline" className={page === 'pipeline' ? 'on' : ''}>Pipeline</a>
        </nav>
        {me.signedIn && (
          <span className="small user" data-testid="signed-in">
            {me.name}{me.seesNationalIds ? '' : ' · national IDs masked'}{me.mayReview ? '' : ' · read only'}{' '}
            <button data-testid="signout" onClick={() => void signOut().then(() => setMe(null))}>sign out</button>
          </span>
        )}
      </header>
      <main>
        {page === 'identity' && path[1] ? <IdentityPage masterId={path[1]} /> :
          page === 'review' ? <ReviewPage identity={params.get('identity') ?? undefined} /> :
          page === 'pipeline' ? <PipelinePage /> :
          <SearchPage q={params.get('q') ?? ''} />}
      </main>
    </MeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
