import pg from 'pg';
import type { FieldSealer, MatchModel, StandardizeOptions } from '@idres/core';
import {
  AvroSerde, RawRecordProducer, TOPIC_SPECS, createKafka, createRedis, createLogger, createMetrics, createProducer, readBaseConfig,
  type RunnerDeps, type ServiceApp,
} from '@idres/runtime';
import { buildStandardizeApp } from '../../services/standardize/src/app';
import { buildBlockApp } from '../../services/block/src/app';
import { buildMatchApp, fixedModel, type ModelSource } from '../../services/match/src/app';
import { buildResolveApp } from '../../services/resolve/src/app';
import { buildPublishApp } from '../../services/publish/src/app';
import { buildHouseholdsApp } from '../../services/households/src/app';
import { PgIdentitySource } from '../../services/households/src/identitySource';
import { PgHouseholdStore } from '@idres/households';
import { PipelineWatcher } from '../../packages/cli/src/pipelineWatcher';
import { resetPipeline } from '../../packages/cli/src/pipelineReset';

/**
 * The consuming services (five stages and households) built in-process from their app.ts against the real local stack, plus a watcher
 * on identity.resolved. Each harness uses its own consumer-group prefix; reset() wipes topics and state first.
 */
export class PipelineHarness {
  readonly config = readBaseConfig(process.env, 'test');
  readonly logger = createLogger('test', process.env['LOG_LEVEL'] ?? 'warn');
  readonly kafka = createKafka({ clientId: 'idres-test', brokers: this.config.kafkaBrokers, logger: this.logger, security: this.config.kafkaSecurity });
  readonly producer = createProducer(this.kafka);
  readonly serde = AvroSerde.connect(this.config.schemaRegistryUrl);
  readonly pool = new pg.Pool({ connectionString: this.config.databaseUrl, max: 8 });
  readonly redis = createRedis(this.config.redisUrl, {}, this.config.redisSecurity);
  readonly groupPrefix: string;
  readonly raw = new RawRecordProducer(this.producer, this.serde);
  readonly households = new PgHouseholdStore(this.pool);
  watcher!: PipelineWatcher;

  constructor(groupPrefix = `test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`) {
    this.groupPrefix = groupPrefix;
  }
  private apps: ServiceApp[] = [];

  /** A clean pipeline: empty topics, no resolve state, no block membership. */
  static async reset(): Promise<void> {
    const c = readBaseConfig(process.env, 'test');
    await resetPipeline({ kafkaBrokers: c.kafkaBrokers, databaseUrl: c.databaseUrl, redisUrl: c.redisUrl, partitions: c.partitions, groupPrefix: c.groupPrefix, kafkaSecurity: c.kafkaSecurity, redisSecurity: c.redisSecurity }, 'all');
  }

  async start(model: MatchModel, threshold: number, standardize: StandardizeOptions = {}, opts: { withoutResolve?: boolean; batchSize?: number; models?: ModelSource; sealer?: FieldSealer } = {}): Promise<void> {
    await this.serde.registerTopics(TOPIC_SPECS);
    await this.households.migrate();
    await this.producer.connect();
    const deps = (name: string): RunnerDeps => ({
      kafka: this.kafka, producer: this.producer, serde: this.serde, logger: this.logger.child({ stage: name }), metrics: createMetrics(name),
      groupPrefix: this.groupPrefix, batchSize: opts.batchSize ?? 500, partitionsConsumedConcurrently: 3,
    });
    this.apps = [
      buildStandardizeApp(deps('standardize'), { standardize, ...(opts.sealer ? { sealer: opts.sealer } : {}) }),
      buildBlockApp(deps('block'), this.redis, opts.models ? { models: opts.models } : { rules: model.json.settings.blockingRules }),
      buildMatchApp(deps('match'), this.redis, { models: opts.models ?? fixedModel(model, threshold), blockCap: 500, ...(opts.sealer ? { sealer: opts.sealer } : {}) }),
      ...(opts.withoutResolve ? [] : [buildResolveApp(deps('resolve'), this.pool)]),
      buildPublishApp(deps('publish'), this.pool, undefined, this.households, opts.sealer ? { sealer: opts.sealer } : {}),
      buildHouseholdsApp(deps('households'), this.households, new PgIdentitySource(this.pool)),
    ];
    // The watcher first, so it sees every event the apps produce (a replay starts producing at once).
    this.watcher = new PipelineWatcher(this.kafka, this.serde, this.groupPrefix, true);
    await this.watcher.start();
    for (const app of this.apps) await app.start();
  }

  /** Waits until every given record has a master ID or was quarantined, and all stage groups have no lag. */
  /** Sends a labelled dataset's records to identity.raw under `source` (250 per send); returns their record IDs. */
  async sendLabelled(records: ReadonlyArray<{ id: string; fields: Readonly<Record<string, unknown>> }>, source: string): Promise<string[]> {
    for (let i = 0; i < records.length; i += 250) {
      await this.raw.send(records.slice(i, i + 250).map((r) => ({
        source, sourceRecordId: r.id, attributes: {},
        fields: Object.fromEntries(Object.entries(r.fields).filter((e): e is [string, string] => typeof e[1] === 'string')),
      })));
    }
    return records.map((r) => `${source}:${r.id}`);
  }

  /** Every Redis key with its value as text (strings, hashes and sets), for tests that search what Redis holds. */
  async *redisEntries(): AsyncGenerator<{ key: string; text: string }> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await this.redis.type(key);
        const v = type === 'string' ? await this.redis.get(key) : type === 'hash' ? JSON.stringify(await this.redis.hgetall(key)) : type === 'set' ? JSON.stringify(await this.redis.smembers(key)) : '';
        yield { key, text: `${key} ${v ?? ''}` };
      }
    } while (cursor !== '0');
  }

  async waitForIdentities(recordIds: readonly string[], timeoutMs = 180_000): Promise<void> {
    const { settled, progress } = await this.watcher.waitUntilSettled(recordIds, { timeoutMs, pollMs: 400 });
    if (!settled) throw new Error(`timeout: ${progress.total - progress.resolved} records without master ID, lag ${progress.lag}`);
  }

  /** Partition of the given records into identities, as sorted member lists (for comparing runs). */
  partition(recordIds: readonly string[]): string[] {
    const groups = new Map<string, string[]>();
    for (const id of recordIds) {
      const m = this.watcher.masterOf.get(id)?.masterId ?? `none:${id}`;
      const g = groups.get(m) ?? [];
      g.push(id);
      groups.set(m, g);
    }
    return [...groups.values()].map((g) => g.sort().join(' ')).sort();
  }

  async stop(): Promise<void> {
    for (const app of [...this.apps].reverse()) await app.stop();
    await this.watcher?.stop();
    await this.producer.disconnect();
    await this.pool.end();
    this.redis.disconnect();
  }
}
