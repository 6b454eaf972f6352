import type { Admin } from 'kafkajs';
import { TOPICS } from '@idres/runtime';

/** The stages' consumer groups and the topic each reads (lag = messages not yet processed). */
const GROUPS: ReadonlyArray<{ service: string; group: string; topic: string }> = [
  { service: 'standardize', group: 'standardize', topic: TOPICS.raw },
  { service: 'block', group: 'block', topic: TOPICS.standardized },
  { service: 'match', group: 'match', topic: TOPICS.blocked },
  { service: 'resolve', group: 'resolve', topic: TOPICS.pairs },
  { service: 'resolve', group: 'resolve-overrides', topic: TOPICS.overrides },
  { service: 'publish', group: 'publish', topic: TOPICS.resolved },
];

export interface ServiceState {
  name: string;
  url: string;
  ready: boolean;
  /** /ready's body (model in use, ...), or the error reaching it. */
  details: Record<string, unknown>;
  /** Sum of idres_messages_in_total and idres_messages_out_total from /metrics (the page turns two readings into rates). */
  messagesIn: number | null;
  messagesOut: number | null;
  /** Messages waiting for this service, per consumer group. */
  lag: Array<{ group: string; topic: string; lag: number }>;
}

/** Sums a Prometheus counter over its label sets from /metrics text. */
export function sumCounter(metricsText: string, name: string): number | null {
  let sum = 0;
  let seen = false;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) { sum += v; seen = true; }
  }
  return seen ? sum : null;
}

async function fetchText(url: string): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Each service's own /ready and /metrics, and its consumer groups' lag from Kafka. */
export async function pipelineStatus(o: { services: ReadonlyArray<{ name: string; url: string }>; admin: Admin; groupPrefix: string }): Promise<ServiceState[]> {
  const lags = await Promise.all(GROUPS.map(async (g) => {
    try {
      const ends = await o.admin.fetchTopicOffsets(g.topic);
      const committed = await o.admin.fetchOffsets({ groupId: `${o.groupPrefix}.${g.group}`, topics: [g.topic] });
      const byPart = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      let lag = 0;
      for (const e of ends) {
        const c = byPart.get(e.partition) ?? -1;
        lag += Math.max(0, Number(e.high) - (c < 0 ? Number(e.low) : c));
      }
      return { ...g, lag };
    } catch {
      return { ...g, lag: -1 };
    }
  }));
  return Promise.all(o.services.map(async (s) => {
    const [ready, metrics] = await Promise.all([fetchText(`${s.url}/ready`), fetchText(`${s.url}/metrics`)]);
    let details: Record<string, unknown> = {};
    if ('error' in ready) details = { error: ready.error };
    else { try { details = JSON.parse(ready.text) as Record<string, unknown>; } catch { details = { error: `/ready answered ${ready.status}` }; } }
    const text = 'text' in metrics ? metrics.text : '';
    return {
      name: s.name,
      url: s.url,
      ready: 'status' in ready && ready.status === 200,
      details,
      messagesIn: sumCounter(text, 'idres_messages_in_total'),
      // resolve sends its events from its outbox, counted by its own counter.
      messagesOut: sumCounter(text, 'idres_messages_out_total') ?? sumCounter(text, 'idres_resolve_events_total'),
      lag: lags.filter((l) => l.service === s.name).map((l) => ({ group: `${o.groupPrefix}.${l.group}`, topic: l.topic, lag: l.lag })),
    };
  }));
}
