import assert from 'node:assert/strict';
import { OverrideDesk, PgOverrideStore } from '@idres/overrides';
import type { PipelineHarness } from './pipelineHarness';

export interface Decisions {
  /** Two records the run without decisions put in one identity: a reviewer says they are different people. */
  different: [string, string];
  /** Two records of different identities in that run: a reviewer says they are the same person. */
  same: [string, string];
}

/** Decisions that contradict a partition (sorted member lists joined by spaces), so obeying them shows. */
export function decisionsAgainst(partition: readonly string[]): Decisions {
  const groups = partition.map((g) => g.split(' '));
  const linked = groups.find((g) => g.length >= 2);
  const singles = groups.filter((g) => g.length === 1);
  assert.ok(linked && singles.length >= 2, 'the run links some records and leaves some alone');
  return { different: [linked[0]!, linked[1]!], same: [singles[0]![0]!, singles[1]![0]!] };
}

const together = (partition: readonly string[], [a, b]: [string, string]): boolean => partition.some((g) => { const m = g.split(' '); return m.includes(a) && m.includes(b); });

export function assertObeys(partition: readonly string[], d: Decisions, what: string): void {
  assert.ok(!together(partition, d.different), `${what}: records called different people are in one identity`);
  assert.ok(together(partition, d.same), `${what}: records called the same person are in different identities`);
}

/** Makes both decisions the way the console does: stored in Postgres, then published on identity.overrides. */
export async function decide(h: PipelineHarness, d: Decisions): Promise<void> {
  const desk = new OverrideDesk({ store: new PgOverrideStore(h.pool), producer: h.producer, serde: h.serde });
  await desk.decide({ a: d.different[0], b: d.different[1], decision: 'DIFFERENT', reviewer: 'test' });
  await desk.decide({ a: d.same[0], b: d.same[1], decision: 'SAME', reviewer: 'test' });
}
