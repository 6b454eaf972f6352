/** A stored API token: never the token itself, only its id and the SHA-256 of its secret. */
export interface StoredToken {
  id: string;
  name: string;
  scopes: string[];
  secretHash: Buffer;
  createdAt: Date;
  revokedAt: Date | null;
}

/** What `idres auth list` shows: no hash. */
export type TokenSummary = Omit<StoredToken, 'secretHash'>;

/**
 * Where hashed API tokens are kept. Revoked tokens stay (with revokedAt), so "a token was ever created" stays
 * true after the last one is revoked: auth in `auto` mode never falls back to open.
 */
export interface TokenStore {
  insert(token: StoredToken): Promise<void>;
  /** The token with this id, revoked or not. */
  find(id: string): Promise<StoredToken | undefined>;
  /** Newest first. */
  list(): Promise<TokenSummary[]>;
  /** Sets revokedAt; fails with TOKEN_UNKNOWN for an unknown id. Revoking twice keeps the first time. */
  revoke(id: string): Promise<void>;
  /** Whether any token, even a revoked one, was ever created. */
  anyCreated(): Promise<boolean>;
}
