import { AuthError } from './authError';
import { generateToken, parseToken, secretMatches } from './apiToken';
import { SCOPE_PATTERN } from './scopes';
import type { TokenStore, TokenSummary } from './tokenStore';

/** Who is calling, once a token checked out (or the anonymous caller when auth is off). */
export interface Principal {
  /** null for the anonymous caller of an API whose auth is off. */
  tokenId: string | null;
  name: string;
  scopes: ReadonlySet<string>;
  /** Auth off: every scope is granted. */
  allScopes: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({ tokenId: null, name: 'anonymous (auth off)', scopes: new Set<string>(), allScopes: true });

export function principalHas(p: Principal, scope: string): boolean {
  return p.allScopes || p.scopes.has(scope);
}

export function checkScopes(scopes: readonly string[], known?: readonly string[]): string[] {
  if (scopes.length === 0) throw new AuthError('SCOPE_INVALID', 'a token needs at least one scope');
  for (const s of scopes) {
    if (!SCOPE_PATTERN.test(s)) throw new AuthError('SCOPE_INVALID', `scope "${s}" is not of the form noun:verb`);
    if (known && !known.includes(s)) throw new AuthError('SCOPE_INVALID', `unknown scope "${s}" (known: ${known.join(', ')})`);
  }
  return [...new Set(scopes)].sort();
}

/** Creates a token; the returned `token` is the only time its secret exists outside the caller. */
export async function issueToken(store: TokenStore, opts: { name: string; scopes: readonly string[]; knownScopes?: readonly string[] }): Promise<{ token: string; summary: TokenSummary }> {
  if (!/^[\w .@:-]{1,100}$/.test(opts.name)) throw new AuthError('TOKEN_NAME_INVALID', 'a token name is 1-100 letters, digits, spaces or . _ @ : -');
  const scopes = checkScopes(opts.scopes, opts.knownScopes);
  const { token, id, secretHash } = generateToken();
  const summary: TokenSummary = { id, name: opts.name, scopes, createdAt: new Date(), revokedAt: null };
  await store.insert({ ...summary, secretHash });
  return { token, summary };
}

/** The principal a presented token stands for, or undefined (malformed, unknown, wrong secret or revoked). */
export async function verifyToken(store: TokenStore, token: string): Promise<Principal | undefined> {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  const stored = await store.find(parsed.id);
  if (!stored || !secretMatches(parsed.secret, stored.secretHash) || stored.revokedAt !== null) return undefined;
  return { tokenId: stored.id, name: stored.name, scopes: new Set(stored.scopes), allScopes: false };
}
