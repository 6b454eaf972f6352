import type { Admin } from 'kafkajs';
import type { PackedTopic } from './messagePacks';

export const TOPICS = {
  raw: 'identity.raw',
  standardized: 'identity.standardized',
  blocked: 'identity.blocks',
  pairs: 'identity.pairs.v2',
  resolved: 'identity.resolved',
  golden: 'identity.golden',
  quarantine: 'identity.quarantine',
  households: 'identity.households',
  overrides: 'identity.overrides',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  name: TopicName;
  keySchema: string;
  valueSchema: string;
  /** Why the key is what it is; printed in the README table. */
  keyReason: string;
  config: Record<string, string>;
  /** Set on internal topics whose messages each carry many items for one partition (see messagePacks.ts). */
  packed?: PackedTopic;
}

const WEEK_MS = String(7 * 24 * 3600 * 1000);

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPICS.raw, keySchema: 'RecordKey', valueSchema: 'RawRecord', keyReason: 'source + source record ID: all versions and the tombstone of one record stay in order on one partition', config: { 'retention.ms': '-1' } }, // kept forever: the input is what a replay rebuilds from
  { name: TOPICS.standardized, keySchema: 'RecordKey', valueSchema: 'StandardizedRecord', keyReason: 'same record key as identity.raw, so per-record order is kept', config: { 'retention.ms': WEEK_MS } },
  { name: TOPICS.blocked, keySchema: 'PackKey', valueSchema: 'BlockedRecordPack', packed: { itemSchema: 'BlockedRecord' }, keyReason: 'packed: each message holds the references whose blocking key hashes to its partition, so every record of a block lands on one partition and one match instance sees the whole block', config: { 'retention.ms': WEEK_MS } },
  { name: TOPICS.pairs, keySchema: 'PackKey', valueSchema: 'PairEventPack', packed: { itemSchema: 'PairEvent' }, keyReason: 'packed: each message holds the events whose lower record ID (the record itself for RECORD/DELETE events) hashes to its partition: spreads load; resolve is order-independent across partitions', config: { 'retention.ms': WEEK_MS } },
  { name: TOPICS.resolved, keySchema: 'MasterKey', valueSchema: 'ResolvedEvent', keyReason: 'master ID: events of one identity stay in order', config: { 'retention.ms': WEEK_MS } },
  { name: TOPICS.golden, keySchema: 'MasterKey', valueSchema: 'GoldenRecord', keyReason: 'master ID, compacted: the latest golden record per identity, tombstone when it is gone', config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' } },
  { name: TOPICS.households, keySchema: 'HouseholdKey', valueSchema: 'Household', keyReason: 'household ID, compacted: the latest version of each household, tombstone when it is gone', config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' } },
  { name: TOPICS.overrides, keySchema: 'OverrideKey', valueSchema: 'OverrideEvent', keyReason: 'the two records of the decision: decisions about one pair stay in order', config: { 'retention.ms': '-1' } }, // reviewers' decisions: an audit log, kept like the input
  { name: TOPICS.quarantine, keySchema: 'QuarantineKey', valueSchema: 'QuarantineRecord', keyReason: 'stage + record reference of the bad message', config: { 'retention.ms': String(30 * 24 * 3600 * 1000) } },
];

/** The packing of a topic, or undefined for a topic of one record per message. */
export function packingOf(topic: string): PackedTopic | undefined {
  return TOPIC_SPECS.find((t) => t.name === topic)?.packed;
}

export function topicSpec(name: TopicName): TopicSpec {
  const spec = TOPIC_SPECS.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown topic ${name}`);
  return spec;
}

/** Creates missing topics with explicit partition counts and configs; existing topics are left alone. */
export async function ensureTopics(admin: Admin, partitions: number, replicationFactor = 1, specs: readonly TopicSpec[] = TOPIC_SPECS): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return;
  try {
    await createTopics(admin, missing, partitions, replicationFactor);
  } catch (err) {
    // Several services start at once and race to create the same topics; only fail if some are still missing.
    const now = new Set(await admin.listTopics());
    if (specs.some((s) => !now.has(s.name))) throw err;
  }
}

async function createTopics(admin: Admin, missing: readonly TopicSpec[], partitions: number, replicationFactor: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({
      topic: s.name,
      numPartitions: partitions,
      replicationFactor,
      configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
    })),
  });
}
