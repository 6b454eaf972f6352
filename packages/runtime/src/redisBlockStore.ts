import type { Redis } from 'ioredis';

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
 */
export class RedisBlockStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'idres:') {}

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
