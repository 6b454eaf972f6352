import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS and Node cannot see this export by name.
const { ConfigResourceTypes } = kafkajs;
/** kafkajs's config resource type of a topic, for describeConfigs / alterConfigs. */
export const TOPIC_CONFIG_RESOURCE = ConfigResourceTypes.TOPIC;
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

/**
 * Where a topic's copy of a record's values goes when the record is erased (docs/security.md, Erasure):
 * - `tombstone`: compacted and keyed by record; erasure writes a tombstone and compaction drops every version;
 * - `rewritten`: compacted by another key (identity, household); the pipeline writes the version without the
 *   record, and compaction drops the older ones;
 * - `expires`: keyed by partition or block (packs), so no per-record delete exists; values leave with the topic's
 *   time retention (segments roll daily, so at most retention + one day);
 * - `no-values`: holds record IDs and decisions only.
 */
export type ErasurePath = 'tombstone' | 'rewritten' | 'expires' | 'no-values';

export interface TopicSpec {
  name: TopicName;
  keySchema: string;
  valueSchema: string;
  /** Why the key is what it is; printed in the README table. */
  keyReason: string;
  config: Record<string, string>;
  erasure: ErasurePath;
  /** Set on internal topics whose messages each carry many items for one partition (see messagePacks.ts). */
  packed?: PackedTopic;
}

const DAY_MS = 24 * 3600 * 1000;
const WEEK_MS = String(7 * DAY_MS);
/**
 * Compacted topics that hold values compact within a day of a change (KIP-354): this also rolls their active
 * segment daily, which compaction needs, so an erased record's older versions are gone within a day or so.
 * Tombstones stay a week, as long as the internal topics keep messages, so a consumer that lags by days still
 * sees the delete.
 */
const COMPACT_FOR_ERASURE = { 'max.compaction.lag.ms': String(DAY_MS), 'delete.retention.ms': WEEK_MS } as const;
/** Time-retained topics roll a segment daily so a value leaves at most a day after its retention ends. */
const DAILY_SEGMENTS = { 'segment.ms': String(DAY_MS) } as const;

export const TOPIC_SPECS: readonly TopicSpec[] = [
  // The input is what a replay rebuilds from: compacted, so it keeps the latest version of every record for good, and a delete's tombstone removes all of them.
  { name: TOPICS.raw, keySchema: 'RecordKey', valueSchema: 'RawRecord', erasure: 'tombstone', keyReason: 'source + source record ID: all versions and the tombstone of one record stay in order on one partition; compacted, so the latest version of each record is kept and a tombstone erases it', config: { 'cleanup.policy': 'compact', ...COMPACT_FOR_ERASURE } },
  { name: TOPICS.standardized, keySchema: 'RecordKey', valueSchema: 'StandardizedRecord', erasure: 'tombstone', keyReason: 'same record key as identity.raw, so per-record order is kept', config: { 'cleanup.policy': 'compact,delete', 'retention.ms': WEEK_MS, ...COMPACT_FOR_ERASURE } },
  { name: TOPICS.blocked, keySchema: 'PackKey', valueSchema: 'BlockedRecordPack', packed: { itemSchema: 'BlockedRecord' }, erasure: 'expires', keyReason: 'packed: each message holds the references whose blocking key hashes to its partition, so every record of a block lands on one partition and one match instance sees the whole block', config: { 'retention.ms': WEEK_MS, ...DAILY_SEGMENTS } },
  { name: TOPICS.pairs, keySchema: 'PackKey', valueSchema: 'PairEventPack', packed: { itemSchema: 'PairEvent' }, erasure: 'expires', keyReason: 'packed: each message holds the events whose lower record ID (the record itself for RECORD/DELETE events) hashes to its partition: spreads load; resolve is order-independent across partitions', config: { 'retention.ms': WEEK_MS, ...DAILY_SEGMENTS } },
  { name: TOPICS.resolved, keySchema: 'MasterKey', valueSchema: 'ResolvedEvent', erasure: 'no-values', keyReason: 'master ID: events of one identity stay in order', config: { 'retention.ms': WEEK_MS } },
  { name: TOPICS.golden, keySchema: 'MasterKey', valueSchema: 'GoldenRecord', erasure: 'rewritten', keyReason: 'master ID, compacted: the latest golden record per identity, tombstone when it is gone', config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000', ...COMPACT_FOR_ERASURE } },
  { name: TOPICS.households, keySchema: 'HouseholdKey', valueSchema: 'Household', erasure: 'rewritten', keyReason: 'household ID, compacted: the latest version of each household, tombstone when it is gone', config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000', ...COMPACT_FOR_ERASURE } },
  { name: TOPICS.overrides, keySchema: 'OverrideKey', valueSchema: 'OverrideEvent', erasure: 'no-values', keyReason: 'the two records of the decision: decisions about one pair stay in order', config: { 'retention.ms': '-1' } }, // reviewers' decisions: an audit log, kept like the input
  // Keyed by each bad message (stage + where it was), so compaction never merges two entries; erasure tombstones the entries of the record.
  { name: TOPICS.quarantine, keySchema: 'QuarantineKey', valueSchema: 'QuarantineRecord', erasure: 'tombstone', keyReason: 'stage + record reference of the bad message', config: { 'cleanup.policy': 'compact,delete', 'retention.ms': String(30 * DAY_MS), ...COMPACT_FOR_ERASURE, ...DAILY_SEGMENTS } },
];

/**
 * The longest a topic keeps an erased record's values after the erasure (or after the pipeline has rewritten what
 * derives from it), from its configuration: compaction lag for compacted topics, retention plus one segment for
 * time-retained ones; 0 for topics without values.
 */
export function erasureBoundMs(spec: TopicSpec): number {
  if (spec.erasure === 'no-values') return 0;
  const num = (k: string, d: number): number => Number(spec.config[k] ?? d);
  if (spec.erasure === 'expires') return num('retention.ms', 7 * DAY_MS) + num('segment.ms', 7 * DAY_MS);
  return num('max.compaction.lag.ms', 7 * DAY_MS);
}

/** The packing of a topic, or undefined for a topic of one record per message. */
export function packingOf(topic: string): PackedTopic | undefined {
  return TOPIC_SPECS.find((t) => t.name === topic)?.packed;
}

export function topicSpec(name: TopicName): TopicSpec {
  const spec = TOPIC_SPECS.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown topic ${name}`);
  return spec;
}

/**
 * Creates missing topics with explicit partition counts and configs. On existing topics it only adds what an older
 * idres did not set (see reconcileTopicConfigs); values an operator set on a topic are kept.
 */
export async function ensureTopics(admin: Admin, partitions: number, replicationFactor = 1, specs: readonly TopicSpec[] = TOPIC_SPECS): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  await reconcileTopicConfigs(admin, specs.filter((s) => existing.has(s.name)));
  if (missing.length === 0) return;
  try {
    await createTopics(admin, missing, partitions, replicationFactor);
  } catch (err) {
    // Several services start at once and race to create the same topics; only fail if some are still missing.
    const now = new Set(await admin.listTopics());
    if (specs.some((s) => !now.has(s.name))) throw err;
  }
}

/** kafkajs's ConfigSource for a value set on the topic itself. */
const TOPIC_CONFIG_SOURCE = 1;

/**
 * Brings topics made by an older idres up to their spec: sets the spec's `cleanup.policy` (identity.raw became
 * compacted, so erasure can remove a record's versions) and every spec key the topic has not set itself. Other
 * topic-level values are kept: they are the operator's.
 */
export async function reconcileTopicConfigs(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  if (specs.length === 0) return [];
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: specs.map((s) => ({ type: TOPIC_CONFIG_RESOURCE, name: s.name })) });
  const changed: string[] = [];
  for (const res of described.resources) {
    const spec = specs.find((s) => s.name === res.resourceName);
    if (!spec) continue;
    const own = new Map(res.configEntries.filter((e) => e.configSource === TOPIC_CONFIG_SOURCE).map((e) => [e.configName, e.configValue]));
    const wanted = new Map(own);
    for (const [k, v] of Object.entries(spec.config)) if (k === 'cleanup.policy' || !own.has(k)) wanted.set(k, v);
    const same = wanted.size === own.size && [...wanted].every(([k, v]) => own.get(k) === v);
    if (same) continue;
    // AlterConfigs (not incremental) replaces the topic's own values: send all of them.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_CONFIG_RESOURCE, name: spec.name, configEntries: [...wanted].map(([name, value]) => ({ name, value })) }] });
    changed.push(spec.name);
  }
  return changed;
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
