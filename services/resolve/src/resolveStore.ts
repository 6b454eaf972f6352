import type { Pool, PoolClient } from 'pg';
import { mergePlan, splitComponents } from '@idres/core/unionFind';
import { IdresRuntimeError, type ResolvedEventAvro } from '@idres/runtime';
import { masterIdOf } from '@idres/core/masterId';
import { RESOLVE_SCHEMA_SQL } from './schema';

export interface RecordChange {
  kind: 'RECORD' | 'DELETE';
  recordId: string;
  version: number;
  values: Record<string, string>;
  ingestedAt: number;
}

export interface PairChange {
  a: string;
  av: number;
  b: string;
  bv: number;
  probability: number;
  matchWeight: number;
  rule: string | null;
  explanation: unknown;
  ingestedAt: number;
}

export interface ResolveBatch {
  records: RecordChange[];
  pairs: PairChange[];
}

interface RowState {
  version: number;
  deleted: boolean;
  registered: boolean;
  clusterId: number | null;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** Folds duplicates inside a batch: per record the highest version wins; per pair the newest versions. */
export function foldBatch(batch: ResolveBatch): ResolveBatch {
  const recs = new Map<string, RecordChange>();
  for (const r of batch.records) {
    const prev = recs.get(r.recordId);
    if (!prev || r.version > prev.version || (r.version === prev.version && r.kind === 'DELETE')) recs.set(r.recordId, r);
  }
  const pairs = new Map<string, PairChange>();
  for (const p0 of batch.pairs) {
    const p = p0.a < p0.b ? p0 : { ...p0, a: p0.b, av: p0.bv, b: p0.a, bv: p0.av };
    if (p.a === p.b) continue;
    const k = `${p.a}\u0000${p.b}`;
    const prev = pairs.get(k);
    if (!prev || p.av + p.bv > prev.av + prev.bv) pairs.set(k, p);
  }
  return { records: [...recs.values()], pairs: [...pairs.values()] };
}

/**
 * Union-find state in Postgres. Each record row points at its cluster; a cluster is a connected component of the
 * live edges between live records, and its ID is the master ID number (older = smaller). One transaction per
 * batch: the batch's unions are computed in memory, then applied with set-based SQL. Clusters are locked in
 * ascending ID order before any record row is changed, so concurrent resolve instances neither deadlock on
 * each other nor lose unions; a cluster that moved between read and lock makes the batch retry.
 */
export class PostgresResolveStore {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('SELECT pg_advisory_lock(727101)');
      await c.query(RESOLVE_SCHEMA_SQL);
      await c.query('SELECT pg_advisory_unlock(727101)');
    } finally {
      c.release();
    }
  }

  /** Applies a batch and queues the resulting events in the outbox, atomically. Returns how many events were queued. */
  async apply(batch0: ResolveBatch): Promise<number> {
    const batch = foldBatch(batch0);
    if (batch.records.length === 0 && batch.pairs.length === 0) return 0;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const n = await this.applyIn(c, batch);
      await c.query('COMMIT');
      return n;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  private async applyIn(c: PoolClient, batch: ResolveBatch): Promise<number> {
    const ids = [...new Set([...batch.records.map((r) => r.recordId), ...batch.pairs.flatMap((p) => [p.a, p.b])])].sort();
    // 1. Read which records exist; insert rows for the new ones in sorted order, so concurrent batches naming the
    //    same new record queue on it instead of deadlocking. Then lock the clusters of the known records
    //    (ascending), then those records, and check nothing moved in between.
    const state = new Map<string, RowState>();
    const seen = await c.query<{ record_id: string; cluster_id: string | null }>(`SELECT record_id, cluster_id FROM idres_records WHERE record_id = ANY($1)`, [ids]);
    const existing = new Set(seen.rows.map((r) => r.record_id));
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      const inserted = await c.query<{ record_id: string }>(
        `INSERT INTO idres_records (record_id) SELECT id FROM unnest($1::text[]) AS t(id) ORDER BY id ON CONFLICT (record_id) DO NOTHING RETURNING record_id`,
        [missing],
      );
      for (const r of inserted.rows) state.set(r.record_id, { version: 0, deleted: false, registered: false, clusterId: null });
    }
    const known = ids.filter((id) => !state.has(id));
    if (known.length > 0) {
      // Clusters as first read (rows inserted concurrently since have none yet); re-checked under lock below.
      const firstClusters = [...new Set(seen.rows.filter((r) => r.cluster_id !== null).map((r) => num(r.cluster_id)))];
      const lockedSet = new Set<number>();
      const lock = async (clusterIds: number[]): Promise<void> => {
        if (clusterIds.length === 0) return;
        const locked = await c.query<{ cluster_id: string }>(`SELECT cluster_id FROM idres_clusters WHERE cluster_id = ANY($1) ORDER BY cluster_id FOR UPDATE`, [clusterIds.sort((x, y) => x - y)]);
        for (const r of locked.rows) lockedSet.add(num(r.cluster_id));
      };
      await lock(firstClusters);
      // A concurrent batch may have merged one of those clusters away meanwhile: then lock where the records are
      // now and read again. Out of order, that could deadlock; Postgres detects it and the batch is retried.
      for (let round = 0; ; round++) {
        const rows = await c.query<{ record_id: string; version: string; deleted: boolean; registered: boolean; cluster_id: string | null }>(
          `SELECT record_id, version, deleted, registered, cluster_id FROM idres_records WHERE record_id = ANY($1) ORDER BY record_id FOR UPDATE`,
          [known],
        );
        const moved = [...new Set(rows.rows.map((r) => (r.cluster_id === null ? null : num(r.cluster_id))).filter((x): x is number => x !== null && !lockedSet.has(x)))];
        if (moved.length === 0) {
          for (const r of rows.rows) {
            state.set(r.record_id, { version: num(r.version), deleted: r.deleted, registered: r.registered, clusterId: r.cluster_id === null ? null : num(r.cluster_id) });
          }
          break;
        }
        if (round >= 5) throw new IdresRuntimeError('HANDLER_FAILED', `clusters ${moved.join(', ')} keep changing under concurrent resolves; retrying batch`, { retriable: true });
        await lock(moved);
      }
    }
    // Cluster of each record as stored: records still in an absorbed cluster are moved by the set-based relabel.
    const storedCluster = new Map<string, number | null>([...state].map(([id, st]) => [id, st.clusterId]));

    const splitCheck = new Set<number>();
    const touched = new Set<number>();
    const edgeDrops = new Map<string, number>(); // record -> drop its edges whose version of it is below this
    const changed = new Set<string>();
    const newValues = new Map<string, { values: string | null; ingestedAt: number | null }>();
    const bump = (id: string, s: RowState, version: number): void => {
      if (s.version > 0) edgeDrops.set(id, version);
      if (s.clusterId !== null && s.version > 0) splitCheck.add(s.clusterId);
      s.version = version;
      changed.add(id);
    };

    // 3. Record events: newer versions replace older ones; deletes detach the record from its cluster.
    for (const r of batch.records) {
      const s = state.get(r.recordId)!;
      if (s.version > r.version) continue;
      if (r.kind === 'DELETE') {
        if (s.deleted && s.version === r.version) continue;
        edgeDrops.set(r.recordId, Number.MAX_SAFE_INTEGER);
        if (s.clusterId !== null) {
          splitCheck.add(s.clusterId);
          touched.add(s.clusterId);
        }
        Object.assign(s, { version: r.version, deleted: true, registered: true, clusterId: null });
        changed.add(r.recordId);
        newValues.set(r.recordId, { values: '{}', ingestedAt: r.ingestedAt });
        continue;
      }
      if (s.version === r.version && s.registered && !s.deleted) continue; // a redelivered registration changes nothing
      if (s.version < r.version) bump(r.recordId, s, r.version);
      changed.add(r.recordId);
      s.deleted = false;
      s.registered = true;
      if (s.clusterId !== null) touched.add(s.clusterId);
      newValues.set(r.recordId, { values: JSON.stringify(r.values), ingestedAt: r.ingestedAt });
    }

    // 4. Pairs: an end whose stored version is newer (or deleted) makes the pair stale; an older one is bumped.
    const livePairs: PairChange[] = [];
    for (const p of batch.pairs) {
      const sa = state.get(p.a)!;
      const sb = state.get(p.b)!;
      if (sa.version > p.av || sb.version > p.bv || (sa.deleted && sa.version >= p.av) || (sb.deleted && sb.version >= p.bv)) continue;
      for (const [id, v, s] of [[p.a, p.av, sa], [p.b, p.bv, sb]] as const) {
        if (s.version < v) {
          bump(id, s, v);
          s.deleted = false;
        }
      }
      livePairs.push(p);
    }
    if (edgeDrops.size > 0) {
      const dropIds = [...edgeDrops.keys()];
      const dropVs = [...edgeDrops.values()];
      await c.query(`DELETE FROM idres_edges e USING unnest($1::text[], $2::bigint[]) AS d(id, v) WHERE e.a = d.id AND e.a_version < d.v`, [dropIds, dropVs]);
      await c.query(`DELETE FROM idres_edges e USING unnest($1::text[], $2::bigint[]) AS d(id, v) WHERE e.b = d.id AND e.b_version < d.v`, [dropIds, dropVs]);
    }

    // 5. Every live record without a cluster gets one: singletons have master IDs too.
    const homeless = [...state].filter(([, s]) => !s.deleted && s.clusterId === null).map(([id]) => id).sort();
    const newClusters: number[] = [];
    if (homeless.length > 0) {
      const seq = await c.query<{ id: string }>(`SELECT nextval('idres_cluster_seq') AS id FROM generate_series(1, $1::int)`, [homeless.length]);
      homeless.forEach((id, i) => {
        const cid = num(seq.rows[i]!.id);
        state.get(id)!.clusterId = cid;
        newClusters.push(cid);
        touched.add(cid);
        changed.add(id);
      });
    }

    // 6. Union the clusters of live pairs in memory: the oldest cluster of each connected group survives.
    const links: Array<[number, number]> = [];
    for (const p of livePairs) {
      const ca = state.get(p.a)!.clusterId;
      const cb = state.get(p.b)!.clusterId;
      if (ca !== null && cb !== null && ca !== cb) links.push([ca, cb]);
    }
    const plan = mergePlan(links);
    const events: Array<Omit<ResolvedEventAvro, 'seq' | 'at' | 'maxIngestedAt'>> = [];
    for (const [id, s] of state) {
      if (s.clusterId !== null && plan.has(s.clusterId)) {
        const stored = storedCluster.get(id);
        // Records still stored in the absorbed cluster move with the relabel below; others need their own write.
        if (stored !== s.clusterId) changed.add(id);
        s.clusterId = plan.get(s.clusterId)!;
      }
    }
    for (const [a, sv] of plan) {
      touched.delete(a);
      touched.add(sv);
      if (splitCheck.delete(a)) splitCheck.add(sv);
      events.push({ type: 'MERGED', masterId: masterIdOf(a), members: [], survivorId: masterIdOf(sv), splitFrom: null });
    }

    // 7. Write the batch's records in one statement, then clusters, relabels of absorbed clusters, and edges.
    const absorbedSet = new Set(plan.keys());
    const created = newClusters.filter((id) => !absorbedSet.has(id));
    if (created.length > 0) await c.query(`INSERT INTO idres_clusters (cluster_id, size) SELECT unnest($1::bigint[]), 1`, [created]);
    if (changed.size > 0) {
      const us = [...changed].sort();
      await c.query(
        `UPDATE idres_records r SET version = u.version, deleted = u.deleted, registered = u.registered, cluster_id = u.cid,
           values = COALESCE(u.vals::jsonb, r.values), ingested_at = COALESCE(u.ing, r.ingested_at)
         FROM unnest($1::text[], $2::bigint[], $3::boolean[], $4::boolean[], $5::bigint[], $6::text[], $7::bigint[]) AS u(id, version, deleted, registered, cid, vals, ing)
         WHERE r.record_id = u.id`,
        [
          us, us.map((id) => state.get(id)!.version), us.map((id) => state.get(id)!.deleted), us.map((id) => state.get(id)!.registered),
          us.map((id) => state.get(id)!.clusterId), us.map((id) => newValues.get(id)?.values ?? null), us.map((id) => newValues.get(id)?.ingestedAt ?? null),
        ],
      );
    }
    if (plan.size > 0) {
      const absorbed = [...plan.keys()];
      // A nested loop over the index on cluster_id (checked with EXPLAIN on 1M rows: 35 ms for 1,000 clusters).
      await c.query(`UPDATE idres_records r SET cluster_id = m.s FROM unnest($1::bigint[], $2::bigint[]) AS m(o, s) WHERE r.cluster_id = m.o`, [absorbed, absorbed.map((a) => plan.get(a)!)]);
      await c.query(`DELETE FROM idres_clusters WHERE cluster_id = ANY($1)`, [absorbed.filter((a) => !newClusters.includes(a))]);
    }
    if (livePairs.length > 0) {
      await c.query(
        `INSERT INTO idres_edges (a, b, a_version, b_version, probability, match_weight, rule, explanation)
         SELECT a, b, av, bv, p, w, rule, expl FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::text[], $8::text[])
           AS t(a, b, av, bv, p, w, rule, expl)
         ON CONFLICT (a, b) DO UPDATE SET a_version = excluded.a_version, b_version = excluded.b_version, probability = excluded.probability,
           match_weight = excluded.match_weight, rule = excluded.rule, explanation = excluded.explanation
         WHERE idres_edges.a_version <= excluded.a_version AND idres_edges.b_version <= excluded.b_version`,
        [
          livePairs.map((p) => p.a), livePairs.map((p) => p.b), livePairs.map((p) => p.av), livePairs.map((p) => p.bv),
          livePairs.map((p) => p.probability), livePairs.map((p) => p.matchWeight), livePairs.map((p) => p.rule), livePairs.map((p) => JSON.stringify(p.explanation ?? [])),
        ],
      );
    }

    // 8. Clusters that lost an edge or a member: recompute components from stored edges; the larger part keeps the ID.
    const splitFrom = new Map<number, number>();
    if (splitCheck.size > 0) {
      const clusterIds = [...splitCheck];
      const mem = await c.query<{ cluster_id: string; record_id: string }>(`SELECT cluster_id, record_id FROM idres_records WHERE cluster_id = ANY($1) AND NOT deleted`, [clusterIds]);
      const byCluster = new Map<number, string[]>();
      for (const r of mem.rows) {
        const k = num(r.cluster_id);
        const list = byCluster.get(k) ?? [];
        list.push(r.record_id);
        byCluster.set(k, list);
      }
      const allMembers = mem.rows.map((r) => r.record_id);
      const edges = await c.query<{ a: string; b: string }>(`SELECT a, b FROM idres_edges WHERE a = ANY($1)`, [allMembers]);
      const edgeList = edges.rows.map((e) => [e.a, e.b] as const);
      const moves: Array<{ ids: string[]; from: number }> = [];
      for (const [cid, members] of byCluster) {
        const { splitOff } = splitComponents(members, edgeList);
        for (const part of splitOff) moves.push({ ids: part, from: cid });
      }
      if (moves.length > 0) {
        const seq = await c.query<{ id: string }>(`SELECT nextval('idres_cluster_seq') AS id FROM generate_series(1, $1::int)`, [moves.length]);
        const newIds = seq.rows.map((r) => num(r.id));
        await c.query(`INSERT INTO idres_clusters (cluster_id, size) SELECT unnest($1::bigint[]), 0`, [newIds]);
        const recIds: string[] = [];
        const recCids: number[] = [];
        moves.forEach((m, i) => {
          const nid = newIds[i]!;
          splitFrom.set(nid, m.from);
          touched.add(nid);
          touched.add(m.from);
          for (const id of m.ids) {
            recIds.push(id);
            recCids.push(nid);
          }
        });
        await c.query(`UPDATE idres_records r SET cluster_id = u.cid FROM unnest($1::text[], $2::bigint[]) AS u(id, cid) WHERE r.record_id = u.id`, [recIds, recCids]);
      }
    }

    // 9. Sizes, retirements and the membership of every touched identity, queued in the outbox (one row per batch).
    const touchedIds = [...touched].filter((id) => !plan.has(id)).sort((x, y) => x - y);
    // A cluster created in this batch (and not split) holds only this batch's records: its members are known here.
    const newSet = new Set(newClusters);
    const members = new Map<number, string[]>();
    for (const [id, s] of state) {
      if (s.clusterId === null || !newSet.has(s.clusterId) || splitFrom.has(s.clusterId) || s.deleted) continue;
      const list = members.get(s.clusterId) ?? [];
      list.push(id);
      members.set(s.clusterId, list);
    }
    for (const list of members.values()) list.sort();
    const unknown = touchedIds.filter((id) => !newSet.has(id) || splitFrom.has(id));
    if (unknown.length > 0) {
      const memberRows = await c.query<{ cluster_id: string; members: string[] }>(
        `SELECT cluster_id, array_agg(record_id ORDER BY record_id) AS members FROM idres_records WHERE cluster_id = ANY($1) AND NOT deleted GROUP BY cluster_id`,
        [unknown],
      );
      for (const r of memberRows.rows) members.set(num(r.cluster_id), r.members);
    }
    const empty = touchedIds.filter((id) => !members.has(id));
    if (empty.length > 0) await c.query(`DELETE FROM idres_clusters WHERE cluster_id = ANY($1)`, [empty]);
    const live = touchedIds.filter((id) => members.has(id));
    if (live.length > 0) {
      await c.query(`UPDATE idres_clusters c SET size = u.n FROM unnest($1::bigint[], $2::int[]) AS u(id, n) WHERE c.cluster_id = u.id AND c.size <> u.n`, [live, live.map((id) => members.get(id)!.length)]);
    }
    for (const id of empty) events.push({ type: 'RETIRED', masterId: masterIdOf(id), members: [], survivorId: null, splitFrom: null });
    for (const id of live) {
      const from = splitFrom.get(id);
      events.push({ type: from === undefined ? 'MEMBERSHIP' : 'SPLIT', masterId: masterIdOf(id), members: members.get(id)!, survivorId: null, splitFrom: from === undefined ? null : masterIdOf(from) });
    }
    if (events.length === 0) return 0;
    const seqs = await c.query<{ s: string }>(`SELECT nextval('idres_event_seq') AS s FROM generate_series(1, $1::int)`, [events.length]);
    const at = Date.now();
    const maxIngestedAt = batch.records.reduce((m, r) => Math.max(m, r.ingestedAt), batch.pairs.reduce((m, p) => Math.max(m, p.ingestedAt), 0));
    const full: ResolvedEventAvro[] = events.map((e, i) => ({ ...e, seq: num(seqs.rows[i]!.s), at, maxIngestedAt }));
    await c.query(`INSERT INTO idres_event_outbox (payload) VALUES ($1)`, [JSON.stringify(full)]);
    return events.length;
  }

  /**
   * Takes up to `limit` queued events (skipping rows another instance is sending), hands them to `send`, and
   * deletes them only if `send` succeeded; on failure they stay queued for the next flush.
   */
  async flushOutbox(send: (events: ResolvedEventAvro[]) => Promise<void>, limit = 50): Promise<number> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const res = await c.query<{ id: string; payload: string }>(
        `SELECT id, payload FROM idres_event_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (res.rows.length === 0) {
        await c.query('COMMIT');
        return 0;
      }
      const events = res.rows.flatMap((r) => JSON.parse(r.payload) as ResolvedEventAvro[]);
      await send(events);
      await c.query(`DELETE FROM idres_event_outbox WHERE id = ANY($1)`, [res.rows.map((r) => r.id)]);
      await c.query('COMMIT');
      return events.length;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
}
