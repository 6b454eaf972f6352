import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PgTokenStore, SCOPES, issueToken } from '@idres/auth';
import { PgSourceStore } from '@idres/sources';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { masterIdOf } from '@idres/core/masterId';
import { FieldSealer } from '@idres/core/fieldSealer';
import { AvroSerde, RawRecordProducer, TOPIC_SPECS, createKafka, createLogger, createProducer, readBaseConfig, servicePorts } from '@idres/runtime';
import { PipelineWatcher } from '../../packages/cli/src/pipelineWatcher';
import { STACK_DIR } from '../../packages/cli/src/repoPaths';
import { servicesDown, servicesUp } from '../../packages/cli/src/serviceSupervisor';
import { PipelineHarness } from './pipelineHarness';

// The web console end to end in a real browser (Debian's chromium, driven by playwright-core) against the real
// stack and the real services as `idres services up` runs them: search, an identity, a waterfall, a pair
// reviewed as "different people" (the identity splits), the decision undone (it merges again).
const CHROMIUM = process.env['IDRES_CHROMIUM'] ?? '/usr/bin/chromium';
const SHOTS = process.env['IDRES_SCREENSHOT_DIR'] ?? path.join(STACK_DIR, 'console-screenshots');
const config = readBaseConfig(process.env, 'test');
const consoleUrl = `http://127.0.0.1:${servicePorts(process.env)['console']}`;
const dataset = loadLabelledDataset('febrl_dataset1');
const ids = dataset.records.map((r) => `c:${r.id}`);

const logger = createLogger('test', 'warn');
const kafka = createKafka({ clientId: 'idres-console-test', brokers: config.kafkaBrokers, logger });
const producer = createProducer(kafka);
const serde = AvroSerde.connect(config.schemaRegistryUrl);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
let watcher: PipelineWatcher | undefined;
let browser: Browser | undefined;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: run bash scripts/ensure-chromium.sh (npm test does)`);
  await servicesDown();
  await PipelineHarness.reset();
  await servicesUp({}, 180_000);
  await serde.registerTopics(TOPIC_SPECS);
  await producer.connect();
  watcher = new PipelineWatcher(kafka, serde, config.groupPrefix, true);
  await watcher.start();
  await new RawRecordProducer(producer, serde).send(dataset.records.map((r) => ({
    source: 'c', sourceRecordId: r.id, attributes: {},
    fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
  })));
  const { settled, progress } = await watcher.waitUntilSettled(ids, { timeoutMs: 300_000, pollMs: 500 });
  assert.ok(settled, `pipeline did not settle: ${JSON.stringify(progress)}`);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await watcher?.stop();
  await producer.disconnect();
  await pool.end();
  await servicesDown();
});

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Reloads the page until the identity's title shows `records` members (resolve applies decisions asynchronously). */
async function waitForMembers(page: Page, masterId: string, records: number): Promise<void> {
  const want = `${records} record${records === 1 ? '' : 's'} ·`;
  for (let i = 0; i < 60; i++) {
    await page.goto(`${consoleUrl}/#/identity/${masterId}`);
    await page.reload();
    const title = await page.getByTestId('identity-title').textContent({ timeout: 5000 }).catch(() => '');
    if (title?.includes(want)) return;
    await page.waitForTimeout(500);
  }
  assert.fail(`${masterId} never showed ${records} records`);
}

test('console: search, identity page, waterfall, review as different people splits the identity, undo merges it again', { timeout: 600_000 }, async () => {
  // A two-record identity: "different people" on its only link must split it.
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const m = watcher!.masterOf.get(id)?.masterId;
    if (m) groups.set(m, [...(groups.get(m) ?? []), id].sort());
  }
  // The first (by master ID) whose first record has a family name to search for: FEBRL leaves some names empty.
  const pairs = [...groups].filter(([, g]) => g.length === 2).sort(([a], [b]) => (a < b ? -1 : 1));
  assert.ok(pairs.length > 0, 'the run has a two-record identity');
  const rows = await pool.query<{ record_id: string; values: Record<string, string> }>('SELECT record_id, values FROM idres_records WHERE record_id = ANY($1)', [pairs.map(([, g]) => g[0]!)]);
  const valuesOf = new Map(rows.rows.map((r) => [r.record_id, r.values]));
  const [masterId, members] = pairs.find(([, g]) => valuesOf.get(g[0]!)?.['family_name']) ?? assert.fail('a two-record identity with a family name');
  const { family_name: family, dob } = valuesOf.get(members[0]!)!;
  assert.ok(family, 'the record has a family name to search for');

  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // Search by name (and date of birth when there is one): the identity is among the results.
  await page.goto(`${consoleUrl}/#/search`);
  await page.getByTestId('search-input').fill(dob ? `${family} ${dob}` : family);
  await page.getByTestId('search-input').press('Enter');
  await page.getByTestId('search-results').waitFor();
  const hit = page.getByTestId('search-hit').filter({ hasText: masterId });
  assert.equal(await hit.count(), 1, `${masterId} is found by its name`);
  await shot(page, '1-search');

  // The identity page: golden record, both members side by side, the link graph, history.
  await hit.click();
  await page.getByTestId('identity-title').filter({ hasText: masterId }).waitFor();
  assert.match((await page.getByTestId('identity-title').textContent()) ?? '', /2 records/);
  assert.equal(await page.locator('[data-testid="members"] thead th').count(), 3, 'a field column and one column per member');
  assert.ok((await page.getByTestId('golden').locator('tbody tr').count()) > 2, 'the golden record has fields');
  assert.equal(await page.getByTestId('graph-edge').count(), 1, 'one link in the graph');
  assert.ok((await page.getByTestId('history').locator('tbody tr').count()) >= 1, 'the history shows the identity being created');
  await shot(page, '2-identity');

  // The waterfall of the link: the prior and one bar per comparison.
  await page.getByTestId('graph-edge').click();
  await page.getByTestId('waterfall').waitFor();
  const terms = await page.getByTestId('waterfall-term').count();
  assert.ok(terms >= 3, `the waterfall shows the prior and the comparisons (${terms} terms)`);
  await page.getByTestId('waterfall-panel').scrollIntoViewIfNeeded();
  await shot(page, '3-waterfall');

  // The global review queue renders (band around the threshold, most uncertain first).
  await page.goto(`${consoleUrl}/#/review`);
  await page.locator('[data-testid="review-item"], [data-testid="review-empty"]').first().waitFor();
  await shot(page, '4-review-queue');

  // Review this identity's pair and press "d": different people.
  await page.goto(`${consoleUrl}/#/identity/${masterId}`);
  await page.getByTestId('review-identity').click();
  await page.getByTestId('review-item').waitFor();
  await shot(page, '5-review-identity-pair');
  await page.keyboard.press('d');
  await page.getByTestId('review-message').filter({ hasText: 'different people' }).waitFor();
  const decisions = await pool.query<{ a: string; b: string; decision: string }>('SELECT a, b, decision FROM idres_overrides WHERE undone_at IS NULL');
  assert.deepEqual(decisions.rows, [{ a: members[0], b: members[1], decision: 'DIFFERENT' }], 'the decision is stored');

  // The identity splits: one record keeps the master ID, the other gets a new one.
  await waitForMembers(page, masterId, 1);
  await page.getByTestId('decision-holding').waitFor();
  await page.getByTestId('history').locator('tr', { hasText: 'SPLIT' }).first().waitFor();
  await shot(page, '6-after-different-people');

  // Undo on the identity page: the two records are one identity again, under the older master ID.
  await page.getByTestId('decision-undo').click();
  await waitForMembers(page, masterId, 2);
  await page.getByTestId('decision-undone').waitFor();
  await page.getByTestId('history').locator('tr', { hasText: 'MERGED' }).first().waitFor();
  await shot(page, '7-after-undo');
  assert.equal(watcher!.masterOf.get(members[0]!)?.masterId, masterId);

  // The pipeline page: each service's readiness, throughput and lag from its own endpoints.
  await page.goto(`${consoleUrl}/#/pipeline`);
  await page.getByTestId('svc-publish').filter({ hasText: 'ready' }).waitFor();
  for (const s of ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish']) {
    assert.match((await page.getByTestId(`svc-${s}`).locator('td').nth(1).textContent()) ?? '', /^ready$/, `${s} is ready`);
  }
  await page.waitForTimeout(2500); // a second reading, so rates show
  await shot(page, '8-pipeline');
  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('console API: bad input gets a clear error with a stable code and changes nothing', async () => {
  const count = async (): Promise<number> => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM idres_overrides')).rows[0]?.n);
  const before = await count();
  const post = (body: unknown) => fetch(`${consoleUrl}/api/overrides`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const code = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: string }).error];
  assert.deepEqual(await code(await post({ a: 'c:x', b: 'c:x', decision: 'SAME' })), [400, 'OVERRIDE_INVALID']);
  assert.deepEqual(await code(await post({ a: 'c:x', b: 'c:y', decision: 'MAYBE' })), [400, 'OVERRIDE_INVALID']);
  assert.deepEqual(await code(await fetch(`${consoleUrl}/api/overrides/987654321`, { method: 'DELETE' })), [404, 'OVERRIDE_NOT_FOUND']);
  assert.deepEqual(await code(await fetch(`${consoleUrl}/api/overrides/abc`, { method: 'DELETE' })), [400, 'OVERRIDE_INVALID']);
  assert.deepEqual(await code(await fetch(`${consoleUrl}/api/search?q=%20`)), [400, 'QUERY_INVALID']);
  assert.deepEqual(await code(await fetch(`${consoleUrl}/api/identities/MDM_9999999999`)), [404, 'IDENTITY_NOT_FOUND']);
  assert.equal(await count(), before, 'no decision was stored by the refused requests');
});

test('console with authentication on: sign-in with an API token, national IDs masked without national_id:read, decisions need reviews:write, jobs on the pipeline page', { timeout: 600_000 }, async () => {
  // Tokens in the stack's own token table (the one the services check); deleted again at the end.
  const store = new PgTokenStore(pool);
  const steward = await issueToken(store, { name: 'console test steward', scopes: [SCOPES.identitiesRead, SCOPES.nationalIdRead, SCOPES.reviewsWrite, SCOPES.recordsWrite] });
  const reader = await issueToken(store, { name: 'console test reader', scopes: [SCOPES.identitiesRead] });
  const writer = await issueToken(store, { name: 'console test writer', scopes: [SCOPES.recordsWrite] });
  const ingestUrl = `http://127.0.0.1:${servicePorts(process.env)['ingest']}`;
  const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    await servicesDown();
    await servicesUp({ IDRES_AUTH: 'required', IDRES_AUTH_CACHE_MS: '0', IDRES_CONSOLE_TOKEN: steward.token }, 180_000);
    // Two records of one person with a national ID, through ingest with the writer's token.
    const person = { given_name: 'Annabel', family_name: 'Okonkwo', dob: '1971-03-09', ssn: '512-44-7831', postcode: '2600' };
    const posted = await fetch(`${ingestUrl}/records`, {
      method: 'POST', headers: { authorization: `Bearer ${writer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ source: 'auth', sourceRecordId: '1', ...person }, { source: 'auth', sourceRecordId: '2', ...person }]),
    });
    assert.ok(posted.ok, `ingest took the records: ${posted.status}`);
    const settled = await watcher!.waitUntilSettled(['auth:1', 'auth:2'], { timeoutMs: 120_000, pollMs: 200 });
    assert.ok(settled.settled, 'the posted records resolved');
    const stored = await pool.query<{ cluster_id: string; ssn: string }>("SELECT cluster_id, values->>'ssn' AS ssn FROM idres_records WHERE record_id = 'auth:1'");
    const found = stored.rows[0] ?? assert.fail('auth:1 is stored');
    // idres services up seals national IDs with the local keyring: Postgres holds the sealed form, the console opens it.
    assert.ok(FieldSealer.isSealed(found.ssn), 'Postgres keeps the national ID sealed');
    const ssn = person.ssn.replace(/\D/g, '');
    const masterId = masterIdOf(Number(found.cluster_id));

    // Without a session the API refuses and the page asks for a token; a writer-only token may not enter.
    assert.equal((await fetch(`${consoleUrl}/api/me`)).status, 401);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${consoleUrl}/#/identity/${masterId}`);
    await page.getByTestId('signin-token').waitFor();
    await page.getByTestId('signin-token').fill(writer.token);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('signin-error').filter({ hasText: 'identities:read' }).waitFor();
    await shot(page, '9-sign-in-refused');

    // A reader: national IDs masked everywhere on the identity page, decision buttons disabled, the API refuses a decision.
    await page.getByTestId('signin-token').fill(reader.token);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('signed-in').filter({ hasText: 'console test reader' }).waitFor();
    await page.getByTestId('identity-title').filter({ hasText: masterId }).waitFor();
    const readerText = (await page.locator('main').textContent()) ?? '';
    assert.ok(!readerText.includes(ssn), 'the reader does not see the national ID in clear');
    assert.ok(readerText.includes(`${'•'.repeat(ssn.length - 4)}${ssn.slice(-4)}`), 'the reader sees it masked');
    const different = page.getByTestId('link-different');
    if (await different.count() > 0) assert.ok(await different.first().isDisabled(), 'the reader cannot mark links');
    const cookies = await context.cookies(consoleUrl);
    const session = cookies.find((c) => c.name === 'idres_console');
    assert.ok(session?.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
    const asReader = { cookie: `idres_console=${session.value}`, 'content-type': 'application/json' };
    const refused = await fetch(`${consoleUrl}/api/overrides`, { method: 'POST', headers: asReader, body: JSON.stringify({ a: 'c:x', b: 'c:y', decision: 'SAME' }) });
    assert.equal(refused.status, 403, 'a decision needs reviews:write');
    await shot(page, '10-reader-masked');

    // Sign out, then in as the steward: the national ID in clear, decisions allowed.
    await page.getByTestId('signout').click();
    await page.getByTestId('signin-token').waitFor();
    await page.getByTestId('signin-token').fill(steward.token);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('signed-in').filter({ hasText: 'console test steward' }).waitFor();
    await page.goto(`${consoleUrl}/#/identity/${masterId}`);
    await page.getByTestId('identity-title').filter({ hasText: masterId }).waitFor();
    assert.ok(((await page.locator('main').textContent()) ?? '').includes(ssn), 'the steward sees the national ID in clear');
    if (await different.count() > 0) assert.ok(await different.first().isEnabled(), 'the steward can mark links');

    // A job submitted to ingest (it runs jobs) shows on the pipeline page with its phase and counts.
    const submitted = await fetch(`${ingestUrl}/jobs`, {
      method: 'POST', headers: { authorization: `Bearer ${writer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'generate', generate: { records: 300, seed: 7, target: 'file' }, outputs: [] }),
    });
    assert.equal(submitted.status, 202, await submitted.clone().text());
    const job = (await submitted.json()) as { id: string };
    await page.goto(`${consoleUrl}/#/pipeline`);
    const row = page.getByTestId(`job-${job.id}`);
    await row.filter({ hasText: 'done' }).waitFor({ timeout: 120_000 });
    assert.match((await row.textContent()) ?? '', /generate/);
    await shot(page, '11-pipeline-jobs');

    // A followed source shows with what idres applied of it and its connector's state in Kafka Connect (not
    // registered there: ABSENT, or UNREACHABLE when Connect is not running), with the commit -> applied lag.
    const sources = new PgSourceStore(pool);
    const sourceName = `consoletest${process.pid}`;
    await sources.put({
      name: sourceName, connector: 'postgres', table: 'public.customers', idColumn: 'id', map: { given_name: 'first_name' }, columnTypes: {},
      connectorName: `idres-source-${sourceName}`, topic: `idres.source.${sourceName}.public.customers`,
      database: { host: '127.0.0.1', port: 5432, dbname: 'idres_source', user: 'idres' }, createdAt: new Date(),
    });
    try {
      const at = new Date();
      await sources.recordProgress(sourceName, { partition: 0, lastOffset: '19', snapshotRows: 0, changes: 12, deletes: 1, rejected: 0, lastSourceTsMs: at.getTime() - 1500, at });
      await page.reload();
      const srcRow = page.getByTestId(`source-${sourceName}`);
      await srcRow.waitFor({ timeout: 30_000 });
      const text = (await srcRow.textContent()) ?? '';
      assert.match(text, /public\.customers/);
      assert.match(text, /ABSENT|UNREACHABLE/, text);
      assert.match(text, /12 \/ 1 \/ 0/, text);
      assert.match(text, /1\.50 s/, text);
      await shot(page, '12-pipeline-sources');
    } finally {
      await sources.remove(sourceName);
    }

    // Revoking the token ends the session at the next request.
    await store.revoke(steward.summary.id);
    await page.reload();
    await page.getByTestId('signin-token').waitFor();
    assert.deepEqual(errors, [], 'no script errors in the page');
  } finally {
    await context.close();
    await pool.query('DELETE FROM idres_api_tokens WHERE id = ANY($1)', [[steward.summary.id, reader.summary.id, writer.summary.id]]);
  }
});
