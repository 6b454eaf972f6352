/**
 * What reviewers' decisions say about the model. Each decision labels one pair (same person or not); the pair's
 * stored probability says what the model predicted (linked at or above the threshold; a pair never scored was
 * not linked). The reviewed sample is not random (the queue shows borderline pairs first), so these are
 * estimates near the threshold, not of the whole data set.
 */

export interface ReviewedPair {
  same: boolean;
  /** The model's probability for the pair; null when match never scored it. */
  probability: number | null;
}

export interface Estimate {
  value: number | null;
  /** Wilson 95% interval. */
  low: number | null;
  high: number | null;
  /** Denominator of the estimate. */
  n: number;
}

export interface ReviewedQuality {
  reviewed: number;
  threshold: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: Estimate;
  recall: Estimate;
}

/** Wilson score interval for k successes out of n at 95%. */
export function wilson(k: number, n: number): Estimate {
  if (n === 0) return { value: null, low: null, high: null, n };
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n };
}

export function reviewedQuality(pairs: readonly ReviewedPair[], threshold: number): ReviewedQuality {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const p of pairs) {
    const linked = p.probability !== null && p.probability >= threshold;
    if (p.same) { if (linked) tp++; else fn++; } else if (linked) fp++; else tn++;
  }
  return { reviewed: pairs.length, threshold, truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn, precision: wilson(tp, tp + fp), recall: wilson(tp, tp + fn) };
}

/**
 * The threshold with the best F1 over the reviewed pairs: candidates halfway between neighbouring probabilities
 * (so no reviewed pair sits on it); among equal F1s the one nearest `current`. Undefined without at least
 * `minEach` pairs of each label, or when no candidate links any pair.
 */
export function thresholdFromReviews(pairs: readonly ReviewedPair[], current: number, minEach = 5): number | undefined {
  const scored = pairs.filter((p): p is { same: boolean; probability: number } => p.probability !== null);
  const same = pairs.filter((p) => p.same).length;
  if (same < minEach || pairs.length - same < minEach) return undefined;
  const ps = [...new Set(scored.map((p) => p.probability))].sort((a, b) => a - b);
  const candidates = ps.slice(1).map((p, i) => (ps[i]! + p) / 2);
  let best: { t: number; f1: number } | undefined;
  for (const t of candidates) {
    if (!(t > 0 && t < 1)) continue;
    const q = reviewedQuality(pairs, t);
    const f1 = (2 * q.truePositives) / (2 * q.truePositives + q.falsePositives + q.falseNegatives);
    if (q.truePositives === 0) continue;
    if (!best || f1 > best.f1 + 1e-12 || (Math.abs(f1 - best.f1) <= 1e-12 && Math.abs(t - current) < Math.abs(best.t - current))) best = { t, f1 };
  }
  return best?.t;
}
