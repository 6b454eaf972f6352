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
