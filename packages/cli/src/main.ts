import { parseArgs } from 'node:util';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './cliError';
import { REPO_ROOT, SUPERVISED_SERVICES } from './repoPaths';
import { buildConsoleWeb, buildServices } from './serviceBuild';
import { prepareStack, resolveFile, type ResolveSummary } from './resolveFile';
import { servicesDown, servicesStatus, servicesUp } from './serviceSupervisor';
import { parseMapSpec } from '@idres/core/rowMapping';
import { runStack, stackConfigured, stackEnv } from './stackControl';
import { resetPipeline, type ReplayFrom } from './pipelineReset';
import { waitForDrain } from './waitForDrain';
import { AvroSerde, createKafka, createLogger, readBaseConfig, readSealer, servicePorts, standardizeOptionsFrom } from '@idres/runtime';
import { replayQuarantine } from './quarantineReplay';
import { quarantineCounts } from './quarantineCounts';
import { writeReportFile } from './reportFile';
import { chooseModel, readSettingsFile, waitForModel, type ModelChoice } from './modelChoice';
import { formatModelList, trainFromTopic, withModelStore } from './modelCommands';
import { sealKeyCommand, withSealKeys } from './sealKeys';
import { resolveMapping } from './resolveMapping';
import { validateInputFile } from './validateFile';
import { formatStatus, sourceAdd, sourceList, sourceRemove, sourceStatusReports } from './sourceCommands';
import { KNOWN_SCOPES } from '@idres/auth';
import { LOCAL_TOKEN_FILE, createToken, ensureLocalToken, formatTokenList, withTokenStore } from './authCommands';
import { JOB_USAGE, jobCommand } from './jobCommands';
import { DEFAULT_OUTPUTS, OUTPUT_KINDS, type OutputKind } from '@idres/jobs';
import { ERASE_USAGE, eraseCommand } from './erasureCommands';
import { reviewedQuality } from '@idres/core/reviewLabels';
import { loadReviewedPairs, loadReviews } from './reviewedPairs';

const DEFAULT_MODEL_THRESHOLD = (): number => (JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', 'core', 'models', 'default.json'), 'utf8')) as { threshold: number }).threshold;

const USAGE = `idres — identity resolution over Kafka

  idres resolve --input FILE.csv|.jsonl --id-column COL [--map canonical=column,...] [--source NAME] --output OUT.csv
                [--model FILE|default] [--train-sample N] [--compare ATTR,...] [--settings FILE]
                [--truth-column COL] [--timeout SECONDS] [--outputs master,pairs,households,report]
      Trains a model on the file (a seeded sample of at most N records, default 200000; no labels) unless --model
      is given, makes it the active model version, then runs the file as a job in this process (listed by idres job
      list; resumed by ingest if this process dies; Ctrl-C cancels it) with a progress bar: streams it to
      identity.raw, waits until every record has a master ID, writes record_id,master_id from the job's crosswalk.
      --outputs asks the job for more of its files (see idres job). Starts the local stack and services first
      unless KAFKA_BROKERS is set.
      Mapped attributes filled in >= 5% of records are compared; --compare names attributes to compare however
      sparse; --settings FILE trains with your own settings (comparisons, blocking and training rules as JSON).
  idres demo [--input FILE] [--no-wait]
      Starts everything, resolves the bundled sample, prints a summary, and keeps the services running until Ctrl-C.
  idres replay --from raw|standardized|blocked|pairs
      Stops the services, rebuilds every topic and state downstream of the given topic, sets the consumer group
      reading it back to the earliest offset, restarts the services and waits until the pipeline has drained.
  idres quarantine replay [--stage S] [--code C]
      Sends quarantined messages (identity.quarantine) back to the topic and partition they came from, once each,
      after the cause is fixed; then waits until the pipeline has drained.
  idres model train [--sample N] [--no-activate]
      Trains a model (no labels) on a seeded sample of what identity.standardized holds, stores it as a new version
      in Postgres and makes it active: match switches to it within seconds, without a restart.
  idres model rescore [--version N]
      Re-blocks and re-scores every record with the active model (or version N, made active), keeping resolve's
      identities: they are recomputed from the new pairs and keep their master IDs where their records stay
      together, so they end as a fresh run with that model would. Stops and restarts the local services.
  idres review quality [--threshold P]
      Precision and recall of the model estimated from the console's reviewed pairs (decisions that hold), with
      95% intervals; also npm run quality:reviewed. idres model train learns m from the "same" pairs and sets the
      threshold from them (--no-reviews: neither).
  idres model list | activate VERSION
      The stored versions (* = active) / make an earlier version active again.
  idres auth create --name NAME --scopes SCOPE,...
      Creates an API token (printed once; only its hash is stored in Postgres). Scopes: ${KNOWN_SCOPES.join(', ')}.
      Use it as  Authorization: Bearer <token>.  With IDRES_AUTH=auto (the default outside production) the APIs
      require a token as soon as one exists; IDRES_AUTH=required always does (docs/security.md).
  idres seal-key list | rotate | retire ID   the keys that seal national IDs at rest (see docs/security.md)
  idres auth list | revoke ID            the tokens (id, created, active/revoked, name, scopes) / revoke one
  idres report --out FILE.html [--pdf FILE.pdf] [--title TEXT] [--input FILE --id-column COL [--map ...] [--source NAME]]
      The data-quality report of what the deployment holds (Postgres and identity.quarantine): one self-contained
      HTML file with its charts inline; --pdf also prints it with headless Chromium (/usr/bin/chromium, or IDRES_CHROMIUM).
      --input adds the standardization flags of that file (standardized again, as resolve mapped it).
${JOB_USAGE}${ERASE_USAGE}  idres pipeline reset                  empties every idres topic and all resolve/match state (a clean slate)
  idres stack up|down|status|reset [--with connect]
                                        the local Kafka, schema registry, Postgres and Redis (--with connect: also
                                        Kafka Connect with Debezium, and a logical-decoding source database);
                                        IDRES_SECURE=1: TLS and passwords on Kafka, Postgres and Redis (docs/security.md)
  idres source add NAME --connector postgres --table SCHEMA.TABLE --id-column PK --map canonical=column,...
                   [--database-url postgres://user:pw@host:port/db]
      Follows a table through Debezium (change data capture): registers the connector in Kafka Connect, stores the
      mapping, snapshots the table incrementally (resumable) and then streams its changes; inserts and updates
      become the record's latest version, deletes its delete, with the table's key as record ID. The sources
      service (started by idres services up) applies them. Default database: SOURCE_DATABASE_URL (the stack's idres_source).
  idres source list | status [NAME] [--json] | remove NAME
      Registered sources / progress (snapshot rows, rows/s, ETA from pg_class.reltuples), bookmark, slot lag,
      errors and stalls / delete the connector, slot and publication (records already in idres stay).
  idres services up|down|status         the services (six stages, households and the web console), as background processes (logs in .stack/services/)
  idres services build                  compiles each service to services/<name>/dist/main.mjs (up does this itself)
`;

const log = (msg: string): void => {
  process.stderr.write(`[idres] ${msg}\n`);
};

/** --outputs master,pairs,...: what the job writes besides the crosswalk and rejections --output is made from. */
function parseOutputs(spec: string | undefined): OutputKind[] {
  const list = (spec ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const o of list) if (!(OUTPUT_KINDS as readonly string[]).includes(o)) throw new CliError('USAGE', `--outputs takes ${OUTPUT_KINDS.join(', ')}; got ${o}`);
  return list as OutputKind[];
}

function parseMap(spec: string | undefined): Record<string, string> | undefined {
  if (spec === undefined) return undefined;
  const parsed = parseMapSpec(spec);
  if ('error' in parsed) throw new CliError('USAGE', parsed.error);
  return parsed.ok;
}

/** The local stack and services, unless the user configured their own (KAFKA_BROKERS set). */
async function ensureRunning(): Promise<Record<string, string>> {
  if (stackConfigured(process.env)) return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  log('starting the local stack (scripts/stack.sh up)...');
  const t0 = Date.now();
  await runStack('up');
  const env = stackEnv();
  log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s; starting services...`);
  const t1 = Date.now();
  await servicesUp(env);
  log(`services ready in ${((Date.now() - t1) / 1000).toFixed(1)}s`);
  // The port base too, or waitForModel would ask the services of the default ports (another stack's) for their model.
  const portBase = process.env['IDRES_SERVICE_PORT_BASE'];
  return { ...env, ...(portBase ? { IDRES_SERVICE_PORT_BASE: portBase } : {}), LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' };
}


/** The model for a file (trained on it unless --model), active in match before the first record is sent. */
interface TrainFlags { model?: string | undefined; sample?: number | undefined; compare?: string[] | undefined; settings?: string | undefined }

async function modelForFile(input: string, idColumn: string, map: Record<string, string> | undefined, source: string, flags: TrainFlags, env: Record<string, string>): Promise<ModelChoice> {
  const choice = await chooseModel({
    input, idColumn, map: await resolveMapping(input, idColumn, map), source, model: flags.model, standardize: standardizeOptionsFrom(env),
    ...(flags.sample !== undefined ? { sampleSize: flags.sample } : {}),
    ...(flags.compare !== undefined ? { compare: flags.compare } : {}),
    ...(flags.settings !== undefined ? { settingsFile: flags.settings } : {}),
  }, env, log);
  log(`model: version ${choice.version}, ${choice.reason}`);
  if (stackConfigured(process.env)) log(`model version ${choice.version} is now the active model of this whole deployment (idres model list; idres model activate N to go back)`);
  await waitForModel(choice.version, env, log);
  return choice;
}

function printSummary(s: ResolveSummary, model: ModelChoice): void {
  const lines = [
    '',
    `  input            ${s.input}`,
    `  model            version ${model.version}: ${model.reason}`,
    `  records in       ${s.records}${s.rejected ? ` (${s.rejected} rejected, see ${s.rejectedOutput})` : ''}`,
    `  identities out   ${s.identities}`,
    `  time             ${s.seconds.toFixed(1)} s (${s.recordsPerSecond} records/s end to end)`,
    ...(s.quality ? [`  pairwise quality precision ${s.quality.precision.toFixed(4)}  recall ${s.quality.recall.toFixed(4)}  F1 ${s.quality.f1.toFixed(4)}`] : []),
    `  largest clusters`,
    ...s.largestClusters.map((c) => `    ${c.masterId}  ${c.size} records: ${c.members.join(', ')}${c.size > c.members.length ? ', ...' : ''}`),
    `  output           ${s.output}`,
    `  job              ${s.job}: its files in ${s.jobOutputDir} (npx idres job outputs ${s.job})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<void> {
  const [cmd, sub, ...rest] = argv;
  switch (cmd) {
    case 'resolve': {
      const { values } = parseArgs({
        args: argv.slice(1),
        options: {
          input: { type: 'string' }, 'id-column': { type: 'string' }, map: { type: 'string' }, source: { type: 'string' },
          output: { type: 'string' }, 'truth-column': { type: 'string' }, timeout: { type: 'string', default: '1800' },
          model: { type: 'string' }, 'train-sample': { type: 'string' }, compare: { type: 'string' }, settings: { type: 'string' },
          outputs: { type: 'string' },
        },
      });
      if (!values.input || !values['id-column'] || !values.output) throw new CliError('USAGE', `resolve needs --input, --id-column and --output\n\n${USAGE}`);
      if (!existsSync(values.input)) throw new CliError('INPUT_INVALID', `input file not found: ${values.input}`);
      const sample = values['train-sample'] === undefined ? undefined : Number(values['train-sample']);
      if (sample !== undefined && !(Number.isInteger(sample) && sample >= 2)) throw new CliError('USAGE', '--train-sample must be a whole number of at least 2');
      const map = parseMap(values.map);
      const source = values.source ?? path.basename(values.input).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
      // The whole file is checked (streaming, bounded memory) before anything starts, is trained on or is sent.
      const checked = await validateInputFile(values.input);
      log(`checked ${values.input}: ${checked.records} records, ${checked.bytes} bytes`);
      await resolveMapping(values.input, values['id-column'], map); // a bad mapping fails before anything starts
      if (values.settings !== undefined) readSettingsFile(values.settings);
      const outputs = parseOutputs(values.outputs);
      const env = await ensureRunning();
      const prepared = await prepareStack(env); // an unreachable stack fails here, before a model is trained or made active
      const model = await modelForFile(values.input, values['id-column'], map, source, {
        model: values.model, sample, compare: values.compare?.split(',').map((x) => x.trim()).filter(Boolean), settings: values.settings,
      }, env);
      const summary = await resolveFile({
        input: values.input, idColumn: values['id-column'], map, source, outputs,
        output: values.output, timeoutMs: Number(values.timeout) * 1000, ...(values['truth-column'] ? { truthColumn: values['truth-column'] } : {}),
      }, env, log, prepared);
      printSummary(summary, model);
      process.stdout.write(JSON.stringify(summary) + '\n');
      return;
    }
    case 'demo': {
      const { values } = parseArgs({ args: argv.slice(1), options: { input: { type: 'string' }, 'no-wait': { type: 'boolean', default: false } } });
      const input = values.input ?? path.join(REPO_ROOT, 'test', 'fixtures', 'synthetic', 'sample_2000.csv');
      const t0 = Date.now();
      const env = await ensureRunning();
      const output = path.join(REPO_ROOT, '.stack', 'demo-output.csv');
      const model = await modelForFile(input, 'record_id', undefined, 'demo', {}, env);
      // The job writes every output a batch load hands on, and the data-quality report: what a steward opens next.
      const summary = await resolveFile({
        input, idColumn: 'record_id', map: undefined, source: 'demo', output, timeoutMs: 900_000, truthColumn: 'entity_id', outputs: DEFAULT_OUTPUTS,
      }, env, log);
      log(`whole run including start-up: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      printSummary(summary, model);
      const report = path.join(REPO_ROOT, '.stack', 'demo-report.html');
      copyFileSync(path.join(summary.jobOutputDir, 'report.html'), report);
      const status = await servicesStatus();
      process.stdout.write('Services (health, readiness, Prometheus metrics at /health, /ready, /metrics):\n');
      for (const s of status) process.stdout.write(`  ${s.name.padEnd(12)} ${s.url}\n`);
      // A token for the local stack (every scope); creating it turns the APIs' authentication on (IDRES_AUTH=auto).
      const { created } = await ensureLocalToken(readBaseConfig(env, 'cli').databaseUrl);
      const tokenFile = path.relative(process.cwd(), LOCAL_TOKEN_FILE) || LOCAL_TOKEN_FILE;
      const authHeader = `-H "authorization: Bearer $(cat ${tokenFile})"`;
      process.stdout.write(`  lookup API    curl ${authHeader} http://127.0.0.1:${servicePorts(process.env)['publish']}/identities/${summary.largestClusters[0]?.masterId ?? 'MDM_0000000001'}  (OpenAPI: /openapi.json)\n`);
      process.stdout.write(`  web console   http://127.0.0.1:${servicePorts(process.env)['console']}/#/identity/${summary.largestClusters[0]?.masterId ?? 'MDM_0000000001'}  (sign in with the API token below; search, review queue, pipeline)\n`);
      process.stdout.write(`  report        ${path.relative(process.cwd(), report) || report}  (data quality: fields, rejections, identity sizes, match weights; the PDF and the job's files: npx idres job outputs ${summary.job})\n`);
      process.stdout.write(`  post records  curl -XPOST ${authHeader} -H content-type:application/json http://127.0.0.1:${servicePorts(process.env)['ingest']}/records -d '[{"source":"crm","sourceRecordId":"1","given_name":"Ann","family_name":"Lee","dob":"1980-02-01"}]'\n`);
      process.stdout.write(`  API token     ${tokenFile} (${created ? 'created now' : 'kept from an earlier run'}; every scope; npx idres auth list|create|revoke)\n`);
      if (values['no-wait'] || stackConfigured(process.env)) return;
      process.stdout.write('\nServices keep running; press Ctrl-C to stop them (the stack stays up: npx idres stack down).\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      log('stopping services...');
      await servicesDown();
      return;
    }
    case 'replay':
    case 'pipeline': {
      let from: ReplayFrom | 'all';
      if (cmd === 'pipeline') {
        if (sub !== 'reset') throw new CliError('USAGE', USAGE);
        from = 'all';
      } else {
        const { values } = parseArgs({ args: argv.slice(1), options: { from: { type: 'string', default: 'raw' } } });
        if (!['raw', 'standardized', 'blocked', 'pairs'].includes(values.from ?? '')) throw new CliError('USAGE', `--from must be raw, standardized, blocked or pairs\n\n${USAGE}`);
        from = values.from as ReplayFrom;
      }
      const local = !stackConfigured(process.env);
      const env = local ? { ...stackEnv(), ...process.env } : process.env;
      const cfg = readBaseConfig(env, 'cli');
      if (local) await servicesDown();
      const t0 = Date.now();
      await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix, kafkaSecurity: cfg.kafkaSecurity, redisSecurity: cfg.redisSecurity }, from);
      log(`${from === 'all' ? 'pipeline emptied' : `rebuilding from identity.${from}`} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      if (from === 'all') return;
      if (local) await servicesUp(stackEnv());
      else log('restart your services now; they will reprocess from the earliest offset');
      await waitForDrain(env as Record<string, string>, log);
      log(`replay finished in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      return;
    }
    case 'report': {
      const { values } = parseArgs({ args: argv.slice(1), options: {
        out: { type: 'string' }, pdf: { type: 'string' }, title: { type: 'string' }, input: { type: 'string' }, 'id-column': { type: 'string' }, map: { type: 'string' }, source: { type: 'string' },
      } });
      if (!values.out) throw new CliError('USAGE', 'idres report --out FILE.html [--pdf FILE.pdf] [--title TEXT] [--input FILE --id-column COL [--map ...] [--source NAME]]');
      const env = (stackConfigured(process.env) ? process.env : { ...stackEnv(), ...process.env }) as Record<string, string>;
      if (values.input && !values['id-column']) throw new CliError('USAGE', 'idres report --input FILE needs --id-column COL');
      const input = values.input ? { file: values.input, map: await resolveMapping(values.input, values['id-column'] as string, parseMap(values.map)), source: values.source ?? 'file', standardize: standardizeOptionsFrom(env) } : undefined;
      await writeReportFile({ out: values.out, pdf: values.pdf, title: values.title, input }, env, log);
      return;
    }
    case 'quarantine': {
      if (sub !== 'replay') throw new CliError('USAGE', USAGE);
      const { values } = parseArgs({ args: argv.slice(2), options: { stage: { type: 'string' }, code: { type: 'string' } } });
      const env = (stackConfigured(process.env) ? process.env : { ...stackEnv(), ...process.env }) as Record<string, string>;
      const cfg = readBaseConfig(env, 'cli');
      const kafka = createKafka({ clientId: 'idres-cli', brokers: cfg.kafkaBrokers, logger: createLogger('idres-cli', 'warn'), security: cfg.kafkaSecurity });
      const serde = AvroSerde.connect(env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
      const summary = await replayQuarantine(kafka, serde, {
        groupId: `${cfg.groupPrefix}.quarantine-replay`,
        log,
        ...(values.stage !== undefined ? { stage: values.stage } : {}),
        ...(values.code !== undefined ? { code: values.code } : {}),
      });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      if (summary.replayed > 0) await waitForDrain(env, log);
      return;
    }
    case 'model': {
      const env = (stackConfigured(process.env) ? process.env : { ...stackEnv(), ...process.env }) as Record<string, string>;
      const cfg = readBaseConfig(env, 'cli');
      if (sub === 'train') {
        const { values } = parseArgs({ args: argv.slice(2), options: { sample: { type: 'string', default: '200000' }, 'no-activate': { type: 'boolean', default: false }, 'no-reviews': { type: 'boolean', default: false } } });
        const sampleSize = Number(values.sample);
        if (!Number.isInteger(sampleSize) || sampleSize < 2) throw new CliError('USAGE', '--sample must be a whole number of at least 2');
        const kafka = createKafka({ clientId: 'idres-cli', brokers: cfg.kafkaBrokers, logger: createLogger('idres-cli', 'warn'), security: cfg.kafkaSecurity });
        const serde = AvroSerde.connect(cfg.schemaRegistryUrl);
        const reviews = values['no-reviews'] ? { pairs: [], sameValues: [] } : await loadReviews(cfg.databaseUrl);
        const r = await trainFromTopic(kafka, serde, cfg.databaseUrl, { sampleSize, activate: !values['no-activate'], log, reviews, sealer: readSealer(withSealKeys(process.env)) });
        log(`stored model version ${r.version}${values['no-activate'] ? ' (not active: idres model activate ' + r.version + ')' : ', now active'}`);
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } else if (sub === 'rescore') {
        const { values } = parseArgs({ args: argv.slice(2), options: { version: { type: 'string' } } });
        if (values.version !== undefined) {
          const version = Number(values.version);
          if (!Number.isInteger(version)) throw new CliError('USAGE', '--version must be a model version number');
          await withModelStore(cfg.databaseUrl, (s) => s.activate(version)).catch((err: Error & { code?: string }) => {
            throw err.code === 'MODEL_VERSION_UNKNOWN' ? new CliError('USAGE', err.message) : err;
          });
        }
        const active = await withModelStore(cfg.databaseUrl, (s) => s.activeVersion());
        if (active === undefined) throw new CliError('USAGE', 'no active model version to rescore with (idres model train, or --version N)');
        const local = !stackConfigured(process.env);
        if (local) await servicesDown();
        const t0 = Date.now();
        await resetPipeline({ kafkaBrokers: cfg.kafkaBrokers, databaseUrl: cfg.databaseUrl, redisUrl: cfg.redisUrl, partitions: cfg.partitions, groupPrefix: cfg.groupPrefix, kafkaSecurity: cfg.kafkaSecurity, redisSecurity: cfg.redisSecurity }, 'standardized', { keepIdentities: true });
        log(`rescoring every record with model version ${active}`);
        if (local) await servicesUp(stackEnv());
        else log('restart your services now; block re-reads identity.standardized from the earliest offset');
        await waitForModel(active, env, log);
        await waitForDrain(env, log);
        log(`rescore finished in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      } else if (sub === 'list') {
        process.stdout.write(formatModelList(await withModelStore(cfg.databaseUrl, (s) => s.list())));
      } else if (sub === 'activate') {
        const version = Number(rest[0]);
        if (!Number.isInteger(version)) throw new CliError('USAGE', 'usage: idres model activate VERSION');
        await withModelStore(cfg.databaseUrl, (s) => s.activate(version)).catch((err: Error & { code?: string }) => {
          throw err.code === 'MODEL_VERSION_UNKNOWN' ? new CliError('USAGE', err.message) : err;
        });
        log(`model version ${version} is active`);
      } else throw new CliError('USAGE', USAGE);
      return;
    }
    case 'auth': {
      const env = (stackConfigured(process.env) ? process.env : { ...stackEnv(), ...process.env }) as Record<string, string>;
      const databaseUrl = readBaseConfig(env, 'cli').databaseUrl;
      if (sub === 'create') {
        const { values } = parseArgs({ args: argv.slice(2), options: { name: { type: 'string' }, scopes: { type: 'string' } } });
        if (!values.name || !values.scopes) throw new CliError('USAGE', `auth create needs --name and --scopes (${KNOWN_SCOPES.join(',')})`);
        const { token, summary } = await createToken(databaseUrl, values.name, values.scopes.split(',').map((x) => x.trim()).filter(Boolean));
        log(`created token ${summary.id} "${summary.name}" with scopes ${summary.scopes.join(', ')}; it is shown only now (only its hash is stored)`);
        process.stdout.write(`${token}\n`);
      } else if (sub === 'list') {
        process.stdout.write(formatTokenList(await withTokenStore(databaseUrl, (s) => s.list())));
      } else if (sub === 'revoke') {
        const id = rest[0];
        if (!id) throw new CliError('USAGE', 'usage: idres auth revoke ID (the id idres auth list shows)');
        await withTokenStore(databaseUrl, (s) => s.revoke(id));
        log(`token ${id} revoked (services stop accepting it within IDRES_AUTH_CACHE_MS, default 2 s)`);
      } else throw new CliError('USAGE', USAGE);
      break;
    }
    case 'job': {
      await jobCommand(argv.slice(1), process.env, log);
      break;
    }
    case 'seal-key': {
      sealKeyCommand(argv.slice(1), process.env, log);
      break;
    }
    case 'erase': {
      await eraseCommand(argv.slice(1), process.env, log);
      break;
    }
    case 'review': {
      if (sub !== 'quality') throw new CliError('USAGE', USAGE);
      const env = (stackConfigured(process.env) ? process.env : { ...stackEnv(), ...process.env }) as Record<string, string>;
      const cfg = readBaseConfig(env, 'cli');
      const { values } = parseArgs({ args: argv.slice(2), options: { threshold: { type: 'string' } } });
      const active = values.threshold === undefined ? await withModelStore(cfg.databaseUrl, (s) => s.active()) : undefined;
      const threshold = values.threshold !== undefined ? Number(values.threshold) : active?.model.threshold ?? DEFAULT_MODEL_THRESHOLD();
      if (!(threshold > 0 && threshold < 1)) throw new CliError('USAGE', '--threshold must lie strictly between 0 and 1');
      const q = reviewedQuality(await loadReviewedPairs(cfg.databaseUrl), threshold);
      const pct = (e: { value: number | null; low: number | null; high: number | null; n: number }) => (e.value === null ? 'n/a (no pairs)' : `${e.value.toFixed(3)} (95% ${e.low!.toFixed(3)}–${e.high!.toFixed(3)}, n=${e.n})`);
      log(`${q.reviewed} reviewed pairs at threshold ${threshold}: precision ${pct(q.precision)}, recall ${pct(q.recall)}; the queue shows borderline pairs first, so these estimate quality near the threshold`);
      process.stdout.write(`${JSON.stringify(q)}\n`);
      return;
    }
    case 'stack': {
      if (sub !== 'up' && sub !== 'down' && sub !== 'status' && sub !== 'reset') throw new CliError('USAGE', USAGE);
      const { values } = parseArgs({ args: rest, options: { with: { type: 'string', multiple: true } } });
      const extra = (values.with ?? []).flatMap((w) => w.split(','));
      for (const w of extra) if (w !== 'connect') throw new CliError('USAGE', `--with ${w}: unknown component (known: connect)`);
      if (sub === 'down' || sub === 'reset') await servicesDown();
      await runStack(sub);
      if (extra.length > 0 && sub === 'up') await runStack(sub, extra);
      return;
    }
    case 'source': {
      const env = (stackConfigured(process.env) ? process.env : { ...stackEnv(), ...process.env }) as Record<string, string>;
      const senv = {
        databaseUrl: env['DATABASE_URL'] ?? 'postgres://idres:idres@127.0.0.1:5432/idres',
        connectUrl: env['KAFKA_CONNECT_URL'] ?? 'http://127.0.0.1:8083',
        kafkaBrokers: env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
        partitions: Number(env['IDRES_PARTITIONS'] ?? 6),
      };
      const { values, positionals } = parseArgs({
        args: rest, allowPositionals: true,
        options: {
          connector: { type: 'string', default: 'postgres' }, table: { type: 'string' }, 'id-column': { type: 'string' }, map: { type: 'string' },
          'database-url': { type: 'string' }, json: { type: 'boolean', default: false },
        },
      });
      const sourceUrl = values['database-url'] ?? env['SOURCE_DATABASE_URL'];
      const name = positionals[0];
      if (sub === 'add') {
        if (!name || !values.table || !values['id-column'] || !values.map) throw new CliError('USAGE', `source add needs NAME, --table, --id-column and --map\n\n${USAGE}`);
        if (!sourceUrl) throw new CliError('USAGE', 'source add needs --database-url (or SOURCE_DATABASE_URL)');
        await sourceAdd({ name, connector: values.connector ?? 'postgres', table: values.table, idColumn: values['id-column'], map: parseMap(values.map)!, sourceUrl }, senv, log);
      } else if (sub === 'list') {
        process.stdout.write(await sourceList(senv));
      } else if (sub === 'status') {
        const reports = await sourceStatusReports(name, senv, sourceUrl);
        process.stdout.write(values.json ? `${JSON.stringify(reports, null, 2)}\n` : reports.map(formatStatus).join('\n\n') + (reports.length ? '\n' : 'no sources\n'));
        if (reports.some((r) => r.stalled)) process.exitCode = 3;
      } else if (sub === 'remove') {
        if (!name) throw new CliError('USAGE', 'source remove needs NAME');
        if (!sourceUrl) throw new CliError('USAGE', 'source remove needs --database-url (or SOURCE_DATABASE_URL)');
        await sourceRemove(name, senv, sourceUrl);
        log(`source ${name} removed (connector, slot, publication and signal table dropped; its records stay in idres)`);
      } else throw new CliError('USAGE', USAGE);
      return;
    }
    case 'services': {
      if (sub === 'up') {
        for (const s of await servicesUp(stackConfigured(process.env) ? {} : stackEnv())) process.stdout.write(`${s.name.padEnd(12)} ready  ${s.url}\n`);
      } else if (sub === 'down') {
        await servicesDown();
      } else if (sub === 'build') {
        for (const file of [...await buildServices(SUPERVISED_SERVICES), await buildConsoleWeb({ force: true })]) process.stdout.write(`${path.relative(REPO_ROOT, file)}\n`);
      } else if (sub === 'status') {
        for (const s of await servicesStatus()) process.stdout.write(`${s.name.padEnd(12)} ${s.ready ? 'ready' : s.pid ? 'starting' : 'down'}  ${s.url}${s.pid ? `  pid ${s.pid}` : ''}\n`);
      } else throw new CliError('USAGE', USAGE);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      void rest;
      throw new CliError('USAGE', `unknown command ${cmd}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(typeof process.exitCode === "number" ? process.exitCode : 0),
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`idres: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`idres: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
