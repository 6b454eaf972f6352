import type { Redis } from 'ioredis';
import { IdresRuntimeError } from './errors';

/** What match keeps per record: the current version's values and blocking keys. */
export interface StoredRecord {
  v: number;
  values: Record<string, string>;
  keys: Array<{ ruleIndex: number; key: string }>;
}

/**
 * Block state in Redis. `r:<recordId>` holds the record's current version (values and blocking keys), written by
 * block before it publishes the record's references; `rv:<recordId>` holds just that version's number, so match
 * can tell whether a copy it already has is current without fetching and parsing the record; `b:<blockKey>` is a
 * hash recordId -> version of the block's members, kept by match. Stale members (deleted records, or records
 * whose new version left the block) are dropped lazily when read.
 *
 * `state` holds an epoch: written when the state is known to be complete (by a pipeline reset, which empties it
 * on purpose, or at the end of a rebuild from identity.standardized). A Redis that comes back empty (data folder
 * lost, flushed) has no epoch, so block and match can tell "no candidates" from "candidates lost": they stop
 * with BLOCK_STATE_LOST (retried, never committed) and block rebuilds the state; see services/block/src/blockState.ts.
 */
export class RedisBlockStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'idres:') {}

  /** The current epoch, or null when the state was lost (or never initialized). */
  async epoch(): Promise<string | null> {
    return this.redis.get(this.prefix + 'state');
  }

  async setEpoch(epoch: string): Promise<void> {
    await this.redis.set(this.prefix + 'state', epoch);
  }

  /**
   * Throws the retriable BLOCK_STATE_LOST unless the epoch is `expected` (or, without it, present). A batch checks
   * before it reads and again after it wrote: if Redis was emptied (or rebuilt) in between, its reads may have
   * missed candidates, so it is redone instead of committed.
   */
  async assertEpoch(expected?: string): Promise<string> {
    const now = await this.epoch();
    if (now === null) throw new IdresRuntimeError('BLOCK_STATE_LOST', `block state in Redis is gone (no ${this.prefix}state marker: Redis restarted empty or was flushed); waiting until block rebuilds it from identity.standardized`, { retriable: true });
    if (expected !== undefined && now !== expected) throw new IdresRuntimeError('BLOCK_STATE_LOST', 'block state in Redis was lost and rebuilt during this batch; redoing the batch', { retriable: true });
    return now;
  }

  /** Rebuilders take this lock (expiring, so a crashed rebuilder does not block the next one). */
  async tryLock(token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + 'rebuild-lock', token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async refreshLock(token: string, ttlMs: number): Promise<void> {
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`, 1, this.prefix + 'rebuild-lock', token, String(ttlMs));
  }

  async unlock(token: string): Promise<void> {
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, this.prefix + 'rebuild-lock', token);
  }

  /**
   * Rebuild writes, in topic order: a record version is written unless a newer one is already there (block may run
   * ahead of the rebuild), and joins its blocks (as match would: a block at `blockCap` members takes no new ones).
   * A delete removes the record unless a newer version is there. Joining a block early is harmless: match then
   * scores that pair from both ends and resolve keeps one.
   */
  async rebuildApply(ops: { put: Array<[string, StoredRecord]>; del: Array<[string, number]> }, blockCap: number): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const [id, rec] of ops.put) {
      const keys = [this.prefix + 'r:' + id, this.prefix + 'rv:' + id, ...rec.keys.map((k) => this.prefix + 'b:' + k.key)];
      pipe.eval(REBUILD_PUT, keys.length, ...keys, JSON.stringify(rec), String(rec.v), id, String(blockCap));
    }
    for (const [id, v] of ops.del) pipe.eval(REBUILD_DEL, 2, this.prefix + 'r:' + id, this.prefix + 'rv:' + id, String(v));
    if (pipe.length === 0) return;
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
  }

  async members(blockKeys: readonly string[]): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>();
    if (blockKeys.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const k of blockKeys) pipe.hgetall(this.prefix + 'b:' + k);
    const res = (await pipe.exec()) ?? [];
    blockKeys.forEach((k, i) => {
      const [err, val] = res[i] ?? [null, {}];
      if (err) throw err;
      const m = new Map<string, number>();
      for (const [id, v] of Object.entries((val ?? {}) as Record<string, string>)) m.set(id, Number(v));
      out.set(k, m);
    });
    return out;
  }

  async records(ids: readonly string[]): Promise<Map<string, StoredRecord>> {
    return this.getEach(ids, 'r:', (raw) => JSON.parse(raw) as StoredRecord);
  }

  /**
   * Current version of each record, by its small `rv:` key. Absent: deleted, or written before `rv:` keys existed
   * (the caller then reads the record itself).
   */
  async versions(ids: readonly string[]): Promise<Map<string, number>> {
    return this.getEach(ids, 'rv:', Number);
  }

  /** `<prefix><kind><id>` for each ID, in MGETs of at most 1,000 keys; absent keys are left out. */
  private async getEach<T>(ids: readonly string[], kind: string, parse: (raw: string) => T): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      if (chunk.length === 0) continue;
      const vals = await this.redis.mget(...chunk.map((id) => this.prefix + kind + id));
      chunk.forEach((id, j) => {
        const raw = vals[j];
        if (raw) out.set(id, parse(raw));
      });
    }
    return out;
  }

  async write(ops: { addMembers?: Array<[string, string, number]>; removeMembers?: Array<[string, string]>; putRecords?: Array<[string, StoredRecord]>; deleteRecords?: string[] }): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const [block, id, v] of ops.addMembers ?? []) pipe.hset(this.prefix + 'b:' + block, id, String(v));
    for (const [block, id] of ops.removeMembers ?? []) pipe.hdel(this.prefix + 'b:' + block, id);
    // The record before its version key: a reader that sees the version finds that record (or a newer one).
    for (const [id, rec] of ops.putRecords ?? []) pipe.set(this.prefix + 'r:' + id, JSON.stringify(rec)).set(this.prefix + 'rv:' + id, String(rec.v));
    for (const id of ops.deleteRecords ?? []) pipe.del(this.prefix + 'rv:' + id).del(this.prefix + 'r:' + id);
    if (pipe.length === 0) return;
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
  }
}

const REBUILD_PUT = `
local cur = tonumber(redis.call('GET', KEYS[2]) or '-1')
local v = tonumber(ARGV[2])
if cur > v then return 0 end
if cur < v then redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[2]) end
local cap = tonumber(ARGV[4])
for i = 3, #KEYS do
  local m = redis.call('HGET', KEYS[i], ARGV[3])
  if m then
    if tonumber(m) < v then redis.call('HSET', KEYS[i], ARGV[3], ARGV[2]) end
  elseif redis.call('HLEN', KEYS[i]) < cap then
    redis.call('HSET', KEYS[i], ARGV[3], ARGV[2])
  end
end
return 1`;

const REBUILD_DEL = `
local cur = tonumber(redis.call('GET', KEYS[2]) or '-1')
if cur > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[2], KEYS[1])
return 1`;
