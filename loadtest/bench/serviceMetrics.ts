import type { Admin } from 'kafkajs';
import { TOPICS } from '@idres/runtime';

/**
 * Counters of one service's Prometheus /metrics: every `idres_*_total` counter (summed over its labels) except the
 * default process/Node.js metrics. Undefined when the service does not answer.
 */
export async function scrapeCounters(port: number): Promise<Record<string, number> | undefined> {
  let text: string;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1500) });
    if (!res.ok) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(idres_[a-z0-9_]+_total)(?:\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const name = m[1]!;
    if (name.startsWith('idres_process_') || name.startsWith('idres_nodejs_')) continue;
    const v = Number(m[2]);
    if (Number.isFinite(v)) out[name] = (out[name] ?? 0) + v;
  }
  return out;
}

/** Consumer group (stage) and the topic it reads, as PipelineWatcher.pipelineLag() sums them. */
export const STAGE_INPUTS: ReadonlyArray<readonly [string, string]> = [
  ['standardize', TOPICS.raw],
  ['block', TOPICS.standardized],
  ['match', TOPICS.blocked],
  ['resolve', TOPICS.pairs],
  ['publish', TOPICS.resolved],
];

/** Lag of each stage's consumer group (same arithmetic as PipelineWatcher.pipelineLag, kept per group). */
export async function lagPerStage(admin: Admin, groupPrefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await Promise.all(STAGE_INPUTS.map(async ([stage, topic]) => {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: `${groupPrefix}.${stage}`, topics: [topic] }),
    ]);
    const byPart = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    let lag = 0;
    for (const e of ends) {
      const c = byPart.get(e.partition) ?? -1;
      lag += Math.max(0, Number(e.high) - (c < 0 ? Number(e.low) : c));
    }
    out[stage] = lag;
  }));
  return out;
}
