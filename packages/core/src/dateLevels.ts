/**
 * Agreement of dates known only in part (see MIN_BIRTH_YEAR and PARTIAL_DATE in standardizeRecord): a record may
 * carry dob_year alone, dob_year + dob_month, or a full date. Pure.
 */

/** Precision of a partialDate level: the finest date part both records know. */
export type DatePrecision = 'year' | 'month';

/**
 * True when at least one side is a partial date (no day), every part both sides know agrees, and the finest part
 * both sides know is `precision`: 'month' = both know year and month (and agree), one lacks the day; 'year' = both
 * know the year (and agree), one lacks the month. Full dates on both sides never hold (exact and typo levels judge
 * those).
 */
export function partialDateAgrees(ya: string, ma: string, da: string, yb: string, mb: string, db: string, precision: DatePrecision): boolean {
  if (ya.length === 0 || ya !== yb) return false;
  if (precision === 'month') return ma.length > 0 && ma === mb && (da.length === 0 || db.length === 0);
  return ma.length === 0 || mb.length === 0;
}

/** Day number of an ISO date (YYYY-MM-DD), or NaN when it is not one. */
function dayNumber(iso: string): number {
  if (iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) return Number.NaN;
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
}

/**
 * True when both are full ISO dates at most `days` apart (an off-by-one day or month: 06-29 / 06-30, 09-16 /
 * 10-16, which are not one-character typos of each other).
 */
export function daysWithin(x: string, y: string, days: number): boolean {
  const d = dayNumber(x) - dayNumber(y);
  return d <= days && d >= -days;
}
