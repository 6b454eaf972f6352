// Part 3 of "nothing is lost under faults": bad files given to `idres resolve` fail before anything is trained
// or sent, with the line at fault and without quoting it, exit non-zero, in bounded memory. Runs the real CLI
// against the real stack (KAFKA_BROKERS etc. set, so it starts nothing).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AvroSerde, TOPICS, createKafka, createLogger, readBaseConfig, type RecordKey } from '@idres/runtime';
import { FILE_PII, writeHostileFiles } from '../hostile/fileCorpus';
import { readTopic } from '../hostile/topicReader';

const config = readBaseConfig(process.env, 'test');
let dir: string;
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'idres-hostile-files-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

async function runCli(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string; maxRssKb: number }> {
  // /usr/bin/time -f %M reports the CLI's peak RSS on the last line of stderr.
  const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, 'packages/cli/bin/idres.mjs', ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const rss = /MAXRSS (\d+)/.exec(stderr);
  return { code, stderr: stderr.replace(/MAXRSS \d+\n?/, ''), stdout, maxRssKb: rss ? Number(rss[1]) : 0 };
}

test('bad files: a clear message with the line, exit non-zero, nothing trained, nothing sent', { timeout: 240_000 }, async () => {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
  const models = async (): Promise<number> => {
    const t = await pool.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'idres_models'");
    if (t.rows[0]?.n === '0') return 0;
    return Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM idres_models')).rows[0]!.n);
  };
  const modelsBefore = await models();
  const files = writeHostileFiles(dir, 11);
  const source = `hostilefile${process.pid}x${Date.now().toString(36)}`;
  const report: Array<{ name: string; code: number | null; maxRssMb: number }> = [];
  for (const f of files) {
    const output = path.join(dir, `${path.basename(f.file)}.out.csv`);
    const r = await runCli(['resolve', '--input', f.file, '--id-column', 'id', '--map', 'given_name=first,family_name=last,dob=dob,postcode=zip', '--source', source, '--output', output, '--timeout', '60']);
    report.push({ name: f.name, code: r.code, maxRssMb: Math.round(r.maxRssKb / 1024) });
    assert.notEqual(r.code, 0, `${f.name}: exit 0\n${r.stderr}`);
    assert.match(r.stderr, f.message, `${f.name}: message`);
    assert.match(r.stderr, /nothing was sent/, `${f.name}: says nothing was sent`);
    assert.ok(!r.stderr.includes(FILE_PII) && !r.stdout.includes(FILE_PII), `${f.name}: the message quotes the file's content: ${r.stderr}`);
    assert.ok(!/model: version/.test(r.stderr), `${f.name}: trained a model before failing`);
    assert.equal(existsSync(output), false, `${f.name}: wrote an output`);
    // The 100 MB line is refused without being held: the CLI stays far below its size.
    assert.ok(r.maxRssKb < 300 * 1024, `${f.name}: peak RSS ${Math.round(r.maxRssKb / 1024)} MB`);
  }
  assert.equal(await models(), modelsBefore, 'no model was trained or stored');
  await pool.end();
  const kafka = createKafka({ clientId: 'idres-test-cli', brokers: config.kafkaBrokers, logger: createLogger('test', 'error') });
  const serde = AvroSerde.connect(config.schemaRegistryUrl);
  const sent: string[] = [];
  for (const { message } of await readTopic(kafka, TOPICS.raw)) {
    if (!message.key) continue;
    const k = await serde.decode<RecordKey>(message.key, 'RecordKey').catch(() => undefined);
    if (k?.source === source) sent.push(k.sourceRecordId);
  }
  for (const { message } of await readTopic(kafka, TOPICS.quarantine)) if (message.value?.includes(source)) sent.push('quarantine entry');
  assert.deepEqual(sent, [], 'nothing of a bad file reached identity.raw or identity.quarantine');
  process.stdout.write(`# hostile files: ${JSON.stringify(report)}\n`);
});
