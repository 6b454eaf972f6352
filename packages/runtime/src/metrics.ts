import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics every service exposes on /metrics; services add their own to `registry`. */
export interface Metrics {
  registry: Registry;
  messagesIn: Counter<'topic'>;
  messagesOut: Counter<'topic'>;
  quarantined: Counter<'stage' | 'code'>;
  retries: Counter<'stage'>;
  batchSeconds: Histogram<'stage'>;
  consumerLag: Gauge<'topic' | 'partition'>;
}

export function createMetrics(serviceName: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry, prefix: 'idres_' });
  return {
    registry,
    messagesIn: new Counter({ name: 'idres_messages_in_total', help: 'Messages consumed', labelNames: ['topic'], registers: [registry] }),
    messagesOut: new Counter({ name: 'idres_messages_out_total', help: 'Messages produced', labelNames: ['topic'], registers: [registry] }),
    quarantined: new Counter({ name: 'idres_quarantined_total', help: 'Messages sent to the quarantine topic', labelNames: ['stage', 'code'], registers: [registry] }),
    retries: new Counter({ name: 'idres_batch_retries_total', help: 'Batch retries after retriable errors', labelNames: ['stage'], registers: [registry] }),
    batchSeconds: new Histogram({ name: 'idres_batch_seconds', help: 'Time to process one batch', labelNames: ['stage'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    consumerLag: new Gauge({ name: 'idres_consumer_lag', help: 'Offset lag at the last batch', labelNames: ['topic', 'partition'], registers: [registry] }),
  };
}
