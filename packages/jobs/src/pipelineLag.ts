import type { Admin } from 'kafkajs';
// The CLI's list, so a job waits for every consumer group the CLI's own drain waits for (households included).
import { STAGE_GROUPS } from '@idres/cli/src/pipelineWatcher';

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
