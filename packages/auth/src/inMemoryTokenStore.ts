import { AuthError } from './authError';
import type { StoredToken, TokenStore, TokenSummary } from './tokenStore';

/** For unit tests of code that uses a TokenStore; passes the same suite as PgTokenStore. */
export class InMemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, StoredToken>();

  async insert(token: StoredToken): Promise<void> {
    this.tokens.set(token.id, { ...token, scopes: [...token.scopes], secretHash: Buffer.from(token.secretHash) });
  }

  async find(id: string): Promise<StoredToken | undefined> {
    const t = this.tokens.get(id);
    return t && { ...t, scopes: [...t.scopes], secretHash: Buffer.from(t.secretHash) };
  }

  async list(): Promise<TokenSummary[]> {
    return [...this.tokens.values()].reverse().map(({ secretHash: _h, ...rest }) => ({ ...rest, scopes: [...rest.scopes] }));
  }

  async revoke(id: string): Promise<void> {
    const t = this.tokens.get(id);
    if (!t) throw new AuthError('TOKEN_UNKNOWN', `no token ${id}`);
    t.revokedAt ??= new Date();
  }

  async anyCreated(): Promise<boolean> {
    return this.tokens.size > 0;
  }
}
