// With tracing on, a record's trace runs through every stage: each stage's batch span links to the span that
// produced its input (W3C trace headers on the Kafka messages), from the sender's span to publish.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, trace } from '@opentelemetry/api';
import { core, node, tracing } from '@opentelemetry/sdk-node';
import { loadModel, standardizeRecord, trainModel } from '@idres/core';
import { loadLabelledDataset } from '@idres/core/fixtures/labelledDatasets';
import { PipelineHarness } from './pipelineHarness';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
let h: PipelineHarness | undefined;

before(async () => {
  provider.register({ propagator: new core.W3CTraceContextPropagator() });
  await PipelineHarness.reset();
});
after(async () => {
  await h?.stop();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

test('every stage links its batch span to the span that produced its input, from sender to publish', async () => {
  const dataset = loadLabelledDataset('febrl_dataset1');
  const sample = dataset.records.slice(0, 60);
  const modelJson = trainModel(dataset.records.map((r) => standardizeRecord(r.fields, dataset.standardize).values));
  const harness = new PipelineHarness();
  h = harness;
  await harness.start(loadModel(modelJson), modelJson.threshold, dataset.standardize);
  const sender = trace.getTracer('test-client');
  const senderSpanId = await sender.startActiveSpan('send records', async (span) => {
    await harness.raw.send(sample.map((r) => ({
      source: 't', sourceRecordId: r.id, attributes: {},
      fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
    })));
    span.end();
    return span.spanContext().spanId;
  });
  await harness.waitForIdentities(sample.map((r) => `t:${r.id}`));

  const spans = exporter.getFinishedSpans();
  const byStage = (stage: string) => spans.filter((s) => s.name === `${stage} batch`);
  // Walk the links: the spans reachable from the sender's span, stage by stage.
  let frontier = new Set([senderSpanId]);
  for (const stage of ['standardize', 'block', 'match', 'resolve', 'publish']) {
    const next = byStage(stage).filter((s) => s.links.some((l) => frontier.has(l.context.spanId)));
    assert.ok(next.length > 0, `a ${stage} batch span links to the ${stage === 'standardize' ? 'sender' : 'previous stage'}'s span (${byStage(stage).length} ${stage} spans)`);
    frontier = new Set(next.map((s) => s.spanContext().spanId));
  }
});
