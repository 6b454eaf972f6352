// Who gets into the console, table-driven over the sign-in rules: the same modes as the APIs (off, auto, required),
// identities:read to enter, national_id:read and reviews:write for what a user sees and may do, revocation, and
// an unreachable token store (refused, never let in). The browser test (test/integration/consoleAuth.test.ts)
// signs in through the real page, cookie and Postgres store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTokenStore, SCOPES, TokenGate, issueToken, type AuthMode, type TokenStore } from '@idres/auth';
import { ANONYMOUS, isRefusal, tokenAccess, type ConsoleRefusal, type ConsoleUser } from '../src/consoleAuth';

const ALL = [SCOPES.identitiesRead, SCOPES.nationalIdRead, SCOPES.reviewsWrite];

interface Case {
  name: string;
  mode: AuthMode;
  /** Scopes of a token created before the check; undefined: no token exists at all. */
  scopes?: string[];
  present: 'none' | 'valid' | 'garbage' | 'revoked';
  want: ConsoleUser | ConsoleRefusal['code'];
}

const CASES: Case[] = [
  { name: 'off: anyone, with every right', mode: 'off', scopes: ALL, present: 'none', want: ANONYMOUS },
  { name: 'auto before any token exists: open', mode: 'auto', present: 'none', want: ANONYMOUS },
  { name: 'auto once a token exists: a sign-in is needed', mode: 'auto', scopes: ALL, present: 'none', want: 'UNAUTHENTICATED' },
  { name: 'required with no token at all: closed', mode: 'required', present: 'none', want: 'UNAUTHENTICATED' },
  { name: 'garbage token', mode: 'required', scopes: ALL, present: 'garbage', want: 'TOKEN_INVALID' },
  { name: 'revoked token', mode: 'required', scopes: ALL, present: 'revoked', want: 'TOKEN_INVALID' },
  { name: 'a writer-only token may not enter', mode: 'required', scopes: [SCOPES.recordsWrite], present: 'valid', want: 'FORBIDDEN' },
  { name: 'identities:read only: national IDs masked, no review', mode: 'required', scopes: [SCOPES.identitiesRead], present: 'valid', want: { name: 't', signedIn: true, seesNationalIds: false, mayReview: false } },
  { name: 'with reviews:write: may review, IDs still masked', mode: 'auto', scopes: [SCOPES.identitiesRead, SCOPES.reviewsWrite], present: 'valid', want: { name: 't', signedIn: true, seesNationalIds: false, mayReview: true } },
  { name: 'every scope', mode: 'required', scopes: ALL, present: 'valid', want: { name: 't', signedIn: true, seesNationalIds: true, mayReview: true } },
];

for (const c of CASES) {
  test(`console sign-in: ${c.name}`, async () => {
    const store = new InMemoryTokenStore();
    let token: string | undefined;
    if (c.scopes) {
      const issued = await issueToken(store, { name: 't', scopes: c.scopes });
      token = issued.token;
      if (c.present === 'revoked') await store.revoke(issued.summary.id);
    }
    const presented = c.present === 'none' ? undefined : c.present === 'garbage' ? 'idres_not_a_token' : token;
    const got = await tokenAccess(new TokenGate({ mode: c.mode, store, cacheMs: 0 })).check(presented);
    if (typeof c.want === 'string') {
      assert.ok(isRefusal(got), `expected ${c.want}, got a user`);
      assert.equal(got.code, c.want);
      assert.equal(got.status, c.want === 'FORBIDDEN' ? 403 : 401);
    } else {
      assert.deepEqual(got, c.want);
    }
  });
}

test('console sign-in: a token revoked after sign-in stops working once the cache time has passed', async () => {
  const store = new InMemoryTokenStore();
  const { token, summary } = await issueToken(store, { name: 't', scopes: ALL });
  const access = tokenAccess(new TokenGate({ mode: 'required', store, cacheMs: 50 }));
  assert.ok(!isRefusal(await access.check(token)));
  await store.revoke(summary.id);
  await new Promise((r) => setTimeout(r, 80));
  const after = await access.check(token);
  assert.ok(isRefusal(after) && after.code === 'TOKEN_INVALID');
});

test('console sign-in: an unreachable token store refuses with 503 (auto and required), never lets in', async () => {
  const down: TokenStore = {
    insert: () => Promise.reject(new Error('down')), find: () => Promise.reject(new Error('down')), list: () => Promise.reject(new Error('down')),
    revoke: () => Promise.reject(new Error('down')), anyCreated: () => Promise.reject(new Error('down')),
  };
  // A well-formed token (from another store), so the check gets as far as asking the store.
  const { token } = await issueToken(new InMemoryTokenStore(), { name: 't', scopes: ALL });
  for (const mode of ['auto', 'required'] as const) {
    const got = await tokenAccess(new TokenGate({ mode, store: down, cacheMs: 0 })).check(token);
    assert.ok(isRefusal(got), mode);
    assert.equal(got.status, 503);
  }
});
