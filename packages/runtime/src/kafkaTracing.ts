import { context, propagation, trace, ROOT_CONTEXT, type Link, type TextMapGetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

const headerGetter: TextMapGetter<IHeaders> = {
  keys: (h) => Object.keys(h),
  get: (h, key) => {
    const v = h[key];
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined ? undefined : first.toString();
  },
};

/**
 * Span links to the spans that produced a batch's messages, read from their W3C trace headers. A batch span
 * has many parents, so it links to them (the OpenTelemetry messaging convention for batch receive) rather than
 * picking one. At most `max` links, one per distinct producing span.
 */
export function linksFromHeaders(headers: ReadonlyArray<IHeaders | undefined>, max = 128): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const h of headers) {
    if (!h || h['traceparent'] === undefined) continue;
    const ctx = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, h, headerGetter));
    if (!ctx || seen.has(ctx.spanId)) continue;
    seen.add(ctx.spanId);
    links.push({ context: ctx });
    if (links.length >= max) break;
  }
  return links;
}

/**
 * The active span's trace headers (traceparent, tracestate), for the messages it produces. Empty when tracing
 * is off (no propagator registered), so untraced deployments add no header bytes.
 */
export function activeTraceHeaders(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  // Undefined when tracing is off, so callers add no headers at all.
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}
