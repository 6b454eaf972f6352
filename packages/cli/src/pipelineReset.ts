import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { HOUSEHOLD_TABLES } from '@idres/households';
import { RedisBlockStore, TOPIC_SPECS, TOPICS, createKafka, createRedis, createLogger, ensureTopics, kafkaSecurityFrom, redisSecurityFrom, type KafkaSecurity, type RedisSecurity, type TopicName } from '@idres/runtime';

/** The stage whose input topic a replay starts from; everything downstream of it is rebuilt. */
export type ReplayFrom = 'raw' | 'standardized' | 'blocked' | 'pairs';

const ORDER: ReadonlyArray<{ from: ReplayFrom; topic: TopicName; stage: string }> = [
  { from: 'raw', topic: TOPICS.raw, stage: 'standardize' },
  { from: 'standardized', topic: TOPICS.standardized, stage: 'block' },
  { from: 'blocked', topic: TOPICS.blocked, stage: 'match' },
  { from: 'pairs', topic: TOPICS.pairs, stage: 'resolve' },
];

export interface ResetEnv {
  kafkaBrokers: string[];
  databaseUrl: string;
  redisUrl: string;
  partitions: number;
  groupPrefix: string;
  /** TLS/SASL settings (BaseConfig's); default: from process.env. */
  kafkaSecurity?: KafkaSecurity;
  redisSecurity?: RedisSecurity;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ResetOptions {
  /**
   * Rescore: rebuild blocks and pairs but keep resolve's records and identities (only its pairs are dropped)
   * and identity.resolved / identity.golden, so the identities are recomputed from the new pairs and keep their
   * master IDs where their records stay together.
   */
  keepIdentities?: boolean;
}

/**
 * Rebuilds the pipeline from `from` on (services must be stopped): the topics after it are deleted and
 * recreated empty, the state they feed (Redis block membership when blocks are rebuilt; resolve's tables) is
 * wiped, and the consumer group reading `from` is set back to the earliest offset. `from: 'all'` also empties
 * identity.raw and the quarantine: a clean slate.
 */
export async function resetPipeline(env: ResetEnv, from: ReplayFrom | 'all', opts: ResetOptions = {}): Promise<{ recreated: string[] }> {
  const keepIdentities = opts.keepIdentities === true && from !== 'all' && from !== 'pairs';
  const logger = createLogger('idres-reset', 'warn');
  const kafka = createKafka({ clientId: 'idres-reset', brokers: env.kafkaBrokers, logger, security: env.kafkaSecurity ?? kafkaSecurityFrom(process.env) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const idx = from === 'all' ? -1 : ORDER.findIndex((o) => o.from === from);
    const keep = new Set<string>(from === 'all' ? [] : ORDER.slice(0, idx + 1).map((o) => o.topic));
    if (from !== 'all') { keep.add(TOPICS.quarantine); keep.add(TOPICS.overrides); } // reviewers' decisions survive a replay
    if (keepIdentities) { keep.add(TOPICS.resolved); keep.add(TOPICS.golden); keep.add(TOPICS.households); }
    const existing = new Set(await admin.listTopics());
    const drop = TOPIC_SPECS.map((t) => t.name).filter((t) => !keep.has(t) && existing.has(t));
    if (drop.length > 0) await admin.deleteTopics({ topics: drop, timeout: 30_000 });
    for (let i = 0; i < 150 && (await admin.listTopics()).some((t) => drop.includes(t as TopicName)); i++) await sleep(200);
    for (let i = 0; ; i++) {
      try {
        await ensureTopics(admin, env.partitions);
        break;
      } catch (err) {
        if (i > 60) throw err; // the broker finishes deleting topics asynchronously
        await sleep(500);
      }
    }
    // Groups of rebuilt stages start over; so does the group reading the replay topic. (After a full reset the
    // topics are new, so old offsets no longer apply.)
    if (from !== 'all') {
      const groups = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
      const identityReaders = [{ topic: TOPICS.resolved, stage: 'publish' }, { topic: TOPICS.resolved, stage: 'households' }, { topic: TOPICS.households, stage: 'publish-households' }];
      for (const o of [...ORDER.slice(idx), ...(keepIdentities ? [] : identityReaders)]) {
        const groupId = `${env.groupPrefix}.${o.stage}`;
        if (!groups.has(groupId)) continue;
        try {
          await admin.resetOffsets({ groupId, topic: o.topic, earliest: true });
        } catch (err) {
          throw new Error(`cannot rewind consumer group ${groupId} (${(err as Error).message}): stop its service instances first`);
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (from === 'all' || from === 'raw' || from === 'standardized' || from === 'blocked') {
    const redis = createRedis(env.redisUrl, {}, env.redisSecurity ?? redisSecurityFrom({ ...process.env, REDIS_URL: env.redisUrl }));
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', 'idres:*', 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      // Empty on purpose and consistent with the rewound consumer groups: not a lost state to rebuild.
      await new RedisBlockStore(redis).setEpoch(randomUUID());
    } finally {
      redis.disconnect();
    }
  }
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 1 });
  try {
    // Reviewers' decisions (idres_overrides) survive a replay, which obeys them; only a full reset forgets them.
    // The console's identity history (services/console/src/consoleQueries.ts) goes with the identities it describes.
    const tables = keepIdentities ? `'idres_edges'` : `'idres_records', 'idres_clusters', 'idres_edges', 'idres_event_outbox', 'idres_identity_history', ${HOUSEHOLD_TABLES.map((t) => `'${t}'`).join(', ')}${from === 'all' ? `, 'idres_overrides'` : ''}`;
    await pool.query(`DO $$ DECLARE t text; BEGIN
      FOREACH t IN ARRAY ARRAY[${tables}] LOOP
        IF to_regclass(t) IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t; END IF;
      END LOOP;
    END $$;`);
  } finally {
    await pool.end();
  }
  return { recreated: TOPIC_SPECS.map((t) => t.name) };
}
