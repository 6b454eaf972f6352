// Authentication and authorization of every HTTP API against real services: ingest and publish built from their
// app.ts exactly as main.ts builds them (withAuth + the Postgres token store, IDRES_AUTH=required), on loopback
// ports, with the real Kafka, registry and Postgres; records POSTed with a token go through the whole pipeline and
// the lookup API masks national IDs unless the caller holds national_id:read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { SCOPES, authOptions, issueToken, readAuthConfig, withAuth, type PgTokenStore } from '@idres/auth';
import { createHttpServer, createMetrics, type ServiceApp } from '@idres/runtime';
import { readFileSync } from 'node:fs';
import { loadModel, type ModelJson } from '@idres/core';
import { buildIngestApp } from '../../services/ingest/src/app';
import { buildPublishApp } from '../../services/publish/src/app';
import { PipelineHarness } from './pipelineHarness';
import { testTokenStore } from './authStore';
import { ERASURE_OPENAPI_PATHS, Eraser, KafkaErasureTopics, PgErasureLog, PgRedisRecordStores, erasureRoutes } from '@idres/erasure';

let h: PipelineHarness;
let store: PgTokenStore;
let pool: pg.Pool;
const servers: FastifyInstance[] = [];
let ingest = '';
let publish = '';
const tokens: Record<'write' | 'read' | 'readClear' | 'erase' | 'revoked', string> = { write: '', read: '', readClear: '', erase: '', revoked: '' };

async function serve(app: ServiceApp): Promise<string> {
  const metrics = createMetrics('auth-test');
  const http = createHttpServer({ metrics, isReady: () => true });
  withAuth(app, authOptions(readAuthConfig({ IDRES_AUTH: 'required', IDRES_AUTH_CACHE_MS: '0' }), store)).routes?.(http);
  await http.listen({ host: '127.0.0.1', port: 0 });
  servers.push(http);
  return `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
}

before(async () => {
  await PipelineHarness.reset();
  ({ store, pool } = await testTokenStore());
  tokens.write = (await issueToken(store, { name: 'writer', scopes: [SCOPES.recordsWrite] })).token;
  tokens.read = (await issueToken(store, { name: 'reader', scopes: [SCOPES.identitiesRead] })).token;
  tokens.readClear = (await issueToken(store, { name: 'clear reader', scopes: [SCOPES.identitiesRead, SCOPES.nationalIdRead] })).token;
  tokens.erase = (await issueToken(store, { name: 'eraser', scopes: [SCOPES.recordsErase] })).token;
  const revoked = await issueToken(store, { name: 'gone', scopes: [SCOPES.recordsWrite, SCOPES.identitiesRead] });
  await store.revoke(revoked.summary.id);
  tokens.revoked = revoked.token;
  h = new PipelineHarness();
  const model = JSON.parse(readFileSync(new URL('../../packages/core/models/default.json', import.meta.url), 'utf8')) as ModelJson;
  await h.start(loadModel(model), model.threshold);
  // With the erasure API, wired as ingest's main.ts wires it.
  const erasureLog = new PgErasureLog(h.pool);
  const eraser = new Eraser({ log: erasureLog, topics: new KafkaErasureTopics({ kafka: h.kafka, producer: h.producer, serde: h.serde }), stores: new PgRedisRecordStores(h.pool) });
  ingest = await serve(buildIngestApp({
    producer: h.producer, serde: h.serde, metrics: createMetrics('ingest-auth-test'), maxRecordsPerRequest: 100,
    erasure: { routes: erasureRoutes({ eraser, log: erasureLog }), openapi: { paths: ERASURE_OPENAPI_PATHS } },
  }));
  // The routes of a publish app (its consumer is the harness's own, already running).
  publish = await serve(buildPublishApp({
    kafka: h.kafka, producer: h.producer, serde: h.serde, logger: h.logger, metrics: createMetrics('publish-auth-test'),
    groupPrefix: `${h.groupPrefix}.unused`, batchSize: 100, partitionsConsumedConcurrently: 1,
  }, h.pool));
});

after(async () => {
  for (const s of servers) await s.close();
  await h?.stop();
  await pool?.end();
});

const call = (url: string, token: string | undefined, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) } });

const people = [
  { source: 'auth', sourceRecordId: 'p1', given_name: 'William', family_name: 'Okafor', dob: '1979-04-12', ssn: '483-21-7156', postcode: '10027' },
  { source: 'auth', sourceRecordId: 'p2', given_name: 'William', family_name: 'Okafor', dob: '1979-04-12', ssn: '483217156', postcode: '10027' },
];

test('every endpoint: 401 without a token or with a revoked/bad one, 403 with the wrong scope, open paths stay open', async () => {
  const endpoints: Array<{ name: string; url: string; init?: RequestInit; scope: keyof typeof tokens; wrong: keyof typeof tokens }> = [
    { name: 'POST /records', url: `${ingest}/records`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }, scope: 'write', wrong: 'read' },
    { name: 'DELETE /records/:source/:id', url: `${ingest}/records/auth/nobody`, init: { method: 'DELETE' }, scope: 'write', wrong: 'readClear' },
    { name: 'GET /identities/:masterId', url: `${publish}/identities/MDM_0000000001`, scope: 'read', wrong: 'write' },
    { name: 'GET /records/:source/:id/identity', url: `${publish}/records/auth/p1/identity`, scope: 'read', wrong: 'write' },
    { name: 'GET /identities?family_name=', url: `${publish}/identities?family_name=OKAFOR`, scope: 'read', wrong: 'write' },
    { name: 'POST /erasures', url: `${ingest}/erasures`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"source":"auth","sourceRecordId":"nobody"}' }, scope: 'erase', wrong: 'write' },
    { name: 'GET /erasures/:id', url: `${ingest}/erasures/1`, scope: 'erase', wrong: 'readClear' },
    { name: 'GET /erasures', url: `${ingest}/erasures`, scope: 'erase', wrong: 'write' },
  ];
  for (const e of endpoints) {
    const none = await call(e.url, undefined, e.init);
    assert.equal(none.status, 401, `${e.name} without a token`);
    assert.equal(((await none.json()) as { error: string }).error, 'UNAUTHENTICATED');
    assert.equal((await call(e.url, tokens.revoked, e.init)).status, 401, `${e.name} with a revoked token`);
    assert.equal((await call(e.url, `${tokens[e.scope]}x`, e.init)).status, 401, `${e.name} with a bad token`);
    const wrong = await call(e.url, tokens[e.wrong], e.init);
    assert.equal(wrong.status, 403, `${e.name} with the wrong scope`);
    assert.equal(((await wrong.json()) as { error: string }).error, 'FORBIDDEN');
    const ok = await call(e.url, tokens[e.scope], e.init);
    assert.ok([200, 202, 404].includes(ok.status), `${e.name} with the right scope answers (${ok.status})`);
  }
  for (const base of [ingest, publish]) {
    for (const p of ['/health', '/ready', '/metrics', '/openapi.json']) assert.equal((await fetch(`${base}${p}`)).status, 200, `${base}${p} is open`);
  }
});

test('records posted with a write token are resolved; the lookup API masks the SSN unless the caller has national_id:read', { timeout: 180_000 }, async () => {
  const posted = await call(`${ingest}/records`, tokens.write, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(people) });
  assert.equal(posted.status, 200);
  assert.equal(((await posted.json()) as { accepted: number }).accepted, 2);
  await h.waitForIdentities(['auth:p1', 'auth:p2']);
  const master = h.watcher.masterOf.get('auth:p1')!.masterId;
  type View = { golden: { fields: Record<string, string> }; members: Array<{ values: Record<string, string> }> };
  const masked = (await (await call(`${publish}/identities/${master}`, tokens.read)).json()) as View;
  assert.equal(masked.golden.fields['ssn'], '***-**-7156');
  assert.ok(masked.members.length > 0 && masked.members.every((m) => m.values['ssn'] === '***-**-7156'));
  assert.ok(!JSON.stringify(masked).includes('483217156') && !JSON.stringify(masked).includes('483-21-7156'), 'no clear SSN anywhere in the masked answer');
  const clear = (await (await call(`${publish}/identities/${master}`, tokens.readClear)).json()) as View;
  assert.match(clear.golden.fields['ssn'] ?? '', /^483-?21-?7156$/);
  const search = (await (await call(`${publish}/identities?family_name=Okafor`, tokens.read)).json()) as { results: Array<{ values: Record<string, string> }> };
  assert.ok(search.results.length >= 1 && search.results.every((r) => r.values['ssn'] === '***-**-7156'));
  const searchClear = (await (await call(`${publish}/identities?family_name=Okafor`, tokens.readClear)).json()) as { results: Array<{ values: Record<string, string> }> };
  assert.ok(searchClear.results.every((r) => /^483-?21-?7156$/.test(r.values['ssn'] ?? '')));
});
