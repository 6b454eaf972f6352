import type { BlockingRule } from './blocking.js';
import { DEFAULT_BLOCKING_RULES } from './blocking.js';
import type { DatePrecision } from './dateLevels.js';

/**
 * One level of a comparison (Splink style). Levels are tried in order; the first whose predicate holds
 * is the level of the pair. Field names refer to StandardizedRecord.values keys.
 */
export type LevelSpec = LevelKind & {
  /**
   * The level is recognised (so the pair does not fall through to weaker levels) but carries no evidence, like
   * a null level: weight 0, m and u not estimated. For agreement another comparison already counts: a swap of
   * given and family names holds for both name comparisons, and counting it in each scored strangers called
   * "David Gomez" and "Gomez David" as the same person (about 2,300 false links on the 1M generator file).
   */
  neutral?: boolean;
};

/** Whether a pair at this level adds evidence (log2 m/u): not for null levels (missing data) nor neutral ones. */
export function carriesEvidence(l: LevelSpec): boolean {
  return l.kind !== 'null' && l.neutral !== true;
}

type LevelKind =
  /**
   * Missing data: contributes no evidence (weight 0). With `mode` 'any' (default) the level holds when either
   * side lacks any of `fields`; with 'all' only when no field of `fields` is present on both sides (nothing to
   * compare), for comparisons over several fields that fall back from one to the next.
   */
  | { kind: 'null'; label: string; fields: string[]; mode?: 'any' | 'all' }
  /**
   * All `fields` present and equal. `tf` applies term-frequency adjustment on the value of the fields
   * (several fields: their values joined, so e.g. a whole address shared by a household is less distinctive).
   */
  | { kind: 'exact'; label: string; fields: string[]; tf?: boolean }
  /** Any of `fields` on one side equals any of `fields` on the other (double-metaphone primary/alternate codes). */
  | { kind: 'anyEqual'; label: string; fields: string[] }
  /** Space-separated token sets in `field` intersect (nickname canonical sets). */
  | { kind: 'tokenOverlap'; label: string; field: string }
  | { kind: 'jaroWinkler'; label: string; field: string; threshold: number }
  | { kind: 'damerauLevenshtein'; label: string; field: string; maxDistance: number }
  /** A's `field` equals B's `otherField` and vice versa (e.g. given and family names swapped). */
  | { kind: 'crossEqual'; label: string; field: string; otherField: string }
  /**
   * Like crossEqual with Jaro-Winkler >= `threshold` on both crossed pairs (names swapped and mistyped). The
   * crossed initials must agree (cheap reject on the hot path; typos rarely hit the first letter).
   */
  | { kind: 'crossJaroWinkler'; label: string; field: string; otherField: string; threshold: number }
  /** ISO dates with day and month swapped. */
  | { kind: 'dateTransposed'; label: string; field: string }
  /**
   * Partial dates (see dateLevels.ts): `fields` are [year, month, day]; holds when one side lacks the day (or the
   * month), and every part both sides know agrees, down to `precision`.
   */
  | { kind: 'partialDate'; label: string; fields: string[]; precision: DatePrecision }
  /** ISO dates (or 4-digit years) whose years differ by at most `years`. */
  | { kind: 'yearsWithin'; label: string; field: string; years: number }
  /** Full ISO dates at most `days` apart (a day or a month off that is not a one-character typo). */
  | { kind: 'daysWithin'; label: string; field: string; days: number }
  /** Every level in `of` holds (conjunction, e.g. similar street AND same postcode). No null/else inside. */
  | { kind: 'all'; label: string; of: LevelSpec[] }
  | { kind: 'else'; label: string };

export interface ComparisonSpec {
  name: string;
  levels: LevelSpec[];
  /**
   * Fields this comparison's agreement follows even among different people (gender follows the given name; an
   * email's user part is often built from the names). Training does not estimate this comparison's m from the
   * pairs of a rule blocking on them: there it agrees for nearly every pair, and EM would take that agreement
   * for evidence of a match and call most same-name strangers matches.
   */
  dependsOn?: string[];
}

/** Pairs satisfying every field's exact equality (all present) are matches without scoring. */
export interface DeterministicRule {
  name: string;
  fields: string[];
}

export interface MatchSettings {
  comparisons: ComparisonSpec[];
  deterministicRules: DeterministicRule[];
  /** Rules used to find pairs for EM; comparisons on a rule's fields are not estimated from that rule's pairs. */
  blockingRulesForTraining: BlockingRule[];
  /** Rules used for candidate generation at prediction time. */
  blockingRules: BlockingRule[];
  /**
   * Pairs of non-matches that share a household (same address, so usually family name and phone too, and
   * twins even DOB) are not like random non-matches, and an independence model double counts their shared
   * fields. When set, training fits a third class, "same household, different person", by EM on the pairs of
   * these rules (each pair once) with m fixed, and scoring discounts the evidence that a household explains
   * as well as a match. Several rules so that household pairs with an address typo are seen too.
   */
  householdRules?: BlockingRule[];
  /** Probability at or above which a pair is a match. */
  threshold: number;
  /** How many most frequent values to keep per term-frequency field. */
  tfTopN: number;
}

const name = (prefix: 'given' | 'family', other: 'given' | 'family'): ComparisonSpec => {
  // A swap is one piece of evidence: the given-name comparison counts it, the family-name one only recognises it.
  const swap = prefix === 'family' ? { neutral: true } : {};
  return {
    name: `${prefix}_name`,
    levels: [
      { kind: 'null', label: 'null', fields: [`${prefix}_name`] },
      { kind: 'exact', label: 'exact', fields: [`${prefix}_name`], tf: true },
      // MUELLER = MULLER = MÜLLER, SOERENSEN = SØRENSEN (text.ts transliterationFold): nearly exact, learned.
      { kind: 'exact', label: 'transliterated', fields: [`${prefix}_tl`] },
      ...(prefix === 'given' ? [{ kind: 'tokenOverlap', label: 'nickname', field: 'given_nick' } as LevelSpec] : []),
      { kind: 'jaroWinkler', label: 'jw_0.92', field: `${prefix}_name`, threshold: 0.92 },
      { kind: 'anyEqual', label: 'metaphone', fields: [`${prefix}_dm1`, `${prefix}_dm2`] },
      { kind: 'jaroWinkler', label: 'jw_0.80', field: `${prefix}_name`, threshold: 0.8 },
      { kind: 'crossEqual', label: 'swapped', field: `${prefix}_name`, otherField: `${other}_name`, ...swap },
      { kind: 'crossJaroWinkler', label: 'swapped_jw_0.88', field: `${prefix}_name`, otherField: `${other}_name`, threshold: 0.88, ...swap },
      { kind: 'else', label: 'else' },
    ],
  };
};

export const DEFAULT_COMPARISONS: readonly ComparisonSpec[] = [
  name('given', 'family'),
  name('family', 'given'),
  {
    // A second given name separates namesakes (twins, cousins named for one grandparent) that the first given
    // name and the date cannot. Null when either record lacks one: registers and CRMs often drop it.
    name: 'middle_name',
    levels: [
      { kind: 'null', label: 'null', fields: ['middle_name'] },
      { kind: 'exact', label: 'exact', fields: ['middle_name'], tf: true },
      { kind: 'jaroWinkler', label: 'jw_0.88', field: 'middle_name', threshold: 0.88 },
      { kind: 'exact', label: 'initial', fields: ['middle_initial'] },
      { kind: 'else', label: 'else' },
    ],
  },
  {
    name: 'dob',
    // Null only when the two records have no date part to compare: a year-only or year-month date still
    // compares (partial levels). One typo in year, month or day is one edit of the ISO string (1965 -> 1966,
    // 12 -> 13, 12 -> 21). The standardizer sets dob_year with every dob.
    levels: [
      { kind: 'null', label: 'null', fields: ['dob', 'dob_year'], mode: 'all' },
      { kind: 'exact', label: 'exact', fields: ['dob'] },
      { kind: 'damerauLevenshtein', label: 'one_typo', field: 'dob', maxDistance: 1 },
      { kind: 'dateTransposed', label: 'day_month_swapped', field: 'dob' },
      // 06-29 / 06-30 or 09-16 / 10-16: off by one day or month, two characters apart (Splink's 1-month level).
      { kind: 'daysWithin', label: 'within_1m', field: 'dob', days: 31 },
      { kind: 'partialDate', label: 'partial_year_month', fields: ['dob_year', 'dob_month', 'dob_day'], precision: 'month' },
      { kind: 'partialDate', label: 'partial_year', fields: ['dob_year', 'dob_month', 'dob_day'], precision: 'year' },
      { kind: 'yearsWithin', label: 'within_1y', field: 'dob_year', years: 1 },
      { kind: 'yearsWithin', label: 'within_10y', field: 'dob_year', years: 10 },
      { kind: 'else', label: 'else' },
    ],
  },
  {
    name: 'ssn',
    levels: [
      { kind: 'null', label: 'null', fields: ['ssn'] },
      { kind: 'exact', label: 'exact', fields: ['ssn'] },
      { kind: 'damerauLevenshtein', label: 'one_typo', field: 'ssn', maxDistance: 1 },
      { kind: 'damerauLevenshtein', label: 'two_typos', field: 'ssn', maxDistance: 2 },
      { kind: 'else', label: 'else' },
    ],
  },
  // One comparison for the whole address. Street, house number, postcode, city and state are strongly
  // correlated (a postcode implies its city and state), so scoring them as independent comparisons counted the
  // same evidence four or five times; a household's shared address then outweighed every person-level
  // disagreement. Levels go from the most to the least specific agreement; each pair gets exactly one.
  {
    name: 'address',
    levels: [
      { kind: 'null', label: 'null', fields: ['address_line1', 'postcode', 'city', 'state'], mode: 'all' },
      { kind: 'exact', label: 'exact', fields: ['house_number', 'address_line1', 'postcode'], tf: true },
      { kind: 'exact', label: 'number_street', fields: ['house_number', 'address_line1'] },
      { kind: 'exact', label: 'street_postcode', fields: ['address_line1', 'postcode'] },
      {
        kind: 'all',
        label: 'street_jw_0.90_postcode',
        // Cheap test first: most pairs reaching this level have different postcodes.
        of: [
          { kind: 'exact', label: 'postcode', fields: ['postcode'] },
          { kind: 'jaroWinkler', label: 'street_jw_0.90', field: 'address_line1', threshold: 0.9 },
        ],
      },
      { kind: 'exact', label: 'postcode', fields: ['postcode'], tf: true },
      { kind: 'jaroWinkler', label: 'street_jw_0.90', field: 'address_line1', threshold: 0.9 },
      { kind: 'damerauLevenshtein', label: 'postcode_typo', field: 'postcode', maxDistance: 1 },
      { kind: 'exact', label: 'city', fields: ['city'], tf: true },
      { kind: 'jaroWinkler', label: 'city_jw_0.88', field: 'city', threshold: 0.88 },
      { kind: 'exact', label: 'state', fields: ['state'] },
      { kind: 'else', label: 'else' },
    ],
  },
  {
    name: 'address_line2',
    levels: [
      { kind: 'null', label: 'null', fields: ['address_line2'] },
      { kind: 'exact', label: 'exact', fields: ['address_line2'], tf: true },
      { kind: 'jaroWinkler', label: 'jw_0.88', field: 'address_line2', threshold: 0.88 },
      { kind: 'else', label: 'else' },
    ],
  },
  {
    name: 'email',
    dependsOn: ['given_name', 'family_name'],
    levels: [
      { kind: 'null', label: 'null', fields: ['email'] },
      { kind: 'exact', label: 'exact', fields: ['email'] },
      { kind: 'exact', label: 'same_user', fields: ['email_user'] },
      { kind: 'jaroWinkler', label: 'jw_0.88', field: 'email', threshold: 0.88 },
      { kind: 'else', label: 'else' },
    ],
  },
  {
    name: 'phone',
    levels: [
      { kind: 'null', label: 'null', fields: ['phone'] },
      { kind: 'exact', label: 'exact', fields: ['phone'] },
      { kind: 'damerauLevenshtein', label: 'one_typo', field: 'phone', maxDistance: 1 },
      { kind: 'else', label: 'else' },
    ],
  },
  {
    name: 'gender',
    dependsOn: ['given_name'],
    levels: [
      { kind: 'null', label: 'null', fields: ['gender'] },
      { kind: 'exact', label: 'exact', fields: ['gender'] },
      { kind: 'else', label: 'else' },
    ],
  },
];

export const DEFAULT_SETTINGS: MatchSettings = {
  comparisons: DEFAULT_COMPARISONS.map((c) => structuredClone(c)),
  deterministicRules: [{ name: 'ssn_and_dob', fields: ['ssn', 'dob'] }],
  blockingRulesForTraining: [
    { name: 'dob', fields: ['dob'] },
    { name: 'given_family', fields: ['given_name', 'family_name'] },
    { name: 'email', fields: ['email'] },
    { name: 'ssn', fields: ['ssn'] },
  ],
  blockingRules: DEFAULT_BLOCKING_RULES.map((r) => ({ name: r.name, fields: [...r.fields] })),
  householdRules: [
    { name: 'same_street_postcode', fields: ['postcode', 'address_line1'] },
    { name: 'same_number_postcode', fields: ['postcode', 'house_number'] },
    { name: 'same_number_street', fields: ['house_number', 'address_line1'] },
  ],
  threshold: 0.5,
  tfTopN: 1000,
};
