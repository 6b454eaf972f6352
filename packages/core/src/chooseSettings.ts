import type { BlockingRule } from './blocking.js';
import { blockingKeys } from './blocking.js';
import { carriesEvidence, DEFAULT_SETTINGS, type ComparisonSpec, type MatchSettings } from './settings.js';
import { ATTRIBUTE_PREFIX } from './standardizeRecord.js';
import { comparisonFields, mulberry32 } from './trainModel.js';

type Values = Readonly<Record<string, string>>;

export interface ChooseSettingsOptions {
  /**
   * A comparison is kept when one of its fields is filled in at least this share of records. Below it a field
   * is present in too few pairs to estimate m and u, and the comparison only adds noise and cost. Default 0.01.
   */
  minFill?: number;
  /**
   * An attribute (attr.*) gets a comparison when filled in at least this share of records: at 5% about one pair
   * in 400 has it on both sides, the least from which EM learns anything. Default 0.05.
   */
  attributeMinFill?: number;
  /** At most this many attribute comparisons, the best filled first (cost guard). Default 8. */
  maxAttributes?: number;
  /**
   * Attributes (names without the attr. prefix) to compare whenever they occur at all, whatever their fill rate
   * (`idres resolve --compare`): the user knows a sparse column identifies people. They come first.
   */
  compare?: readonly string[];
  /** Blocks larger than this are not counted when checking that a training rule finds pairs (as in training). */
  maxBlockSize?: number;
}

/**
 * Training needs every comparison estimated by at least two training sessions: m is the median across sessions,
 * and one session alone can take the strangers of its blocks (a shared family email, a common name) for matches.
 */
const MIN_SESSIONS = 2;
/** A training rule must yield at least this many pairs (trainModel skips rules with fewer). */
const MIN_RULE_PAIRS = 10;
/** A value is "numeric" (dates, years, counts, ids) when it has digits and nothing but digits and spaces. */
const NUMERIC = /^[0-9][0-9 ]*$/;
/** An attribute whose filled values are numeric in at least this share is compared exact/else only. */
const NUMERIC_SHARE = 0.9;
/**
 * An attribute follows a place field when, among pairs of different people, agreeing on the place makes agreeing
 * on the attribute at least this many times likelier than chance (a birthplace and the postcode of the same town).
 */
const DEPENDENCE_LIFT = 4;
/** ... seen in at least this many pairs, so a handful of coincidences decide nothing. */
const DEPENDENCE_MIN_PAIRS = 20;
/** Comparisons of the base settings that are kept only at an attribute's fill rate (attributeMinFill). */
const SECONDARY_COMPARISONS: ReadonlySet<string> = new Set(['middle_name']);
/** Fields an attribute's agreement may follow (besides attributes chosen before it). */
const PLACE_FIELDS = ['postcode', 'city'] as const;

/**
 * For each attribute, the field its agreement follows among different people, if any: the parent (a place field,
 * or an attribute chosen before it) with the largest lift P(both agree) / (P(attribute agrees) · P(parent agrees)),
 * counted on seeded random pairs whose name codes both differ (so nearly all are different people; with no names,
 * all random pairs). Scoring then uses the attribute's u among non-matches that agree on the parent
 * (uGivenDependsOn), so one place does not count twice.
 */
export function attributeDependencies(sampleValues: readonly Values[], attrs: readonly string[], pairs = 200_000): Map<string, string> {
  const n = sampleValues.length;
  const out = new Map<string, string>();
  if (n < 2 || attrs.length === 0) return out;
  const rand = mulberry32(7);
  const fields = [...PLACE_FIELDS, ...attrs];
  const agree = new Array<number>(fields.length).fill(0);
  const both = new Map<string, number>();
  let counted = 0;
  const named = sampleValues.some((v) => v['given_dm1'] !== undefined || v['family_dm1'] !== undefined);
  for (let p = 0; p < pairs; p++) {
    const a = sampleValues[Math.floor(rand() * n)] as Values;
    const b = sampleValues[Math.floor(rand() * n)] as Values;
    if (a === b) continue;
    if (named && (a['given_dm1'] === undefined || a['given_dm1'] === b['given_dm1'] || a['family_dm1'] === undefined || a['family_dm1'] === b['family_dm1'])) continue;
    counted++;
    const hits: number[] = [];
    fields.forEach((f, i) => { const v = a[f]; if (v !== undefined && v.length > 0 && v === b[f]) { agree[i] = (agree[i] as number) + 1; hits.push(i); } });
    for (const i of hits) for (const j of hits) if (i < j) both.set(`${i} ${j}`, (both.get(`${i} ${j}`) ?? 0) + 1);
  }
  attrs.forEach((attr, ai) => {
    const x = PLACE_FIELDS.length + ai;
    let best: { parent: string; lift: number } | undefined;
    for (let y = 0; y < x; y++) {
      const nxy = both.get(`${y} ${x}`) ?? 0;
      if (nxy < DEPENDENCE_MIN_PAIRS) continue;
      const lift = (nxy * counted) / ((agree[x] as number) * (agree[y] as number));
      if (lift >= DEPENDENCE_LIFT && (best === undefined || lift > best.lift)) best = { parent: fields[y] as string, lift };
    }
    if (best !== undefined) out.set(attr, best.parent);
  });
  return out;
}

function fillRates(records: readonly Values[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) for (const [k, v] of Object.entries(r)) if (v.length > 0) counts.set(k, (counts.get(k) ?? 0) + 1);
  const n = Math.max(1, records.length);
  return new Map([...counts].map(([k, c]) => [k, c / n] as const));
}

/** Fields whose presence makes a comparison non-null: those of its null level(s), else everything it reads. */
function dataFields(spec: ComparisonSpec): string[] {
  const nulls = spec.levels.filter((l) => l.kind === 'null');
  if (nulls.length > 0) return nulls.flatMap((l) => (l.kind === 'null' ? l.fields : []));
  return [...comparisonFields(spec)].filter((f) => !(spec.dependsOn ?? []).includes(f));
}

/** Pairs a rule yields on the sample (blocks above maxBlockSize skipped, as training does). */
function rulePairCount(records: readonly Values[], rule: BlockingRule, maxBlockSize: number): number {
  const sizes = new Map<string, number>();
  for (const r of records) for (const k of blockingKeys(r, [rule])) sizes.set(k.key, (sizes.get(k.key) ?? 0) + 1);
  let pairs = 0;
  for (const s of sizes.values()) if (s >= 2 && s <= maxBlockSize) pairs += (s * (s - 1)) / 2;
  return pairs;
}

/** The comparison for one attribute: numeric values exact/else, text also Jaro-Winkler 0.88. */
export function attributeComparison(field: string, numeric: boolean): ComparisonSpec {
  return {
    name: field,
    levels: [
      { kind: 'null', label: 'null', fields: [field] },
      { kind: 'exact', label: 'exact', fields: [field], tf: true },
      ...(numeric ? [] : [{ kind: 'jaroWinkler', label: 'jw_0.88', field, threshold: 0.88 } as const]),
      { kind: 'else', label: 'else' },
    ],
  };
}

/**
 * MatchSettings for a dataset from the fields it actually has (`sampleValues`: StandardizedRecord.values of the
 * data or a sample of it). General rules, the same for every data shape, none fitted to a file:
 *  - comparisons of `base` whose fields are filled in fewer than `minFill` of the records are dropped;
 *  - each attribute (attr.*) filled in at least `attributeMinFill` with two or more distinct values gets a
 *    comparison: null / exact (term-frequency adjusted) / Jaro-Winkler 0.88 / else, or exact / else when its
 *    values are numeric (dates, years, numbers: a near miss there is a different value);
 *  - training rules whose fields are absent are dropped; while a kept comparison is estimated by fewer than two
 *    training rules (see MIN_SESSIONS), rules pairing a present anchor field (dob_year, postcode, city, an
 *    attribute) with a family or given name code are added, if they find pairs on the sample;
 *  - prediction blocking rules stay (a rule on an absent field simply yields no key); for partial dates
 *    (dob_year without dob in at least `attributeMinFill`) and for the two best filled attributes, rules pairing
 *    them with a phonetic name code are added, so records without a full date or address are still blocked.
 */
export function chooseSettings(sampleValues: readonly Values[], base: MatchSettings = DEFAULT_SETTINGS, opts: ChooseSettingsOptions = {}): MatchSettings {
  const minFill = opts.minFill ?? 0.01;
  const attrFill = opts.attributeMinFill ?? 0.05;
  const maxAttributes = opts.maxAttributes ?? 8;
  const maxBlockSize = opts.maxBlockSize ?? 1000;
  const fill = fillRates(sampleValues);
  const filled = (f: string, min = minFill): boolean => (fill.get(f) ?? 0) >= min;

  // A middle name is secondary evidence like an attribute: it needs an attribute's fill to be learned at all (in
  // FEBRL ~1% of given names split into two, and EM then fits its levels to a handful of pairs).
  const needs = (c: ComparisonSpec): number => (SECONDARY_COMPARISONS.has(c.name) ? Math.max(minFill, attrFill) : minFill);
  const present = base.comparisons.filter((c) => !c.name.startsWith(ATTRIBUTE_PREFIX) && dataFields(c).some((f) => filled(f, needs(c))));
  // Nothing known is filled (an empty sample): keep the base comparisons rather than none.
  const comparisons: ComparisonSpec[] = (present.length > 0 ? present : base.comparisons).map((c) => structuredClone(c));

  // Attributes, best filled first.
  const forced = new Set((opts.compare ?? []).map((a) => `${ATTRIBUTE_PREFIX}${a}`));
  const attrs = [
    ...[...forced].filter((k) => (fill.get(k) ?? 0) > 0).sort(),
    ...[...fill.entries()].filter(([k, r]) => k.startsWith(ATTRIBUTE_PREFIX) && r >= attrFill && !forced.has(k)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k),
  ];
  const chosenAttrs: string[] = [];
  for (const a of attrs) {
    if (chosenAttrs.length >= maxAttributes) break;
    const distinct = new Set<string>();
    let numeric = 0;
    let n = 0;
    for (const r of sampleValues) {
      const v = r[a];
      if (v === undefined || v.length === 0) continue;
      n++;
      if (NUMERIC.test(v)) numeric++;
      if (distinct.size < 2) distinct.add(v);
    }
    if (distinct.size < 2) continue; // a constant says nothing about identity
    comparisons.push(attributeComparison(a, numeric >= NUMERIC_SHARE * n));
    chosenAttrs.push(a);
  }

  // An attribute that follows a place (or an earlier attribute) among different people is scored given it.
  for (const [attr, parent] of attributeDependencies(sampleValues, chosenAttrs)) {
    const c = comparisons.find((x) => x.name === attr);
    if (c !== undefined) c.dependsOn = [parent];
  }

  // Training rules: the present ones, then anchors x names until every comparison has MIN_SESSIONS.
  const ruleFilled = (r: BlockingRule): boolean => r.fields.every((f) => filled(f));
  const training: BlockingRule[] = base.blockingRulesForTraining.filter(ruleFilled).map((r) => ({ name: r.name, fields: [...r.fields] }));
  const estimates = (rule: BlockingRule, c: ComparisonSpec): boolean => ![...comparisonFields(c)].some((f) => rule.fields.includes(f)) && c.levels.some(carriesEvidence);
  const sessionsOf = (c: ComparisonSpec): number => training.filter((r) => estimates(r, c)).length;
  // dob_year adds nothing new where a training rule already blocks on the full dob (it is part of it).
  const hasDobRule = training.some((r) => r.fields.includes('dob'));
  const anchors = [...(hasDobRule ? [] : ['dob_year']), 'postcode', 'city', ...chosenAttrs].filter((f) => filled(f, attrFill));
  // Phonetic codes, not the names: each name comparison also reads the other name (swap levels), so a rule on
  // given_name would leave the family comparison unestimated too; one on given_dm1 does not.
  const candidates: BlockingRule[] = anchors.flatMap((a) => [
    { name: `${a}_family_dm`, fields: [a, 'family_dm1'] },
    { name: `${a}_given_dm`, fields: [a, 'given_dm1'] },
  ]);
  for (const cand of candidates) {
    const short = comparisons.filter((c) => sessionsOf(c) < MIN_SESSIONS);
    if (short.length === 0) break;
    if (training.some((r) => r.name === cand.name) || !ruleFilled(cand) || !short.some((c) => estimates(cand, c))) continue;
    if (rulePairCount(sampleValues, cand, maxBlockSize) < MIN_RULE_PAIRS) continue;
    training.push(cand);
  }

  // Prediction blocking: base rules, plus partial dates and attributes with a phonetic name.
  const blocking: BlockingRule[] = base.blockingRules.map((r) => ({ name: r.name, fields: [...r.fields] }));
  const addBlocking = (r: BlockingRule): void => { if (!blocking.some((b) => b.name === r.name)) blocking.push(r); };
  if ((fill.get('dob_year') ?? 0) - (fill.get('dob') ?? 0) >= attrFill) {
    addBlocking({ name: 'dob_year_family_dm', fields: ['dob_year', 'family_dm1'] });
    addBlocking({ name: 'dob_year_given_dm', fields: ['dob_year', 'given_dm1'] });
  }
  for (const a of chosenAttrs.slice(0, 2)) addBlocking({ name: `${a}_family_dm`, fields: [a, 'family_dm1'] });

  const out: MatchSettings = {
    ...structuredClone(base),
    comparisons,
    deterministicRules: base.deterministicRules.filter((r) => r.fields.every((f) => filled(f))).map((r) => ({ name: r.name, fields: [...r.fields] })),
    blockingRulesForTraining: training,
    blockingRules: blocking,
  };
  return out;
}
