/**
 * Members (record ID -> version) of the blocks on this instance's partitions, kept between batches so a batch
 * reads from Redis only the blocks it has not seen. Correct because a block's membership is written by one
 * writer only: the match instance that owns the block's partition. So the cache is dropped whenever that can
 * change (a rebalance, a Redis epoch change, a failed batch), and a batch that started before a drop does not
 * write back what it read. Measured before it existed: reading and parsing block members from Redis was the
 * largest part of match's CPU and garbage (see docs/scaling.md).
 *
 * Bounded by total member entries (least recently used blocks go first), not blocks: one big block weighs
 * as much as many small ones.
 */
export class BlockMembership {
  private readonly blocks = new Map<string, { members: Map<string, number>; size: number }>();
  private entries = 0;
  private epoch: string | undefined;
  /** Incremented by every drop; a batch holding an older one does not write back. */
  private gen = 0;

  constructor(readonly capacityEntries: number) {}

  get generation(): number {
    return this.gen;
  }

  /** Drops everything: the next batches read their blocks from Redis again. */
  invalidate(): void {
    this.blocks.clear();
    this.entries = 0;
    this.gen++;
  }

  /** The cache belongs to one Redis epoch; a new epoch (state lost and rebuilt) drops it. */
  useEpoch(epoch: string): void {
    if (this.epoch !== epoch) {
      if (this.epoch !== undefined) this.invalidate();
      this.epoch = epoch;
    }
  }

  get(blockKey: string): Map<string, number> | undefined {
    const e = this.blocks.get(blockKey);
    if (!e) return undefined;
    this.blocks.delete(blockKey);
    this.blocks.set(blockKey, e); // most recently used last
    return e.members;
  }

  /**
   * Stores the members of blocks a batch wrote (the maps may be the ones `get` returned, changed in place), if no
   * drop happened since the batch started at `generation`.
   */
  putAll(generation: number, blocks: Iterable<[string, Map<string, number>]>): void {
    if (generation !== this.gen || this.capacityEntries === 0) return;
    for (const [key, members] of blocks) {
      const old = this.blocks.get(key);
      if (old) {
        this.entries -= old.size;
        this.blocks.delete(key);
      }
      this.blocks.set(key, { members, size: members.size });
      this.entries += members.size;
    }
    for (const [key, e] of this.blocks) {
      if (this.entries <= this.capacityEntries) break;
      this.blocks.delete(key);
      this.entries -= e.size;
    }
  }

  get size(): { blocks: number; entries: number } {
    return { blocks: this.blocks.size, entries: this.entries };
  }
}
