import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';
import { TOPICS, createMetrics, readBaseConfig } from '@idres/runtime';
import { STAGE_GROUPS } from '../src/pipelineWatcher';
import { REPO_ROOT } from '../src/repoPaths';

// Checks k8s/grafana-dashboard.json and k8s/autoscaling.yaml against the code, so a renamed metric, topic,
// consumer group or Deployment breaks this test instead of silently breaking a dashboard or an autoscaler.

const K8S = path.join(REPO_ROOT, 'k8s');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function obj(v: unknown, what: string): Obj {
  assert.ok(isObj(v), `${what} is an object`);
  return v;
}
function arr(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} is an array`);
  return v;
}
function str(v: unknown, what: string): string {
  assert.equal(typeof v, 'string', `${what} is a string`);
  return v as string;
}
function num(v: unknown, what: string): number {
  assert.equal(typeof v, 'number', `${what} is a number`);
  return v as number;
}

// ---- metrics the code registers -------------------------------------------------------------------------------

interface RegisteredMetric {
  type: string;
  labels: Set<string>;
}

/** Labels every series has: the registry's default label, Prometheus' target labels, and the histogram bucket. */
const AMBIENT_LABELS = ['service', 'instance', 'job'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/**
 * Every metric some code registers: prom-client's default metrics as createMetrics registers them (with its
 * prefix), plus each `new Counter|Gauge|Histogram|Summary({ name: ..., labelNames: [...] })` in packages/ and services/.
 */
function registeredMetrics(): Map<string, RegisteredMetric> {
  const found = new Map<string, RegisteredMetric>();
  const metrics = createMetrics('ops-manifests-test');
  for (const m of metrics.registry.getMetricsAsArray()) {
    const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? [];
    found.set(m.name, { type: m.type === undefined ? 'unknown' : String(m.type), labels: new Set(labels) });
  }
  const roots = ['packages', 'services'].flatMap((top) =>
    readdirSync(path.join(REPO_ROOT, top)).map((p) => path.join(REPO_ROOT, top, p, 'src')).filter((p) => statSync(p, { throwIfNoEntry: false })?.isDirectory()),
  );
  const ctor = /new\s+(Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\s*\(\s*\{([^}]*)\}/g;
  for (const file of roots.flatMap(sourceFiles)) {
    for (const m of readFileSync(file, 'utf8').matchAll(ctor)) {
      const body = m[2]!;
      const name = /name:\s*'([^']+)'/.exec(body)?.[1];
      if (!name) continue;
      const labelList = /labelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? '';
      const labels = [...labelList.matchAll(/'([^']+)'/g)].map((l) => l[1]!);
      found.set(name, { type: m[1]!.toLowerCase(), labels: new Set(labels) });
    }
  }
  // Histograms and summaries are queried through their series suffixes.
  for (const [name, m] of [...found]) {
    if (m.type === 'histogram') found.set(`${name}_bucket`, { type: 'counter', labels: new Set([...m.labels, 'le']) });
    if (m.type === 'histogram' || m.type === 'summary') {
      found.set(`${name}_sum`, { type: 'counter', labels: m.labels });
      found.set(`${name}_count`, { type: 'counter', labels: m.labels });
    }
  }
  return found;
}

// ---- what a PromQL expression uses, read with Prometheus' own grammar ------------------------------------------

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

interface PromqlUse {
  metrics: Array<{ name: string; labels: string[] }>;
  groupingLabels: string[];
  syntaxErrors: number;
}

/** Grafana's interval macros are not PromQL; any duration stands in for them. */
const withGrafanaMacros = (expr: string): string => expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');

function promqlUses(expr: string): PromqlUse {
  const text = withGrafanaMacros(expr);
  const tree = parser.parse(text);
  const use: PromqlUse = { metrics: [], groupingLabels: [], syntaxErrors: 0 };
  const labelNamesUnder = (node: SyntaxNode | null, out: string[] = []): string[] => {
    for (let c = node?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name === 'LabelName') out.push(text.slice(c.from, c.to));
      else labelNamesUnder(c, out);
    }
    return out;
  };
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) use.syntaxErrors++;
      else if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        use.metrics.push({ name: id ? text.slice(id.from, id.to) : '', labels: labelNamesUnder(n.node.getChild('LabelMatchers')) });
      } else if (n.name === 'GroupingLabels') use.groupingLabels.push(...labelNamesUnder(n.node));
    },
  });
  return use;
}

// ---- the dashboard ---------------------------------------------------------------------------------------------

interface Panel {
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  exprs: string[];
}

function dashboardPanels(d: Obj): Panel[] {
  const out: Panel[] = [];
  const walk = (list: unknown[]): void => {
    for (const raw of list) {
      const p = obj(raw, 'panel');
      const title = str(p['title'], 'panel title');
      const g = obj(p['gridPos'], `gridPos of ${title}`);
      const exprs = (Array.isArray(p['targets']) ? p['targets'] : []).map((t) => str(obj(t, 'target')['expr'], `expr in ${title}`));
      out.push({ title, type: str(p['type'], 'panel type'), gridPos: { x: num(g['x'], 'x'), y: num(g['y'], 'y'), w: num(g['w'], 'w'), h: num(g['h'], 'h') }, exprs });
      if (Array.isArray(p['panels'])) walk(p['panels']);
    }
  };
  walk(arr(d['panels'], 'panels'));
  return out;
}

function readDashboard(): Obj {
  return obj(JSON.parse(readFileSync(path.join(K8S, 'grafana-dashboard.json'), 'utf8')), 'dashboard');
}

/** Problems of one dashboard against the metrics the code registers; empty when it is consistent. */
function dashboardProblems(d: Obj, registered: Map<string, RegisteredMetric>): string[] {
  const problems: string[] = [];
  for (const p of dashboardPanels(d)) {
    for (const expr of p.exprs) {
      const use = promqlUses(expr);
      if (use.syntaxErrors > 0) problems.push(`${p.title}: PromQL syntax error in ${expr}`);
      if (use.metrics.length === 0) problems.push(`${p.title}: no metric in ${expr}`);
      for (const m of use.metrics) if (m.name === '') problems.push(`${p.title}: selector without a metric name in ${expr}`);
      const known = use.metrics.map((m) => registered.get(m.name));
      use.metrics.forEach((m, i) => {
        const r = known[i];
        if (!r) problems.push(`${p.title}: ${m.name} is registered by no code`);
        else for (const l of m.labels) if (!r.labels.has(l) && !AMBIENT_LABELS.includes(l)) problems.push(`${p.title}: ${m.name} has no label ${l}`);
      });
      for (const l of use.groupingLabels) {
        if (AMBIENT_LABELS.includes(l)) continue;
        if (!known.some((r) => r?.labels.has(l))) problems.push(`${p.title}: grouping by ${l}, a label none of its metrics has (${expr})`);
      }
    }
  }
  // Template variables read label values of a metric too.
  for (const v of arr(obj(d['templating'], 'templating')['list'], 'templating.list')) {
    const q = obj(v, 'variable')['query'];
    const text = isObj(q) ? q['query'] : q;
    const m = typeof text === 'string' ? /label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(text) : null;
    if (m && !registered.has(m[1]!)) problems.push(`variable ${String(obj(v, 'variable')['name'])}: ${m[1]!} is registered by no code`);
  }
  return problems;
}

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

test('every PromQL expression of the dashboard names metrics and labels the code registers', () => {
  const registered = registeredMetrics();
  // The scan itself must see the metrics of every layer, or the check below proves nothing.
  for (const name of ['idres_consumer_lag', 'idres_batch_seconds_bucket', 'idres_match_comparisons_total', 'idres_ingest_refused_total', 'idres_model_version', 'idres_process_cpu_seconds_total']) {
    assert.ok(registered.has(name), `scan finds ${name}`);
  }
  const d = readDashboard();
  const panels = dashboardPanels(d);
  assert.ok(panels.filter((p) => p.exprs.length > 0).length >= 10, 'the dashboard has its query panels');
  assert.deepEqual(dashboardProblems(d, registered), []);
});

test('the dashboard check fails on a metric or label the code does not register', () => {
  const registered = registeredMetrics();
  const broken = (from: string, to: string): string[] => {
    const text = readFileSync(path.join(K8S, 'grafana-dashboard.json'), 'utf8');
    assert.ok(text.includes(from), `dashboard uses ${from}`);
    return dashboardProblems(obj(JSON.parse(text.replace(from, to)), 'dashboard'), registered);
  };
  assert.match(broken('idres_match_pairs_total', 'idres_match_pair_total').join('\n'), /idres_match_pair_total is registered by no code/);
  assert.match(broken('idres_process_cpu_seconds_total', 'process_cpu_seconds_total').join('\n'), /process_cpu_seconds_total is registered by no code/);
  assert.match(broken('sum by (stage, code)', 'sum by (stage, reason)').join('\n'), /grouping by reason/);
  assert.match(broken('result=\\"hit\\"', 'outcome=\\"hit\\"').join('\n'), /has no label outcome/);
  assert.match(broken('(rate(idres_batch_retries_total', '(rate(idres_batch_retries_total)').join('\n'), /PromQL syntax error/);
  assert.match(broken('label_values(idres_process_start_time_seconds', 'label_values(process_start_time_seconds').join('\n'), /variable service: process_start_time_seconds/);
});

test('the dashboard is a templated Grafana dashboard whose panels do not overlap', () => {
  const d = readDashboard();
  assert.ok(num(d['schemaVersion'], 'schemaVersion') >= 36);
  const vars = arr(obj(d['templating'], 'templating')['list'], 'templating.list').map((v) => obj(v, 'variable'));
  const ds = vars.find((v) => v['name'] === 'datasource');
  assert.equal(ds?.['type'], 'datasource');
  assert.equal(ds?.['query'], 'prometheus');
  assert.ok(vars.some((v) => v['name'] === 'service' && v['type'] === 'query'), 'a service variable');
  const panels = dashboardPanels(d);
  const walkDs = (list: unknown[]): void => {
    for (const raw of list) {
      const p = obj(raw, 'panel');
      if (p['type'] !== 'row') assert.equal(obj(p['datasource'], `datasource of ${String(p['title'])}`)['uid'], '${datasource}', `${String(p['title'])} uses the datasource variable`);
      for (const t of Array.isArray(p['targets']) ? p['targets'] : []) assert.match(str(obj(t, 'target')['expr'], 'expr'), /\$service/, `${String(p['title'])} filters by $service`);
    }
  };
  walkDs(arr(d['panels'], 'panels'));
  for (const p of panels) assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.h > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) {
      assert.ok(!overlaps(panels[i]!.gridPos, panels[j]!.gridPos), `${panels[i]!.title} overlaps ${panels[j]!.title}`);
    }
  }
  assert.ok(overlaps({ x: 0, y: 0, w: 12, h: 8 }, { x: 11, y: 7, w: 2, h: 2 }) && !overlaps({ x: 0, y: 0, w: 12, h: 8 }, { x: 12, y: 0, w: 12, h: 8 }));
});

// ---- the autoscalers -------------------------------------------------------------------------------------------

function k8sDocs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file} parses`);
    return obj(doc.toJS(), `a document of ${file}`);
  });
}

const nameOf = (o: Obj): string => str(obj(o['metadata'], 'metadata')['name'], 'metadata.name');

interface Autoscaler {
  kind: string;
  name: string;
  target: string;
  min: number;
  max: number;
  triggers: Obj[];
}

/** Problems of the autoscaling documents against the Deployments, the configmap and the code; empty when consistent. */
function autoscalingProblems(docs: Obj[]): string[] {
  const problems: string[] = [];
  const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'autoscaling.yaml');
  const all = files.flatMap(k8sDocs);
  const deployments = new Map(all.filter((o) => o['kind'] === 'Deployment').map((o) => [nameOf(o), o]));
  const configMap = all.find((o) => o['kind'] === 'ConfigMap' && nameOf(o) === 'idres-config');
  assert.ok(configMap, 'k8s has the idres-config ConfigMap');
  const env = Object.fromEntries(Object.entries(obj(configMap['data'], 'configmap data')).map(([k, v]) => [k, String(v)]));
  const config = readBaseConfig(env, 'autoscaling');
  const groupsOfService = serviceGroups();

  const scalers: Autoscaler[] = docs.map((o) => {
    const spec = obj(o['spec'], `spec of ${nameOf(o)}`);
    const ref = obj(spec['scaleTargetRef'], 'scaleTargetRef');
    if (ref['kind'] !== 'Deployment') problems.push(`${nameOf(o)} targets a ${String(ref['kind'])}`);
    const keda = o['kind'] === 'ScaledObject';
    return {
      kind: str(o['kind'], 'kind'),
      name: nameOf(o),
      target: str(ref['name'], 'scaleTargetRef.name'),
      min: num(spec[keda ? 'minReplicaCount' : 'minReplicas'], 'min replicas'),
      max: num(spec[keda ? 'maxReplicaCount' : 'maxReplicas'], 'max replicas'),
      triggers: keda ? arr(spec['triggers'], 'triggers').map((t) => obj(t, 'trigger')) : [],
    };
  });

  const covered = new Map<string, Autoscaler>();
  for (const s of scalers) {
    const deployment = deployments.get(s.target);
    if (!deployment) {
      problems.push(`${s.name}: no Deployment ${s.target} in k8s/*.yaml`);
      continue;
    }
    if (covered.has(s.target)) problems.push(`${s.target} has two autoscalers`);
    covered.set(s.target, s);
    const service = str(obj(obj(deployment['metadata'], 'metadata')['labels'], 'labels')['service'], `service label of ${s.target}`);
    if (s.min < 1 || s.min > s.max) problems.push(`${s.name}: min ${s.min} max ${s.max}`);
    const groups = groupsOfService.get(service) ?? [];
    if (groups.length === 0) {
      // Only ingest consumes no topic; it scales on CPU.
      if (s.kind !== 'HorizontalPodAutoscaler') problems.push(`${s.name}: ${service} consumes no topic, expected a CPU HorizontalPodAutoscaler`);
      continue;
    }
    if (s.kind !== 'ScaledObject') problems.push(`${s.name}: ${service} should scale on consumer lag (a KEDA ScaledObject)`);
    if (s.max > config.partitions) problems.push(`${s.name}: maxReplicaCount ${s.max} > IDRES_PARTITIONS ${config.partitions}`);
    const kafka = s.triggers.filter((t) => t['type'] === 'kafka');
    if (kafka.length !== groups.length) {
      problems.push(`${s.name}: ${kafka.length} kafka triggers, ${service} consumes in ${groups.length} groups`);
      continue;
    }
    groups.forEach(([group, inputTopic], i) => {
      const md = obj(kafka[i]!['metadata'], 'trigger metadata');
      if (md['consumerGroup'] !== `${config.groupPrefix}.${group}`) problems.push(`${s.name}: consumerGroup ${String(md['consumerGroup'])}, ${service} consumes as ${config.groupPrefix}.${group}`);
      if (md['topic'] !== inputTopic) problems.push(`${s.name}: topic ${String(md['topic'])}, ${service} reads ${inputTopic}`);
      if (md['bootstrapServers'] !== config.kafkaBrokers.join(',')) problems.push(`${s.name}: bootstrapServers ${String(md['bootstrapServers'])}, KAFKA_BROKERS is ${config.kafkaBrokers.join(',')}`);
      const lag = Number(md['lagThreshold']);
      if (!(typeof md['lagThreshold'] === 'string' && Number.isInteger(lag) && lag > 0)) problems.push(`${s.name}: lagThreshold must be a positive integer string`);
      // Trigger metadata is map[string]string in KEDA: a YAML boolean or number is rejected by the CRD.
      for (const [k, v] of Object.entries(md)) if (typeof v !== 'string') problems.push(`${s.name}: metadata.${k} must be a string`);
      if (md['allowIdleConsumers'] === 'true' && md['limitToPartitionsWithLag'] === 'true') problems.push(`${s.name}: allowIdleConsumers and limitToPartitionsWithLag exclude each other`);
    });
  }
  for (const name of deployments.keys()) if (!covered.has(name)) problems.push(`Deployment ${name} has no autoscaler`);
  return problems;
}

/** Each service's consumer groups (STAGE_GROUPS order), found by the groupId in its own services/<name>/src/app.ts. */
function serviceGroups(): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  for (const service of readdirSync(path.join(REPO_ROOT, 'services'))) {
    let app: string;
    try {
      app = readFileSync(path.join(REPO_ROOT, 'services', service, 'src', 'app.ts'), 'utf8');
    } catch {
      continue;
    }
    const groups = STAGE_GROUPS.filter(([group]) => app.includes(`groupId: \`\${deps.groupPrefix}.${group}\``));
    if (groups.length > 0) out.set(service, groups.map(([g, t]) => [g, t]));
  }
  return out;
}

test('each autoscaler targets a k8s Deployment and scales it on the lag its service really has', () => {
  const docs = k8sDocs('autoscaling.yaml');
  assert.equal(docs.filter((d) => d['kind'] === 'ScaledObject').length, serviceGroups().size, 'one ScaledObject per consuming service');
  assert.deepEqual(autoscalingProblems(docs), []);
});

test('the packed identity.blocks topic scales on a much lower message lag than the record topics', () => {
  const lagOf = new Map(
    k8sDocs('autoscaling.yaml')
      .filter((d) => d['kind'] === 'ScaledObject')
      .map((d) => {
        const t = obj(arr(obj(d['spec'], 'spec')['triggers'], 'triggers')[0], 'trigger');
        const md = obj(t['metadata'], 'metadata');
        return [str(md['topic'], 'topic'), Number(md['lagThreshold'])] as const;
      }),
  );
  const [, blocksTopic] = STAGE_GROUPS.find(([stage]) => stage === 'match')!;
  const packed = lagOf.get(blocksTopic)!;
  for (const [topic, lag] of lagOf) if (topic !== blocksTopic) assert.ok(packed * 20 <= lag, `${blocksTopic} ${packed} vs ${topic} ${lag}`);
});

test('the autoscaling check fails on a wrong group, topic, target or replica ceiling', () => {
  const text = readFileSync(path.join(K8S, 'autoscaling.yaml'), 'utf8');
  const problemsAfter = (from: string, to: string): string => {
    assert.ok(text.includes(from), `autoscaling.yaml has ${from}`);
    return autoscalingProblems(parseAllDocuments(text.replace(from, to)).map((d) => obj(d.toJS(), 'document'))).join('\n');
  };
  assert.match(problemsAfter('consumerGroup: idres.match', 'consumerGroup: idres-match'), /consumerGroup idres-match/);
  assert.match(problemsAfter('topic: identity.pairs.v2', 'topic: identity.resolved'), /resolve reads identity.pairs.v2/);
  assert.match(problemsAfter('name: idres-block }', 'name: idres-blocker }'), /no Deployment idres-blocker/);
  assert.match(problemsAfter('maxReplicaCount: 12', 'maxReplicaCount: 24'), /maxReplicaCount 24 > IDRES_PARTITIONS \d+/);
  assert.match(problemsAfter('allowIdleConsumers: "false"', 'allowIdleConsumers: false'), /metadata.allowIdleConsumers must be a string/);
});

test('the stage map the autoscalers are checked against is what the services consume', () => {
  // STAGE_GROUPS is the CLI's view; the services' ConsumerRunner options are the truth.
  const services = serviceGroups();
  for (const [stage, topic] of STAGE_GROUPS) {
    const service = [...services].find(([, groups]) => groups.some(([g]) => g === stage))?.[0];
    assert.ok(service, `some services/<name>/src/app.ts consumes as <prefix>.${stage}`);
    const app = readFileSync(path.join(REPO_ROOT, 'services', service, 'src', 'app.ts'), 'utf8');
    const m = new RegExp(`groupId: \`\\$\\{deps\\.groupPrefix\\}\\.${stage}\`,\\s*topic: TOPICS\\.(\\w+)`).exec(app);
    assert.ok(m, `services/${service}/src/app.ts consumes as <prefix>.${stage}`);
    assert.equal(TOPICS[m[1] as keyof typeof TOPICS], topic, `${stage} reads ${topic}`);
  }
});
