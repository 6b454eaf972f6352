import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { AuthError, KNOWN_SCOPES, PgTokenStore, issueToken, verifyToken, type TokenSummary } from '@idres/auth';
import { CliError } from './cliError';
import { STACK_DIR } from './repoPaths';

/** Where the demo keeps its token for the local stack (mode 0600; .stack/ is not committed). */
export const LOCAL_TOKEN_FILE = path.join(STACK_DIR, 'api-token');

export async function withTokenStore<T>(databaseUrl: string, fn: (store: PgTokenStore) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    return await fn(new PgTokenStore(pool));
  } catch (err) {
    throw err instanceof AuthError ? new CliError(err.code, err.message) : err;
  } finally {
    await pool.end();
  }
}

export async function createToken(databaseUrl: string, name: string, scopes: readonly string[]): Promise<{ token: string; summary: TokenSummary }> {
  return withTokenStore(databaseUrl, (s) => issueToken(s, { name, scopes, knownScopes: KNOWN_SCOPES }));
}

export function formatTokenList(list: readonly TokenSummary[]): string {
  if (list.length === 0) return 'no API tokens (with IDRES_AUTH=auto, the default outside production, the APIs are open until one is created)\n';
  return list.map((t) => `${t.id}  ${t.createdAt.toISOString()}  ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'.padEnd(32)}  ${t.name}  [${t.scopes.join(' ')}]`).join('\n') + '\n';
}

/** Every scope: the local developer's token. */
const DEMO_SCOPES = KNOWN_SCOPES;

/**
 * The demo's token for the local stack: the one in .stack/api-token if it still verifies (and holds every scope),
 * else a new one written there. Creating it turns auth on (auto mode) for the local services.
 */
export async function ensureLocalToken(databaseUrl: string): Promise<{ token: string; created: boolean }> {
  return withTokenStore(databaseUrl, async (store) => {
    const existing = existsSync(LOCAL_TOKEN_FILE) ? readFileSync(LOCAL_TOKEN_FILE, 'utf8').trim() : '';
    if (existing) {
      const p = await verifyToken(store, existing);
      if (p && DEMO_SCOPES.every((s) => p.scopes.has(s))) return { token: existing, created: false };
    }
    const { token } = await issueToken(store, { name: 'local demo', scopes: DEMO_SCOPES, knownScopes: KNOWN_SCOPES });
    mkdirSync(path.dirname(LOCAL_TOKEN_FILE), { recursive: true });
    writeFileSync(LOCAL_TOKEN_FILE, `${token}\n`, { mode: 0o600 });
    chmodSync(LOCAL_TOKEN_FILE, 0o600);
    return { token, created: true };
  });
}
