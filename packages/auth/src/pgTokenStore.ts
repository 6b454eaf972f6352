import type pg from 'pg';
import { schemaOnce } from '@idres/pgschema';
import { AuthError } from './authError';
import type { StoredToken, TokenStore, TokenSummary } from './tokenStore';

export const TOKEN_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS idres_api_tokens (
  id          text PRIMARY KEY,
  seq         bigserial,
  name        text NOT NULL,
  scopes      text[] NOT NULL,
  secret_hash bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
`;

interface Row { id: string; name: string; scopes: string[]; secret_hash?: Buffer; created_at: Date; revoked_at: Date | null }

/** Tokens kept in the same Postgres as resolve's state; the table is created on first use. */
export class PgTokenStore implements TokenStore {
  /** The tables, created once per process under an advisory lock (several processes may start at once). */
  private readonly ensure: () => Promise<void>;
  constructor(private readonly pool: pg.Pool) {
    this.ensure = schemaOnce(pool, 74202, TOKEN_SCHEMA_SQL);
  }

  async insert(t: StoredToken): Promise<void> {
    await this.ensure();
    await this.pool.query(
      'INSERT INTO idres_api_tokens (id, name, scopes, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [t.id, t.name, t.scopes, t.secretHash, t.createdAt, t.revokedAt],
    );
  }

  async find(id: string): Promise<StoredToken | undefined> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT id, name, scopes, secret_hash, created_at, revoked_at FROM idres_api_tokens WHERE id = $1', [id]);
    const row = r.rows[0];
    return row && { ...summary(row), secretHash: row.secret_hash ?? Buffer.alloc(0) };
  }

  async list(): Promise<TokenSummary[]> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT id, name, scopes, created_at, revoked_at FROM idres_api_tokens ORDER BY seq DESC');
    return r.rows.map(summary);
  }

  async revoke(id: string): Promise<void> {
    await this.ensure();
    const r = await this.pool.query('UPDATE idres_api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [id]);
    if (r.rowCount === 0) throw new AuthError('TOKEN_UNKNOWN', `no token ${id}`);
  }

  async anyCreated(): Promise<boolean> {
    await this.ensure();
    const r = await this.pool.query('SELECT 1 FROM idres_api_tokens LIMIT 1');
    return (r.rowCount ?? 0) > 0;
  }
}

function summary(row: Row): TokenSummary {
  return { id: row.id, name: row.name, scopes: [...row.scopes], createdAt: row.created_at, revokedAt: row.revoked_at };
}
