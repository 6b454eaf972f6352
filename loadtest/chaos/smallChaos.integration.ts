import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STACK_DIR } from '../../packages/cli/src/repoPaths';
import { servicesDown, servicesStatus } from '../../packages/cli/src/serviceSupervisor';
import { ALL_FAULTS, ensureStackHealthy, runChaos } from './chaos';

// The small chaos run (npm run chaos): 10,000 records through the real stack and the six supervised services,
// one fault of each kind (kill -9 of every service, Kafka, Postgres and Redis; a fast Postgres restart; Redis
// restarted empty), against an undisturbed run of the same file. Uses the stack the test run exports; leaves
// every component running, and the services as it found them.
const rebuilds = (): number => {
  const f = path.join(STACK_DIR, 'services', 'block.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('block state rebuilt from identity.standardized').length - 1 : 0;
};

test('chaos: nothing lost or doubled under kill -9 of every part, same identities as an undisturbed run', { timeout: 1_800_000 }, async () => {
  const servicesWereUp = (await servicesStatus()).every((s) => s.pid !== undefined);
  // A crashed member's partitions move after the session timeout: 10 s instead of 30 keeps this under 5 minutes.
  process.env['IDRES_KAFKA_SESSION_TIMEOUT_MS'] ??= '10000';
  // A restarted Kafka replays its logs first; on a busy 2-core machine that took over the stack's default 120 s.
  process.env['IDRES_STACK_TIMEOUT'] ??= '300';
  const workDir = path.join(STACK_DIR, 'chaos');
  mkdirSync(workDir, { recursive: true });
  const rebuildsBefore = rebuilds();
  try {
    const report = await runChaos({ records: 10_000, seed: 11, workDir, settleTimeoutMs: 300_000, log: () => undefined });
    const summary = JSON.stringify({ ...report, faults: report.faults.map((f) => `${f.fault}:${f.recoverySeconds}s${f.crashed.length ? ` crashed ${f.crashed.join(',')}` : ''}`) });
    process.stderr.write(`chaos report: ${summary}\n`);
    assert.equal(report.faultsInjected, ALL_FAULTS.length, summary);
    assert.deepEqual(report.crashes, [], summary);
    assert.ok(report.faults.every((f) => f.recoverySeconds >= 0), `a fault never recovered: ${summary}`);
    assert.equal(report.recordsLost, 0, summary);
    assert.equal(report.recordsWithTwoIdentities, 0, summary);
    assert.ok(report.viewsAgree, `golden, identity.resolved and Postgres disagree: ${summary}`);
    assert.ok(report.goldenOnePerIdentity, `identity.golden is not one current record per identity: ${summary}`);
    assert.ok(report.partitionEqual, `partition differs from the undisturbed run: ${summary}`);
    assert.ok(report.quarantineOnlyBadInput, summary);
    assert.equal(report.lagAtEnd, 0, summary);
    assert.ok(report.baseline.identities > 0 && report.baseline.identities < report.records, `the file has duplicates to find: ${summary}`);
    // The empty Redis was noticed and rebuilt from identity.standardized, not silently matched against nothing.
    assert.ok(rebuilds() > rebuildsBefore, 'block never rebuilt the block state after Redis came back empty');
  } finally {
    await ensureStackHealthy();
    if (!servicesWereUp) await servicesDown();
  }
});
