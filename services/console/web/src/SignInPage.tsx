import { useState, type FormEvent } from 'react';
import { signIn, type Me } from './api';

/**
 * Sign-in with an API token (npx idres auth create --name NAME --scopes identities:read[,national_id:read,reviews:write]).
 * The server keeps it in an HttpOnly cookie; this page forgets it once sent.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const me = await signIn(token);
      setToken('');
      onSignedIn(me);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <h1>Sign in</h1>
      <p>This console needs an API token with the scope <code>identities:read</code>; <code>national_id:read</code> shows
        national IDs in clear and <code>reviews:write</code> lets you record decisions. Create one with{' '}
        <code>npx idres auth create --name YOU --scopes identities:read,reviews:write</code> (the local demo's token, with every scope, is in <code>.stack/api-token</code>).</p>
      <form onSubmit={(e) => void submit(e)}>
        <input data-testid="signin-token" type="password" autoComplete="off" placeholder="idres_…" value={token} onChange={(e) => setToken(e.target.value)} size={60} />{' '}
        <button data-testid="signin-submit" type="submit" disabled={busy || token.trim() === ''}>sign in</button>
      </form>
      {error && <p className="error" data-testid="signin-error">{error}</p>}
    </section>
  );
}
