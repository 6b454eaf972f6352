import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, trace } from '@opentelemetry/api';
import { core, node, tracing } from '@opentelemetry/sdk-node';
import { activeTraceHeaders, linksFromHeaders } from '../src/kafkaTracing';

test('with tracing off, no trace headers are added and no links are made from missing headers', () => {
  assert.equal(activeTraceHeaders(), undefined);
  assert.deepEqual(linksFromHeaders([undefined, {}]), []);
});

test('trace headers written inside a span become links to that span on the consuming side', async () => {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
  provider.register({ propagator: new core.W3CTraceContextPropagator() });
  try {
    const tracer = trace.getTracer('test');
    const produced: Array<Record<string, string>> = [];
    const producers: Array<{ traceId: string; spanId: string }> = [];
    for (let i = 0; i < 3; i++) {
      tracer.startActiveSpan(`produce ${i}`, (span) => {
        produced.push(activeTraceHeaders() ?? {});
        producers.push({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
        span.end();
      });
    }
    assert.match(produced[0]!['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // Kafka hands header values back as Buffers; a message may repeat a producer, or carry none.
    const headers = [...produced, produced[1]!, undefined].map((h) => (h ? Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v)])) : undefined));
    const links = linksFromHeaders(headers);
    assert.deepEqual(links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })), producers);
    assert.equal(linksFromHeaders(headers, 2).length, 2, 'links are capped');
  } finally {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  }
});
