/**
 * Disjoint sets over arbitrary keys, with path halving and union by size. Pure and in memory: the clustering
 * (clustering.ts) finds linked components and merges groups with it.
 */
export class UnionFind<T> {
  private readonly parent = new Map<T, T>();
  private readonly size = new Map<T, number>();

  /** Adds x as a set of its own; `weight` is what it counts for in sizeOf (e.g. a cluster's record count). */
  add(x: T, weight = 1): void {
    if (!this.parent.has(x)) {
      this.parent.set(x, x);
      this.size.set(x, weight);
    }
  }

  /** Total weight of the set holding x. */
  sizeOf(x: T): number {
    return this.size.get(this.find(x)) as number;
  }

  has(x: T): boolean {
    return this.parent.has(x);
  }

  find(x: T): T {
    this.add(x);
    let cur = x;
    for (;;) {
      const p = this.parent.get(cur) as T;
      if (p === cur) return cur;
      const gp = this.parent.get(p) as T;
      this.parent.set(cur, gp);
      cur = gp;
    }
  }

  /** Returns true when the two were in different sets. */
  union(a: T, b: T): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    const sa = this.size.get(ra) as number;
    const sb = this.size.get(rb) as number;
    if (sa < sb) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.size.set(ra, sa + sb);
    return true;
  }

  /** The sets, each as a list of its members, in insertion order of their first member. */
  groups(): T[][] {
    const byRoot = new Map<T, T[]>();
    for (const x of this.parent.keys()) {
      const r = this.find(x);
      const g = byRoot.get(r);
      if (g) g.push(x);
      else byRoot.set(r, [x]);
    }
    return [...byRoot.values()];
  }
}
