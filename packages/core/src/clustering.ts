/**
 * Identities from scored pairs, without chaining: the same rule in process (quality runs) and in resolve.
 *
 * Links (pairs at or above the match threshold) make connected components. A component whose records, taken two
 * by two, carry on average positive evidence (mean match weight ≥ 0 over ALL its record pairs) is one identity. A
 * component that does not is a chain of links between people who mostly do not match each other (namesakes
 * born the same year linked through one borderline record each); it is split by average linkage: its links, the
 * strongest first, merge two groups only while the mean weight over all pairs between the two groups stays ≥ 0.
 *
 * Pairs match did not score, or scored below `floor`, count as `floor`: they were not in a common block or had
 * little in common, and counting them as nothing let 10,000 generated historical records chain into one
 * identity (pairwise precision 0.001). Measured on every labelled set we have (FEBRL 1–3, fake_1000,
 * synthetic_2000, the generator's profiles; docs/matching.md): floors of −3, −5 and −7 bits all stop the chain;
 * −3 keeps the most recall and changed no other set's F1.
 *
 * The result depends only on the component's records and pairs, never on the order they arrived in.
 */

import { UnionFind } from './unionFind.js';

export interface ScoredEdge {
  a: string;
  b: string;
  /** Match weight (log2 Bayes factor, prior included). */
  weight: number;
  /** At or above the threshold: joins a component. Below it the pair is evidence only. */
  link: boolean;
}

export interface ClusteringOptions {
  /** Weight of a record pair that was not scored, or scored below it. Default DEFAULT_CLUSTER_FLOOR. */
  floor?: number;
  /** No identity larger than this (a safety ceiling; links in weight order, so the weakest are the ones held). */
  maxSize?: number;
  /**
   * Reviewers' decisions (overrides). `sameLink`: the two records are one identity whatever their score (a link,
   * merged before any scored link). `differentLink`: the two records are never in one identity (their link, if
   * any, no longer joins; no merge may bring them together). When they conflict through other records,
   * "different" wins: a chain of "same" decisions never joins two records a reviewer called different.
   */
  constraints?: ClusteringConstraints;
}

export interface ClusteringConstraints {
  same?: ReadonlyArray<readonly [string, string]>;
  different?: ReadonlyArray<readonly [string, string]>;
}

export const DEFAULT_CLUSTER_FLOOR = -3;

const clip = (w: number, floor: number): number => (w < floor ? floor : w);

/**
 * Partition of one component's records (any set of records: links outside it are ignored) into identities.
 * Groups come back sorted (members ascending, groups by their first member).
 */
export function partitionComponent(members: readonly string[], edges: readonly ScoredEdge[], opts: ClusteringOptions = {}): string[][] {
  const floor = opts.floor ?? DEFAULT_CLUSTER_FLOOR;
  const maxSize = opts.maxSize ?? Number.POSITIVE_INFINITY;
  const ids = [...new Set(members)].sort();
  const index = new Map(ids.map((id, i) => [id, i] as const));
  const n = ids.length;
  if (n <= 1) return ids.map((id) => [id]);
  const inside: InsideEdge[] = [];
  const byKey = new Map<string, InsideEdge>();
  const pairOf = (x: string, y: string): [number, number, string] | undefined => {
    const a = index.get(x);
    const b = index.get(y);
    if (a === undefined || b === undefined || a === b) return undefined;
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return [lo, hi, `${lo}:${hi}`];
  };
  for (const e of edges) {
    const p = pairOf(e.a, e.b);
    if (!p || byKey.has(p[2])) continue;
    const ie: InsideEdge = { a: p[0], b: p[1], w: e.weight, link: e.link, same: false, different: false };
    byKey.set(p[2], ie);
    inside.push(ie);
  }
  const bans: Array<{ a: number; b: number }> = [];
  for (const [x, y] of opts.constraints?.different ?? []) {
    const p = pairOf(x, y);
    if (!p) continue;
    const e = byKey.get(p[2]);
    if (e) { e.link = false; e.different = true; } else bans.push({ a: p[0], b: p[1] });
  }
  for (const [x, y] of opts.constraints?.same ?? []) {
    const p = pairOf(x, y);
    if (!p) continue;
    const e = byKey.get(p[2]);
    if (e?.different) continue; // one decision per pair is stored; a conflicting input keeps "different"
    if (e) { e.link = true; e.same = true; continue; }
    // An unscored pair counts at the floor in the mean anyway: the decision adds the link, not evidence.
    const ne: InsideEdge = { a: p[0], b: p[1], w: floor, link: true, same: true, different: false };
    byKey.set(p[2], ne);
    inside.push(ne);
  }
  const components = linkComponents(n, inside);
  // Each pair to the component holding both its records (pairs across components only weigh within one).
  const compOf = new Int32Array(n);
  components.forEach((c, ci) => { for (const i of c) compOf[i] = ci; });
  const byComp: Array<typeof inside> = components.map(() => []);
  for (const e of inside) if (compOf[e.a] === compOf[e.b]) byComp[compOf[e.a]!]!.push(e);
  const bansByComp: Array<Array<{ a: number; b: number }>> = components.map(() => []);
  for (const x of bans) if (compOf[x.a] === compOf[x.b]) bansByComp[compOf[x.a]!]!.push(x);
  const out: string[][] = [];
  for (const [ci, comp] of components.entries()) {
    if (comp.length === 1) { out.push([ids[comp[0]!]!]); continue; }
    const own = byComp[ci]!;
    const compBans = bansByComp[ci]!;
    const banned = compBans.length > 0 || own.some((e) => e.different);
    if (!banned && comp.length <= maxSize && meanWeight(comp.length, own, floor) >= 0) {
      out.push(comp.map((i) => ids[i]!));
      continue;
    }
    for (const g of averageLinkage(comp, own, compBans, floor, maxSize)) out.push(g.map((i) => ids[i]!));
  }
  for (const g of out) g.sort();
  return out.sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
}

/** Mean clipped weight over all k·(k−1)/2 record pairs of a group, unscored pairs at the floor. */
export function meanWeight(k: number, edges: ReadonlyArray<{ w: number }>, floor: number): number {
  const pairs = (k * (k - 1)) / 2;
  if (pairs === 0) return 0;
  let sum = 0;
  for (const e of edges) sum += clip(e.w, floor);
  return (sum + floor * (pairs - edges.length)) / pairs;
}

interface InsideEdge {
  a: number;
  b: number;
  w: number;
  link: boolean;
  /** A reviewer said the two are the same person: merged first, whatever the mean. */
  same: boolean;
  /** A reviewer said they are different people: no group may hold both. */
  different: boolean;
}

function linkComponents(n: number, edges: ReadonlyArray<{ a: number; b: number; link: boolean }>): number[][] {
  const uf = new UnionFind<number>();
  for (let i = 0; i < n; i++) uf.add(i);
  for (const e of edges) if (e.link) uf.union(e.a, e.b);
  return uf.groups();
}

/**
 * Kruskal over the links in descending weight (ties by record order, so the result is canonical), merging two
 * groups only when the mean clipped weight over all pairs between them is ≥ 0 and the result fits maxSize.
 * Reviewers' "same" links go first and merge whatever the mean; no merge joins groups holding a "different" pair.
 */
function averageLinkage(comp: readonly number[], edges: readonly InsideEdge[], bans: ReadonlyArray<{ a: number; b: number }>, floor: number, maxSize: number): number[][] {
  const uf = new UnionFind<number>();
  for (const i of comp) uf.add(i);
  // Per group (by its root), the clipped weight sum and count of scored pairs to each neighbouring group, and
  // how many "different" decisions lie between them.
  const cross = new Map<number, Map<number, { sum: number; count: number; bans: number }>>(comp.map((i) => [i, new Map()]));
  const addCross = (a: number, b: number, w: number, count: number, ban: number): void => {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const m = cross.get(x)!;
      const c = m.get(y);
      if (c) { c.sum += w; c.count += count; c.bans += ban; } else m.set(y, { sum: w, count, bans: ban });
    }
  };
  for (const e of edges) addCross(e.a, e.b, clip(e.w, floor), 1, e.different ? 1 : 0);
  for (const x of bans) addCross(x.a, x.b, 0, 0, 1);
  const links = edges.filter((e) => e.link).sort((x, y) => Number(y.same) - Number(x.same) || y.w - x.w || x.a - y.a || x.b - y.b);
  for (const e of links) {
    const ra = uf.find(e.a);
    const rb = uf.find(e.b);
    if (ra === rb) continue;
    const sa = uf.sizeOf(ra);
    const sb = uf.sizeOf(rb);
    if (sa + sb > maxSize) continue;
    const c = cross.get(ra)!.get(rb) ?? { sum: 0, count: 0, bans: 0 };
    if (c.bans > 0) continue;
    const total = sa * sb;
    if (!e.same && (c.sum + floor * (total - c.count)) / total < 0) continue;
    uf.union(ra, rb);
    const root = uf.find(ra);
    const gone = root === ra ? rb : ra;
    // The absorbed group's pair sums move to the surviving root, on both sides.
    const into = cross.get(root)!;
    into.delete(gone);
    for (const [other, v] of cross.get(gone)!) {
      if (other === root) continue;
      const om = cross.get(other)!;
      om.delete(gone);
      const cur = into.get(other);
      const merged = cur ? { sum: cur.sum + v.sum, count: cur.count + v.count, bans: cur.bans + v.bans } : { sum: v.sum, count: v.count, bans: v.bans };
      into.set(other, merged);
      om.set(root, { sum: merged.sum, count: merged.count, bans: merged.bans });
    }
    cross.delete(gone);
  }
  return uf.groups();
}

/**
 * Identities over a whole scored data set (in-process quality runs): record id -> identity id (its smallest
 * member). `edges` holds every scored pair at or above the floor; `link` marks those at or above the threshold.
 */
export function clusterRecords(ids: Iterable<string>, edges: readonly ScoredEdge[], opts: ClusteringOptions = {}): Map<string, string> {
  const all = [...ids];
  const out = new Map<string, string>();
  for (const g of partitionComponent(all, edges, opts)) for (const id of g) out.set(id, g[0]!);
  return out;
}
