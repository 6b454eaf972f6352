import type { Pool, PoolClient } from 'pg';
import { createSchema } from '@idres/pgschema';
import { partitionComponent } from '@idres/core/clustering';
import { IdresRuntimeError, type ResolvedEventAvro } from '@idres/runtime';
import { masterIdOf } from '@idres/core/masterId';
import { OVERRIDES_SCHEMA_LOCK, OVERRIDES_SCHEMA_SQL } from '@idres/overrides';
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
  /** Stored model version that scored the pair, if any. */
  modelVersion?: number | null;
  /** At or above the match threshold (a link); false: evidence for the clustering only. Default true. */
  link?: boolean;
  ingestedAt: number;
}

export interface ResolveStoreOptions {
  /**
   * Largest identity (a safety ceiling; chaining is stopped by the clustering rule, see @idres/core clustering):
   * within a component, links apply strongest first and one that would make a bigger identity is held.
   */
  maxIdentitySize?: number;
  /**
   * Most records recomputed together in one batch: identities linked to the batch's records are gathered
   * transitively up to this many, so the per-batch cost stays bounded on pathological data.
   */
  maxComponentSize?: number;
}

export const DEFAULT_MAX_IDENTITY_SIZE = 1000;
export const DEFAULT_MAX_COMPONENT_SIZE = 10_000;

export interface ResolveBatch {
  records: RecordChange[];
  pairs: PairChange[];
  /**
   * Records whose identities are recomputed without a change of their own (a reviewer's decision about them was
   * made or undone). Records resolve has not seen yet are skipped: the decision applies when they arrive.
   */
  touch?: string[];
}

interface RowState {
  version: number;
  deleted: boolean;
  registered: boolean;
  clusterId: number | null;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
/** Events of one batch share one sequence value: their seqs are value * stride + index (stays below 2^53). */
const EVENT_SEQ_STRIDE = 2 ** 20;

interface RecordRow {
  record_id: string;
  version: number;
  deleted: boolean;
  registered: boolean;
  cluster_id: number | null;
}

/**
 * Runs a query and returns its rows as one JSON array built by Postgres. For the thousands of rows a batch reads,
 * one JSON.parse costs a third of the CPU of node-postgres's row-by-row parsing (measured: 4 vs 14 ms for 4,000
 * rows), and bigint columns arrive as numbers (cluster IDs and versions stay far below 2^53).
 */
async function jsonRows<T>(c: PoolClient, sql: string, params: unknown[]): Promise<T[]> {
  const res = await c.query<{ j: string }>(`SELECT coalesce(json_agg(t), '[]')::text AS j FROM (${sql}) t`, params);
  return JSON.parse(res.rows[0]?.j ?? '[]') as T[];
}

/**
 * Every record row of the given clusters. Rows travel as JSON arrays, not objects: half the bytes for Postgres to
 * build and Node to parse (the member read is the largest result of a batch, ~6,000 rows per 2,000 pairs).
 */
async function membersOf(c: PoolClient, clusterIds: number[]): Promise<RecordRow[]> {
  const res = await c.query<{ j: string }>(
    `SELECT coalesce(json_agg(json_build_array(record_id, version, deleted, registered, cluster_id)), '[]')::text AS j
     FROM idres_records WHERE cluster_id = ANY($1)`, [clusterIds]);
  const rows = JSON.parse(res.rows[0]?.j ?? '[]') as Array<[string, number, boolean, boolean, number | null]>;
  return rows.map(([id, version, deleted, registered, cid]) => ({ record_id: id, version, deleted, registered, cluster_id: cid }));
}

interface StoredEdge {
  a: string;
  b: string;
  w: number;
  link: boolean;
}

interface Decision {
  a: string;
  b: string;
  d: 'SAME' | 'DIFFERENT';
}

/** The records a batch recomputes together, and the stored edges and reviewers' decisions between them. */
interface Component {
  members: Set<string>;
  edges: StoredEdge[];
  decisions: Decision[];
}

/**
 * Every stored edge (links and evidence pairs) and standing decision touching the given records, in one
 * statement: the closure expands along them and the clustering reads them, so they are fetched once instead
 * of a partner query per round plus an edge and a decision read at the end (the partner query alone was a third
 * of Postgres's CPU per pair in `npm run bench:resolve`).
 */
async function linksOf(c: PoolClient, ids: string[]): Promise<{ e: StoredEdge[]; d: Decision[] }> {
  if (ids.length === 0) return { e: [], d: [] };
  const res = await c.query<{ j: string }>(
    `SELECT json_build_object(
       'e', (SELECT coalesce(json_agg(json_build_array(a, b, match_weight, link)), '[]') FROM idres_edges WHERE a = ANY($1) OR b = ANY($1)),
       'd', (SELECT coalesce(json_agg(json_build_array(a, b, decision)), '[]') FROM idres_overrides
             WHERE undone_at IS NULL AND (a = ANY($1) OR b = ANY($1))))::text AS j`,
    [ids],
  );
  // One scan with both conditions (a BitmapOr on big tables) instead of a UNION of two: 30% less time measured.
  // Arrays rather than objects, as in membersOf.
  const found = JSON.parse(res.rows[0]?.j ?? '{"e":[],"d":[]}') as { e: Array<[string, string, number, boolean]>; d: Array<[string, string, Decision['d']]> };
  return { e: found.e.map(([a, b, w, link]) => ({ a, b, w, link })), d: found.d.map(([a, b, d]) => ({ a, b, d })) };
}

/** Edges and decisions gathered over the closure's rounds, each once, with the partners not yet handed out. */
class ComponentLinks {
  private readonly edges = new Map<string, StoredEdge>();
  private readonly decisions = new Map<string, Decision>();
  private partners: string[] = [];

  add(found: { e: StoredEdge[]; d: Decision[] }): void {
    for (const e of found.e) {
      const k = `${e.a}\u0000${e.b}`;
      if (this.edges.has(k)) continue;
      this.edges.set(k, e);
      if (e.link) this.partners.push(e.a, e.b);
    }
    for (const d of found.d) {
      const k = `${d.a}\u0000${d.b}`;
      if (this.decisions.has(k)) continue;
      this.decisions.set(k, d);
      // A reviewer's "same" joins identities like a link does.
      if (d.d === 'SAME') this.partners.push(d.a, d.b);
    }
  }

  /** Both ends of every link and "same" decision added since the last call (callers skip the known ones). */
  takePartners(): string[] {
    const out = this.partners;
    this.partners = [];
    return out;
  }

  among(members: ReadonlySet<string>): { edges: StoredEdge[]; decisions: Decision[] } {
    const inside = (x: { a: string; b: string }): boolean => members.has(x.a) && members.has(x.b);
    return { edges: [...this.edges.values()].filter(inside), decisions: [...this.decisions.values()].filter(inside) };
  }
}

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
  return { records: [...recs.values()], pairs: [...pairs.values()], touch: [...new Set(batch.touch ?? [])] };
}

/**
 * Union-find state in Postgres. Each record row points at its cluster; a cluster is a connected component of the
 * live edges between live records, and its ID is the master ID number (older = smaller). One transaction per
 * batch: the batch's unions are computed in memory, then applied with set-based SQL. Clusters are locked in
 * ascending ID order before any record row is changed, so concurrent resolve instances neither deadlock on
 * each other nor lose unions; a cluster that moved between read and lock makes the batch retry.
 */
export class PostgresResolveStore {
  /** New links that ended between two identities the clustering holds apart (for metrics). */
  heldLinks = 0;
  /** Batches whose component reached maxComponentSize (for metrics). */
  truncatedComponents = 0;
  private readonly maxIdentitySize: number;
  private readonly maxComponentSize: number;

  constructor(private readonly pool: Pool, opts: ResolveStoreOptions = {}) {
    this.maxIdentitySize = opts.maxIdentitySize ?? DEFAULT_MAX_IDENTITY_SIZE;
    this.maxComponentSize = opts.maxComponentSize ?? DEFAULT_MAX_COMPONENT_SIZE;
  }

  async migrate(): Promise<void> {
    await createSchema(this.pool, 727101, RESOLVE_SCHEMA_SQL);
    // Reviewers' decisions, which every batch reads (the table belongs to @idres/overrides; same SQL, same lock).
    await createSchema(this.pool, OVERRIDES_SCHEMA_LOCK, OVERRIDES_SCHEMA_SQL);
  }

  /**
   * The live records of the batch and of every identity linked to them, transitively (links between identities
   * that the clustering holds apart keep them in one component, which is recomputed whole), with the stored
   * edges and reviewers' decisions among them. Each identity found is locked before its records are read. Stops
   * growing at maxComponentSize records (counted in truncatedComponents): past that, which identities are
   * recomputed together depends on arrival order.
   */
  private async closeOverLinks(c: PoolClient, state: Map<string, RowState>, others: Map<string, { clusterId: number }>, locked: Set<number>): Promise<Component> {
    const live = new Set<string>();
    for (const [id, st] of state) if (!st.deleted) live.add(id);
    for (const id of others.keys()) live.add(id);
    const links = new ComponentLinks();
    let frontier = [...live];
    let pending: string[] = []; // partners whose identity moved between our read and our lock
    for (let round = 0; frontier.length + pending.length > 0; round++) {
      if (round > 1000) throw new IdresRuntimeError('HANDLER_FAILED', 'identities keep changing under concurrent resolves; retrying batch', { retriable: true });
      if (live.size >= this.maxComponentSize) {
        this.truncatedComponents++;
        break;
      }
      links.add(await linksOf(c, frontier));
      const partnerIds = new Set(pending);
      for (const id of links.takePartners()) if (!live.has(id)) partnerIds.add(id);
      frontier = [];
      if (partnerIds.size === 0) break;
      const partners = await jsonRows<{ id: string; cid: number }>(c,
        `SELECT record_id AS id, cluster_id AS cid FROM idres_records WHERE record_id = ANY($1) AND NOT deleted AND cluster_id IS NOT NULL`, [[...partnerIds]]);
      const outside = partners.filter((r) => !live.has(r.id));
      const toLock = [...new Set(outside.map((r) => r.cid).filter((cid) => !locked.has(cid)))].sort((x, y) => x - y);
      if (toLock.length > 0) {
        await c.query(`SELECT cluster_id FROM idres_clusters WHERE cluster_id = ANY($1) ORDER BY cluster_id FOR UPDATE`, [toLock]);
        for (const cid of toLock) locked.add(cid);
        const rows = await membersOf(c, toLock);
        for (const r of rows) {
          if (live.has(r.record_id) || state.has(r.record_id) || r.deleted || r.cluster_id === null) continue;
          others.set(r.record_id, { clusterId: r.cluster_id });
          live.add(r.record_id);
          frontier.push(r.record_id);
        }
      }
      // A partner not among the records of the identity it was in when we looked was moved by a concurrent batch.
      const lockedNow = new Set(toLock);
      pending = [...new Set(outside.filter((r) => !live.has(r.id) && lockedNow.has(r.cid)).map((r) => r.id))];
    }
    // Records reached but not expanded (the component was truncated): their links to the others still count.
    if (frontier.length > 0) links.add(await linksOf(c, frontier));
    return { members: live, ...links.among(live) };
  }

  /** Applies a batch and queues the resulting events in the outbox, atomically. Returns how many events were queued. */
  async apply(batch0: ResolveBatch): Promise<number> {
    const batch = foldBatch(batch0);
    if (batch.records.length === 0 && batch.pairs.length === 0 && (batch.touch ?? []).length === 0) return 0;
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
    const touched = (batch.touch ?? []).length === 0 ? [] : (await c.query<{ record_id: string }>(
      `SELECT record_id FROM idres_records WHERE record_id = ANY($1) AND NOT deleted`, [batch.touch])).rows.map((r) => r.record_id);
    const idSet = new Set<string>(touched);
    for (const r of batch.records) idSet.add(r.recordId);
    for (const p of batch.pairs) { idSet.add(p.a); idSet.add(p.b); }
    const ids = [...idSet].sort();
    if (ids.length === 0) return 0;
    // 1. Lock the clusters of the batch's records, in ascending order, then read every member of the locked
    //    clusters (the batch's records among them). Every write to a record in a cluster holds that cluster's
    //    lock, so under the locks those memberships cannot change and member rows need no locks of their own.
    // 2. Records not found that way are new (inserted here, in sorted order, which locks them), cluster-less
    //    (deleted: row-locked), or were moved by a concurrent merge between the first read and the lock: their
    //    new cluster is locked and its members read. Out of order, that could deadlock, which Postgres
    //    detects; the batch is then retried.
    const state = new Map<string, RowState>();
    const others = new Map<string, { clusterId: number }>();
    const locked = new Set<number>();
    /** Locks clusters and returns the IDs locked (clusters gone meanwhile are not). */
    const lock = async (sql: string, param: unknown): Promise<number[]> => {
      const res = await c.query<{ cluster_id: string }>(sql, [param]);
      const got = res.rows.map((r) => num(r.cluster_id));
      for (const cid of got) locked.add(cid);
      return got;
    };
    let toRead = await lock(
      // The cluster IDs as an array (an InitPlan): probed in the primary key, where a semi-join scanned the whole table.
      `SELECT cluster_id FROM idres_clusters WHERE cluster_id = ANY(ARRAY(SELECT cluster_id FROM idres_records WHERE record_id = ANY($1) AND cluster_id IS NOT NULL))
       ORDER BY cluster_id FOR UPDATE`,
      ids,
    );
    for (let round = 0; ; round++) {
      // Only the clusters locked in this round are read: the members of those read before cannot have changed
      // under our locks (re-reading them all doubled the member reads at concurrency 3, where most batches
      // take a second round).
      if (toRead.length > 0) {
        const rows = await membersOf(c, toRead);
        for (const r of rows) {
          if (idSet.has(r.record_id)) state.set(r.record_id, { version: r.version, deleted: r.deleted, registered: r.registered, clusterId: r.cluster_id });
          else others.set(r.record_id, { clusterId: r.cluster_id! });
        }
      }
      const rest = ids.filter((id) => !state.has(id));
      if (rest.length === 0) break;
      const inserted = await c.query<{ record_id: string }>(
        `INSERT INTO idres_records (record_id) SELECT id FROM unnest($1::text[]) AS t(id) ORDER BY id ON CONFLICT (record_id) DO NOTHING RETURNING record_id`,
        [rest],
      );
      for (const r of inserted.rows) state.set(r.record_id, { version: 0, deleted: false, registered: false, clusterId: null });
      const existing = rest.filter((id) => !state.has(id));
      if (existing.length === 0) break;
      const rows = await c.query<RecordRow>(
        `SELECT record_id, version, deleted, registered, cluster_id FROM idres_records WHERE record_id = ANY($1) ORDER BY record_id FOR UPDATE`,
        [existing],
      );
      const moved: number[] = [];
      for (const r of rows.rows) {
        if (r.cluster_id === null) state.set(r.record_id, { version: num(r.version), deleted: r.deleted, registered: r.registered, clusterId: null });
        else moved.push(num(r.cluster_id));
      }
      if (moved.length === 0) break;
      if (round >= 5) throw new IdresRuntimeError('HANDLER_FAILED', `clusters ${moved.join(', ')} keep changing under concurrent resolves; retrying batch`, { retriable: true });
      toRead = await lock(`SELECT cluster_id FROM idres_clusters WHERE cluster_id = ANY($1) ORDER BY cluster_id FOR UPDATE`, [...new Set(moved)].sort((x, y) => x - y));
    }
    // Cluster of each record as stored, to write only the rows that change.
    const storedCluster = new Map<string, number | null>([...state].map(([id, st]) => [id, st.clusterId]));
    for (const [id, o] of others) storedCluster.set(id, o.clusterId);

    const edgeDrops = new Map<string, number>(); // record -> drop its edges whose version of it is below this
    const changed = new Set<string>();
    const newValues = new Map<string, { values: Record<string, string>; ingestedAt: number }>();
    const bump = (id: string, s: RowState, version: number): void => {
      if (s.version > 0) edgeDrops.set(id, version);
      s.version = version;
      // This version's RECORD event is still to come (a pair can overtake it): it must not look like a redelivery.
      s.registered = false;
      changed.add(id);
    };

    // 3. Record events: newer versions replace older ones; deletes detach the record from its cluster.
    for (const r of batch.records) {
      const s = state.get(r.recordId)!;
      if (s.version > r.version) continue;
      if (r.kind === 'DELETE') {
        if (s.deleted && s.version === r.version) continue;
        edgeDrops.set(r.recordId, Number.MAX_SAFE_INTEGER);
        Object.assign(s, { version: r.version, deleted: true, registered: true, clusterId: null });
        changed.add(r.recordId);
        newValues.set(r.recordId, { values: {}, ingestedAt: r.ingestedAt });
        continue;
      }
      if (s.version === r.version && s.registered && !s.deleted) continue; // a redelivered registration changes nothing
      if (s.version < r.version) bump(r.recordId, s, r.version);
      changed.add(r.recordId);
      s.deleted = false;
      s.registered = true;
      newValues.set(r.recordId, { values: r.values, ingestedAt: r.ingestedAt });
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
    if (livePairs.length > 0) {
      await c.query(
        // One JSON parameter: JSON.stringify is native, node-postgres escapes array elements in JavaScript.
        `INSERT INTO idres_edges (a, b, a_version, b_version, probability, match_weight, rule, explanation, model_version, link)
         SELECT a, b, av, bv, p, w, rule, coalesce(expl, '[]')::text, mv, link FROM json_to_recordset($1::json)
           AS t(a text, b text, av bigint, bv bigint, p float8, w float8, rule text, expl json, mv bigint, link boolean)
         ON CONFLICT (a, b) DO UPDATE SET a_version = excluded.a_version, b_version = excluded.b_version, probability = excluded.probability,
           match_weight = excluded.match_weight, rule = excluded.rule, explanation = excluded.explanation, model_version = excluded.model_version,
           link = excluded.link
         WHERE idres_edges.a_version <= excluded.a_version AND idres_edges.b_version <= excluded.b_version`,
        [JSON.stringify(livePairs.map((p) => ({ a: p.a, b: p.b, av: p.av, bv: p.bv, p: p.probability, w: p.matchWeight, rule: p.rule, expl: p.explanation ?? [], mv: p.modelVersion ?? null, link: p.link !== false })))],
      );
    }

    // 5. The identities of every record the batch touched, recomputed from their stored links and evidence pairs
    //    (partitionComponent): a function of the pairs alone, so the result does not depend on arrival order.
    const { members, edges, decisions } = await this.closeOverLinks(c, state, others, locked);
    for (const [id, o] of others) if (!storedCluster.has(id)) storedCluster.set(id, o.clusterId);
    const liveIds = [...members];
    // Reviewers' decisions between these records hold whatever the scores (@idres/overrides).
    const groups = partitionComponent(liveIds, edges.map((e) => ({ a: e.a, b: e.b, weight: e.w, link: e.link })), {
      maxSize: this.maxIdentitySize,
      constraints: {
        same: decisions.filter((d) => d.d === 'SAME').map((d) => [d.a, d.b] as const),
        different: decisions.filter((d) => d.d === 'DIFFERENT').map((d) => [d.a, d.b] as const),
      },
    });

    // 6. Master IDs: each old identity, oldest first, keeps the group holding most of its records (so the older ID
    //    survives a merge and the larger part keeps it in a split); groups left over get new IDs.
    const oldOf = (id: string): number | null => storedCluster.get(id) ?? null;
    const groupOf = new Map<string, number>();
    groups.forEach((g, gi) => { for (const id of g) groupOf.set(id, gi); });
    const oldMembers = new Map<number, string[]>(); // old ID -> its records before this batch (deleted ones too)
    for (const [id, cid] of storedCluster) {
      if (cid === null) continue;
      const l = oldMembers.get(cid);
      if (l) l.push(id);
      else oldMembers.set(cid, [id]);
    }
    const groupId = new Array<number | undefined>(groups.length);
    const heaviestGroup = (ids: readonly string[]): number | undefined => {
      const counts = new Map<number, number>();
      for (const id of ids) { const g = groupOf.get(id); if (g !== undefined) counts.set(g, (counts.get(g) ?? 0) + 1); }
      let best: number | undefined;
      for (const [g, n] of counts) if (best === undefined || n > counts.get(best)! || (n === counts.get(best)! && g < best)) best = g;
      return best;
    };
    const oldIds = [...oldMembers.keys()].sort((x, y) => x - y);
    const survivorOf = new Map<number, number>(); // old ID not kept -> the group that took most of its records
    for (const cid of oldIds) {
      const g = heaviestGroup(oldMembers.get(cid)!);
      if (g === undefined) continue;
      if (groupId[g] === undefined) groupId[g] = cid;
      else survivorOf.set(cid, g);
    }
    const fresh = groups.map((_, gi) => gi).filter((gi) => groupId[gi] === undefined);
    const newIds = new Set<number>();
    if (fresh.length > 0) {
      const seq = await c.query<{ id: string }>(`SELECT nextval('idres_cluster_seq') AS id FROM generate_series(1, $1::int)`, [fresh.length]);
      fresh.forEach((gi, k) => { groupId[gi] = num(seq.rows[k]!.id); newIds.add(groupId[gi]!); });
    }
    for (const p of livePairs) if (p.link !== false && groupOf.get(p.a) !== groupOf.get(p.b)) this.heldLinks++;

    const events: ResolvedEventAvro[] = [];
    // One literal shape for every event (no spread): V8 keeps the objects monomorphic and cheap to serialize.
    const event = (e: Pick<ResolvedEventAvro, 'type' | 'masterId' | 'members' | 'survivorId' | 'splitFrom'>): void => {
      events.push({ type: e.type, masterId: e.masterId, members: e.members, survivorId: e.survivorId, splitFrom: e.splitFrom, seq: 0, at: 0, maxIngestedAt: 0 });
    };
    const keptIds = new Set(groupId as number[]);
    const gone: number[] = [];
    for (const cid of oldIds) {
      if (keptIds.has(cid)) continue;
      gone.push(cid);
      const g = survivorOf.get(cid);
      if (g !== undefined) event({ type: 'MERGED', masterId: masterIdOf(cid), members: [], survivorId: masterIdOf(groupId[g]!), splitFrom: null });
      else event({ type: 'RETIRED', masterId: masterIdOf(cid), members: [], survivorId: null, splitFrom: null });
    }

    // 7. One write for every record row that changed (fields or identity).
    for (const [gi, g] of groups.entries()) {
      for (const id of g) {
        const st = state.get(id);
        if (st) st.clusterId = groupId[gi]!;
        else others.get(id)!.clusterId = groupId[gi]!;
      }
    }
    const writes = [...changed];
    for (const [id, st] of state) if (!changed.has(id) && st.clusterId !== storedCluster.get(id)) writes.push(id);
    for (const [id, o] of others) if (o.clusterId !== storedCluster.get(id)) writes.push(id);
    if (writes.length > 0) {
      writes.sort();
      const row = (id: string): RowState => state.get(id) ?? { version: -1, deleted: false, registered: true, clusterId: others.get(id)!.clusterId };
      // A version of -1 keeps the stored version: rows outside the batch only move identity.
      await c.query(
        `UPDATE idres_records r SET version = CASE WHEN u.version < 0 THEN r.version ELSE u.version END,
           deleted = CASE WHEN u.version < 0 THEN r.deleted ELSE u.deleted END,
           registered = CASE WHEN u.version < 0 THEN r.registered ELSE u.registered END, cluster_id = u.cid,
           values = COALESCE(u.vals::jsonb, r.values), ingested_at = COALESCE(u.ing, r.ingested_at)
         FROM json_to_recordset($1::json) AS u(id text, version bigint, deleted boolean, registered boolean, cid bigint, vals json, ing bigint)
         WHERE r.record_id = u.id`,
        [JSON.stringify(writes.map((id) => {
          const st = row(id);
          const nv = newValues.get(id);
          return { id, version: st.version, deleted: st.deleted, registered: st.registered, cid: st.clusterId, vals: nv?.values ?? null, ing: nv?.ingestedAt ?? null };
        }))],
      );
    }

    // 8. Identity rows (what the next batch locks), and the events of every identity whose membership changed or
    //    that holds a record this batch changed. SPLIT names the old identity most of a new one's records left.
    const changedGroups = groups.map((g, gi) => gi).filter((gi) => {
      const g = groups[gi]!;
      const id = groupId[gi]!;
      if (newIds.has(id) || g.some((m) => changed.has(m))) return true;
      const before = oldMembers.get(id) ?? [];
      return before.length !== g.length || before.some((m) => groupOf.get(m) !== gi);
    });
    if (changedGroups.length > 0) {
      const ids = changedGroups.map((gi) => groupId[gi]!);
      await c.query(
        `INSERT INTO idres_clusters (cluster_id, size) SELECT * FROM unnest($1::bigint[], $2::int[])
         ON CONFLICT (cluster_id) DO UPDATE SET size = excluded.size WHERE idres_clusters.size <> excluded.size`,
        [ids, changedGroups.map((gi) => groups[gi]!.length)],
      );
    }
    if (gone.length > 0) await c.query(`DELETE FROM idres_clusters WHERE cluster_id = ANY($1)`, [gone]);
    for (const gi of [...changedGroups].sort((x, y) => groupId[x]! - groupId[y]!)) {
      const g = groups[gi]!;
      const id = groupId[gi]!;
      let from: number | undefined;
      if (newIds.has(id)) {
        const counts = new Map<number, number>();
        for (const m of g) { const o = oldOf(m); if (o !== null) counts.set(o, (counts.get(o) ?? 0) + 1); }
        for (const [o, n] of counts) if (from === undefined || n > counts.get(from)! || (n === counts.get(from)! && o < from)) from = o;
      }
      event({ type: from === undefined ? 'MEMBERSHIP' : 'SPLIT', masterId: masterIdOf(id), members: [...g], survivorId: null, splitFrom: from === undefined ? null : masterIdOf(from) });
    }
    if (events.length === 0) return 0;
    // One sequence value per batch, taken under the batch's cluster locks: seq = batch number * 2^20 + index,
    // so seqs rise along every identity's history without a sequence call per event.
    if (events.length >= EVENT_SEQ_STRIDE) throw new IdresRuntimeError('HANDLER_FAILED', `a batch produced ${events.length} events; at most ${EVENT_SEQ_STRIDE - 1} fit its sequence range`, { retriable: false });
    const batchSeq = await c.query<{ s: string }>(`SELECT nextval('idres_event_seq') AS s`);
    const base = num(batchSeq.rows[0]!.s) * EVENT_SEQ_STRIDE;
    const at = Date.now();
    const maxIngestedAt = batch.records.reduce((m, r) => Math.max(m, r.ingestedAt), batch.pairs.reduce((m, p) => Math.max(m, p.ingestedAt), 0));
    events.forEach((e, i) => {
      e.seq = base + i;
      e.at = at;
      e.maxIngestedAt = maxIngestedAt;
    });
    await c.query(`INSERT INTO idres_event_outbox (payload) VALUES ($1)`, [JSON.stringify(events)]);
    // The history in the same transaction: exact (no consumer of identity.resolved to lag, redeliver or restart),
    // and one statement per batch instead of a fourth consumer decoding every event.
    await c.query(
      `INSERT INTO idres_identity_history (seq, master_id, type, members, survivor_id, split_from, at)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::bigint[])
       ON CONFLICT (seq) DO NOTHING`,
      [events.map((e) => e.seq), events.map((e) => e.masterId), events.map((e) => e.type), events.map((e) => e.members.length),
        events.map((e) => e.survivorId), events.map((e) => e.splitFrom), events.map((e) => e.at)],
    );
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
