// PII out of logs, errors, quarantine reasons and traces. The whole pipeline (integration harness, ingest's HTTP
// API, tracing on) runs in a child process at LOG_LEVEL=debug on the demo's sample, the hostile HTTP and raw
// corpora and PII-bearing hostile records (test/hostile/piiPipelineRun.ts); then every captured log line, HTTP
// answer body, quarantine reason and exported span is searched for each input SSN, phone, email and birth date
// (in the forms standardization gives them too): zero hits. The raw topic must hold them (a control: the values
// reached the pipeline and the search finds them where they belong).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOSTILE_PEOPLE, leakForms, sampleRows, type PiiValues } from '../hostile/piiCorpus';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE_RECORDS = 400;

function run(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/hostile/piiPipelineRun.ts'), outDir], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'debug', PII_SAMPLE_RECORDS: String(SAMPLE_RECORDS) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

test('no input SSN, phone, email or birth date in any log line, error body, quarantine reason or span', { timeout: 600_000 }, async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'idres-pii-'));
  try {
    const { code, output } = await run(outDir);
    assert.equal(code, 0, `the pipeline run failed:\n${output.slice(-4000)}`);
    const read = (f: string): string => readFileSync(path.join(outDir, f), 'utf8');
    const bodies = JSON.parse(read('http-bodies.json')) as Array<{ request: string; status: number; body: string }>;
    const quarantine = JSON.parse(read('quarantine.json')) as Array<{ stage: string; code: string; reason: string }>;
    const spans = read('spans.json');
    const places: Record<string, string> = {
      'log lines': output,
      'HTTP answer bodies': bodies.map((b) => b.body).join('\n'),
      'quarantine reasons': quarantine.map((q) => `${q.stage} ${q.code} ${q.reason}`).join('\n'),
      'exported spans': spans,
    };
    // Each place holds something: a search of empty text would pass whatever the code did.
    assert.match(output, /quarantining message that fails the handler/, 'the services\' log lines are captured (standardize logs each poison message)');
    assert.ok(bodies.length > 20 && quarantine.length > 20 && JSON.parse(spans).length > 20, `bodies ${bodies.length}, quarantine ${quarantine.length}, spans ${JSON.parse(spans).length}`);

    const people: PiiValues[] = [...sampleRows(SAMPLE_RECORDS).map((r) => ({ ssn: r['ssn'], phone: r['phone'], email: r['email'], dob: r['dob'] })), ...HOSTILE_PEOPLE];
    const forms = people.flatMap(leakForms);
    assert.ok(forms.filter((f) => f.kind === 'ssn').length > 100 && forms.some((f) => f.kind === 'email') && forms.some((f) => f.kind === 'phone'), 'the inputs carry SSNs, phones and emails');
    const rawTopic = read('raw-topic.txt');
    const inRaw = forms.filter((f) => rawTopic.includes(f.form)).length;
    assert.ok(inRaw > forms.length / 3, `control: identity.raw holds the input values (${inRaw} of ${forms.length} forms found)`);

    const hits: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const f of forms) {
        const at = text.indexOf(f.form);
        if (at >= 0) hits.push(`${f.kind} "${f.form}" in ${where}: ...${text.slice(Math.max(0, at - 120), at + f.form.length + 40).replace(/\n/g, ' ')}...`);
      }
    }
    assert.deepEqual(hits.slice(0, 30), [], `${hits.length} personal values found`);
    process.stdout.write(`# pii search: ${forms.length} value forms of ${people.length} people, ${output.length} log bytes, ${bodies.length} answers, ${quarantine.length} quarantine reasons, ${JSON.parse(spans).length} spans: 0 hits\n`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
