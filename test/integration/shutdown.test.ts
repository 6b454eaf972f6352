import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

// Every service process stops cleanly on SIGTERM: it finishes the batch in hand, commits, leaves its group,
// closes its clients and exits 0 (a lingering handle would keep it alive and fail this test).
const SERVICES = ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish', 'households'] as const;

for (const [i, name] of SERVICES.entries()) {
  test(`${name} exits 0 on SIGTERM`, { timeout: 90_000 }, async () => {
    const port = 7180 + i;
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
      env: { ...process.env, HTTP_PORT: String(port), IDRES_GROUP_PREFIX: `shutdown-${process.pid}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let ready = false;
    for (let k = 0; k < 120 && !ready; k++) {
      ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(ready, `${name} never became ready:\n${out.slice(-2000)}`);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    assert.match(metrics, /idres_process_resident_memory_bytes/, '/metrics serves Prometheus text');
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    assert.equal(code, 0, `${name} did not exit cleanly:\n${out.slice(-2000)}`);
    assert.match(out, /"msg":"stopped"/);
  });
}
