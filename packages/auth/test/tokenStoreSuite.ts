import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueToken, verifyToken } from '../src/tokens';
import { KNOWN_SCOPES } from '../src/scopes';
import type { TokenStore } from '../src/tokenStore';

/** One suite for every TokenStore implementation (in-memory in unit tests, Postgres in integration tests). */
export function tokenStoreSuite(name: string, make: () => Promise<TokenStore>): void {
  test(`${name}: an empty store has no tokens and none was ever created`, async () => {
    const s = await make();
    assert.deepEqual(await s.list(), []);
    assert.equal(await s.anyCreated(), false);
  });

  test(`${name}: a created token verifies with its scopes; the store keeps only a hash`, async () => {
    const s = await make();
    const { token, summary } = await issueToken(s, { name: 'crm feed', scopes: ['records:write', 'identities:read', 'records:write'], knownScopes: KNOWN_SCOPES });
    assert.match(token, /^idres_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(summary.scopes, ['identities:read', 'records:write']);
    const p = await verifyToken(s, token);
    assert.equal(p?.tokenId, summary.id);
    assert.deepEqual([...(p?.scopes ?? [])].sort(), ['identities:read', 'records:write']);
    assert.equal(p?.allScopes, false);
    const stored = await s.find(summary.id);
    assert.ok(stored && stored.secretHash.length === 32, 'a 32-byte SHA-256 is stored');
    // The secret is base64url, which may itself hold '_': it is everything after the id.
    const secret = token.slice('idres_'.length + 16 + 1);
    assert.equal(secret.length, 43);
    assert.ok(!stored.secretHash.toString('latin1').includes(secret), 'the secret itself is not stored');
    assert.equal(await s.anyCreated(), true);
    const list = await s.list();
    assert.equal(list.length, 1);
    assert.ok(!('secretHash' in list[0]!), 'list shows no hash');
  });

  test(`${name}: wrong secret, unknown id and malformed tokens do not verify`, async () => {
    const s = await make();
    const { token } = await issueToken(s, { name: 'a', scopes: ['identities:read'] });
    const id = token.slice('idres_'.length, 'idres_'.length + 16);
    const secret = token.slice('idres_'.length + 16 + 1);
    const flipped = `idres_${id}_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(await verifyToken(s, flipped), undefined);
    assert.equal(await verifyToken(s, `idres_${'0'.repeat(16)}_${secret}`), undefined);
    for (const bad of ['', 'Bearer', token.slice(0, -1), `${token}x`, token.toUpperCase()]) assert.equal(await verifyToken(s, bad), undefined, bad);
  });

  test(`${name}: a revoked token stops verifying; revoking an unknown id fails with TOKEN_UNKNOWN`, async () => {
    const s = await make();
    const a = await issueToken(s, { name: 'a', scopes: ['identities:read'] });
    const b = await issueToken(s, { name: 'b', scopes: ['records:write'] });
    await s.revoke(a.summary.id);
    await s.revoke(a.summary.id); // twice is fine
    assert.equal(await verifyToken(s, a.token), undefined);
    assert.equal((await verifyToken(s, b.token))?.name, 'b');
    const list = await s.list();
    assert.deepEqual(list.map((t) => [t.name, t.revokedAt !== null]), [['b', false], ['a', true]], 'newest first, revoked ones kept');
    assert.equal(await s.anyCreated(), true, 'revoked tokens still count as created');
    await assert.rejects(s.revoke('ffffffffffffffff'), (e: Error & { code?: string }) => e.code === 'TOKEN_UNKNOWN');
  });

  test(`${name}: bad scopes and names are refused with stable codes`, async () => {
    const s = await make();
    await assert.rejects(issueToken(s, { name: 'x', scopes: [] }), (e: Error & { code?: string }) => e.code === 'SCOPE_INVALID');
    await assert.rejects(issueToken(s, { name: 'x', scopes: ['Records'] }), (e: Error & { code?: string }) => e.code === 'SCOPE_INVALID');
    await assert.rejects(issueToken(s, { name: 'x', scopes: ['jobs:fly'], knownScopes: KNOWN_SCOPES }), (e: Error & { code?: string }) => e.code === 'SCOPE_INVALID');
    await assert.rejects(issueToken(s, { name: '', scopes: ['identities:read'] }), (e: Error & { code?: string }) => e.code === 'TOKEN_NAME_INVALID');
    assert.equal(await s.anyCreated(), false);
  });
}
