import { ConsumerRunner, errorCode, errorMessage, type InboundMessage, type RunnerDeps, type ServiceApp } from '@idres/runtime';
import { SourceDatabase, decodeConnectJson, sourceStatus, type ConnectClient, type SourceDefinition, type SourceStore, type StallRules } from '@idres/sources';
import { Counter, Gauge, Histogram } from 'prom-client';
import { applyChangeBatch } from './changeBatch';

export interface SourcesAppDeps extends RunnerDeps {
  store: SourceStore;
  connect: ConnectClient;
  /** How often the registered sources are re-read (new ones start following, removed ones stop). */
  pollMs: number;
  /** How often each source's health (connector, slot lag, stall) is checked. */
  healthMs: number;
  stallRules: StallRules;
}

interface Follower {
  def: SourceDefinition;
  runner: ConsumerRunner<unknown, unknown>;
  /** Highest offset whose counts are in the store, per partition (redeliveries after a crash count once). */
  applied: Map<number, bigint>;
  stalled: string | null;
}

/** The source database a connector reads, as its Connect config says (so idres keeps no password of its own). */
async function databaseOf(connect: ConnectClient, def: SourceDefinition): Promise<SourceDatabase | undefined> {
  const cfg = await connect.config(def.connectorName);
  if (!cfg) return undefined;
  const u = new URL('postgres://x@h/d');
  u.hostname = cfg['database.hostname'] ?? def.database.host;
  u.port = cfg['database.port'] ?? String(def.database.port);
  u.username = encodeURIComponent(cfg['database.user'] ?? def.database.user);
  u.password = encodeURIComponent(cfg['database.password'] ?? '');
  u.pathname = `/${cfg['database.dbname'] ?? def.database.dbname}`;
  return new SourceDatabase(u.toString());
}

/**
 * Follows every registered source: one consumer (group `<prefix>.sources.<name>`) per change topic, through the
 * shared consumer runner, so identity.raw gets each change before the change topic's offset is committed.
 * Also watches each source's connector and replication slot and reports a stall as an error and in metrics.
 */
export function buildSourcesApp(deps: SourcesAppDeps): ServiceApp {
  const reg = deps.metrics.registry;
  const applied = new Counter({ name: 'idres_source_applied_total', help: 'Change events applied to identity.raw, by source and kind (snapshot, change, delete, rejected)', labelNames: ['source', 'kind'], registers: [reg] });
  const errors = new Counter({ name: 'idres_source_errors_total', help: 'Source errors (stalls, connector failures, unreachable Connect or database), by code', labelNames: ['source', 'code'], registers: [reg] });
  const lag = new Histogram({ name: 'idres_source_change_lag_seconds', help: 'From the commit in the source to the change being applied by idres', labelNames: ['source'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [reg] });
  const up = new Gauge({ name: 'idres_source_up', help: '1 when the source connector and its tasks run', labelNames: ['source'], registers: [reg] });
  const stalledG = new Gauge({ name: 'idres_source_stalled', help: '1 when the source is stalled (see the service log and idres source status)', labelNames: ['source'], registers: [reg] });
  const slotLag = new Gauge({ name: 'idres_source_slot_lag_bytes', help: 'WAL the replication slot has not confirmed: how far behind the source the connector is', labelNames: ['source'], registers: [reg] });
  const snapRows = new Gauge({ name: 'idres_source_snapshot_rows', help: 'Snapshot rows applied', labelNames: ['source'], registers: [reg] });
  const snapEst = new Gauge({ name: 'idres_source_snapshot_estimated_rows', help: 'Rows in the source table by pg_class.reltuples', labelNames: ['source'], registers: [reg] });
  const lastApplied = new Gauge({ name: 'idres_source_last_applied_timestamp_seconds', help: 'When idres last applied a change of the source', labelNames: ['source'], registers: [reg] });
  const lastCommit = new Gauge({ name: 'idres_source_last_source_commit_timestamp_seconds', help: 'Source commit time of the last streamed change applied (the bookmark, as a time)', labelNames: ['source'], registers: [reg] });

  const followers = new Map<string, Follower>();
  let timers: NodeJS.Timeout[] = [];
  let running = false;
  let reconciling: Promise<void> = Promise.resolve();

  const follow = async (def: SourceDefinition): Promise<Follower> => {
    const progress = await deps.store.progress(def.name);
    const f: Follower = { def, applied: new Map(Object.entries(progress?.offsets ?? {}).map(([p, o]) => [Number(p), BigInt(o)])), stalled: null, runner: undefined as unknown as ConsumerRunner<unknown, unknown> };
    f.runner = new ConsumerRunner<unknown, unknown>({
      stage: `sources.${def.name}`,
      kafka: deps.kafka, producer: deps.producer, serde: deps.serde, logger: deps.logger, metrics: deps.metrics,
      groupId: `${deps.groupPrefix}.sources.${def.name}`,
      topic: def.topic, keySchema: '', valueSchema: '',
      decode: (bytes) => decodeConnectJson(bytes),
      maxBatchSize: deps.batchSize,
      partitionsConsumedConcurrently: deps.partitionsConsumedConcurrently,
      ...(deps.sessionTimeoutMs ? { sessionTimeoutMs: deps.sessionTimeoutMs } : {}),
      handle: async (messages: InboundMessage<unknown, unknown>[]) => {
        const partition = messages[0]?.partition ?? 0;
        const b = applyChangeBatch(def, messages, f.applied.get(partition), new Date());
        // Counted before the outputs are acknowledged; the offset guard keeps a redelivered batch from counting twice.
        await deps.store.recordProgress(def.name, b.delta);
        const prev = f.applied.get(partition);
        if (prev === undefined || BigInt(b.delta.lastOffset) > prev) f.applied.set(partition, BigInt(b.delta.lastOffset));
        applied.inc({ source: def.name, kind: 'snapshot' }, b.delta.snapshotRows);
        applied.inc({ source: def.name, kind: 'change' }, b.delta.changes);
        applied.inc({ source: def.name, kind: 'delete' }, b.delta.deletes);
        applied.inc({ source: def.name, kind: 'rejected' }, b.delta.rejected);
        for (const s of b.changeLagSeconds) lag.observe({ source: def.name }, s);
        lastApplied.set({ source: def.name }, Date.now() / 1000);
        if (b.delta.lastSourceTsMs !== null) lastCommit.set({ source: def.name }, b.delta.lastSourceTsMs / 1000);
        return b.result;
      },
    });
    await f.runner.start();
    deps.logger.info({ source: def.name, topic: def.topic }, 'following source');
    return f;
  };

  const reconcile = async (): Promise<void> => {
    const defs = await deps.store.list();
    const want = new Map(defs.map((d) => [d.name, d]));
    for (const [name, f] of followers) {
      const d = want.get(name);
      if (!d || JSON.stringify(d) !== JSON.stringify(f.def)) {
        await f.runner.stop();
        followers.delete(name);
        deps.logger.info({ source: name }, d ? 'source changed; following it again' : 'source removed; stopped following it');
      }
    }
    for (const d of defs) if (!followers.has(d.name) && running) followers.set(d.name, await follow(d));
  };

  const checkHealth = async (): Promise<void> => {
    for (const f of followers.values()) {
      const name = f.def.name;
      try {
        const db = await databaseOf(deps.connect, f.def);
        const r = await sourceStatus(f.def, { store: deps.store, connect: deps.connect, db, rules: deps.stallRules });
        up.set({ source: name }, r.connector.state === 'RUNNING' && r.connector.tasks.every((t) => t.endsWith('RUNNING')) ? 1 : 0);
        stalledG.set({ source: name }, r.stalled ? 1 : 0);
        if (r.slot) slotLag.set({ source: name }, r.slot.lagBytes);
        snapRows.set({ source: name }, r.snapshot.rowsDone);
        snapEst.set({ source: name }, r.snapshot.estimatedRows);
        if (r.stalled && r.stalled !== f.stalled) {
          errors.inc({ source: name, code: 'SOURCE_STALLED' });
          deps.logger.error({ source: name, code: 'SOURCE_STALLED', reason: r.stalled }, 'source stalled');
          await deps.store.recordError(name, 'SOURCE_STALLED', r.stalled, new Date());
        } else if (!r.stalled && f.stalled) {
          deps.logger.info({ source: name }, 'source recovered');
        }
        f.stalled = r.stalled;
      } catch (err) {
        const code = errorCode(err);
        errors.inc({ source: name, code });
        up.set({ source: name }, 0);
        deps.logger.warn({ source: name, code, err: errorMessage(err) }, 'source health check failed');
      }
    }
  };

  const serialized = (fn: () => Promise<void>) => (): void => {
    reconciling = reconciling.then(fn).catch((err: unknown) => deps.logger.warn({ err: errorMessage(err) }, 'sources: periodic task failed'));
  };

  return {
    start: async () => {
      running = true;
      await reconcile();
      timers = [setInterval(serialized(reconcile), deps.pollMs), setInterval(serialized(checkHealth), deps.healthMs)];
      serialized(checkHealth)();
    },
    stop: async () => {
      running = false;
      for (const t of timers) clearInterval(t);
      await reconciling;
      for (const f of followers.values()) await f.runner.stop();
      followers.clear();
    },
    isReady: () => running && [...followers.values()].every((f) => f.runner.isRunning()),
    readyDetails: () => ({ sources: Object.fromEntries([...followers].map(([n, f]) => [n, { following: f.runner.isRunning(), stalled: f.stalled }])) }),
  };
}
