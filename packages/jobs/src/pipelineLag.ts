import type { Admin } from 'kafkajs';
import { TOPICS } from '@idres/runtime';

/** Each consuming stage's group and the topic it reads (as the CLI's PipelineWatcher counts them). */
const STAGE_GROUPS: ReadonlyArray<[string, string]> = [
  ['standardize', TOPICS.raw],
  ['block', TOPICS.standardized],
  ['match', TOPICS.blocked],
  ['resolve', TOPICS.pairs],
  ['publish', TOPICS.resolved],
];

/** Messages not yet processed, summed over every stage's consumer group. */
export async function pipelineLag(admin: Admin, groupPrefix: string): Promise<number> {
  let lag = 0;
  for (const [stage, topic] of STAGE_GROUPS) {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId: `${groupPrefix}.${stage}`, topics: [topic] });
    const byPart = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    for (const e of ends) {
      const c = byPart.get(e.partition) ?? -1;
      const start = c < 0 ? Number(e.low) : c;
      lag += Math.max(0, Number(e.high) - start);
    }
  }
  return lag;
}
