/**
 * What a reviewer should look at first. A pair is worth a look when its probability lies in a band around the
 * match threshold (the model was unsure), or when it is a link that the clustering held apart (the pair says
 * "same", the identities say "different"). The most uncertain come first: the smallest distance, in bits of
 * match weight, from the threshold's weight.
 */

export type ReviewReason = 'BORDERLINE' | 'HELD_APART';

export interface ReviewCandidate {
  a: string;
  b: string;
  probability: number;
  matchWeight: number;
  /** At or above the threshold when it was scored. */
  link: boolean;
  masterA: string | null;
  masterB: string | null;
}

export interface ReviewItem extends ReviewCandidate {
  reason: ReviewReason;
  /** |matchWeight − the threshold's weight| in bits: 0 is a coin toss at the threshold. */
  distance: number;
}

export interface ReviewBand {
  threshold: number;
  /** Probabilities in [lo, hi] are borderline. */
  lo: number;
  hi: number;
}

/** The match weight (log2 odds) of a probability, clipped so 0 and 1 stay finite. */
export function weightOfProbability(p: number): number {
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  return Math.log2(q / (1 - q));
}

/** A band of ±width (in probability) around the threshold, inside [0, 1]. */
export function reviewBand(threshold: number, width: number): ReviewBand {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError('threshold must lie strictly between 0 and 1');
  if (!(width >= 0 && width <= 1)) throw new RangeError('band width must lie in [0, 1]');
  return { threshold, lo: Math.max(0, threshold - width), hi: Math.min(1, threshold + width) };
}

/** Candidates that qualify, with their reason, most uncertain first (ties by record IDs, so the order is stable). */
export function rankForReview(candidates: readonly ReviewCandidate[], band: ReviewBand): ReviewItem[] {
  const tw = weightOfProbability(band.threshold);
  const out: ReviewItem[] = [];
  for (const c of candidates) {
    const heldApart = c.link && c.masterA !== null && c.masterB !== null && c.masterA !== c.masterB;
    const borderline = c.probability >= band.lo && c.probability <= band.hi;
    if (!heldApart && !borderline) continue;
    out.push({ ...c, reason: heldApart ? 'HELD_APART' : 'BORDERLINE', distance: Math.abs(c.matchWeight - tw) });
  }
  return out.sort((x, y) => x.distance - y.distance || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
}

export interface FieldComparison {
  field: string;
  /** Each member's value of the field (absent: the member has none). */
  values: Record<string, string>;
  /** Two members hold different values, or some hold one and some none. */
  differs: boolean;
}

/** Member records side by side: per field, every member's value and whether they disagree. Fields sorted. */
export function compareMembers(members: ReadonlyArray<{ recordId: string; values: Readonly<Record<string, string>> }>, fields?: readonly string[]): FieldComparison[] {
  const names = fields ?? [...new Set(members.flatMap((m) => Object.keys(m.values)))].sort();
  return names.map((field) => {
    const values: Record<string, string> = {};
    for (const m of members) { const v = m.values[field]; if (v !== undefined && v !== '') values[m.recordId] = v; }
    const distinct = new Set(Object.values(values));
    const present = Object.keys(values).length;
    return { field, values, differs: distinct.size > 1 || (present > 0 && present < members.length) };
  }).filter((f) => Object.keys(f.values).length > 0);
}
