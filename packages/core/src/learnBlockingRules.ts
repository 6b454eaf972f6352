import { blockingKeys, blocksByKey, type BlockingKey, type BlockingRule } from './blocking.js';
import { loadModel, matchWeightPrepared, prepareRecord, probabilityFromWeight, type ModelJson, type PreparedRecord } from './model.js';
import { ATTRIBUTE_PREFIX } from './standardizeRecord.js';

type Values = Readonly<Record<string, string>>;

export interface LearnBlockingOptions {
  /** Blocks larger than this are not compared (as in training, the quality run and match's cap). Default 1000. */
  maxBlockSize?: number;
  /** A field is an anchor of candidate rules when filled in at least this share of records. Default 0.05. */
  anchorMinFill?: number;
  /**
   * A rule is added only if at least this share of the comparisons it adds are likely matches: one in 100 by
   * default, so a rule never costs more than ~100 comparisons per match it finds.
   */
  minMatchShare?: number;
  /** ... and only if it finds at least this share of the matching pairs the model expects in the data. Default 0.005. */
  minGainShare?: number;
  /** A candidate adding more than this many comparisons per record is not even scored (cost guard). Default 10. */
  maxNewPairsPerRecord?: number;
  /**
   * A rule is dropped when the comparisons only it makes (at least one per 100 records) hold fewer likely matches
   * than this share: one in 1,000 by default, so a broad rule whose blocks grow with the data (a bare date of
   * birth) stays only where it still finds matches the others miss.
   */
  minKeepShare?: number;
}

export interface BlockingRuleChoice {
  rule: string;
  /** Comparisons the rule adds over the rules before it (sample pairs no earlier rule blocks). */
  newPairs: number;
  /** Of them, pairs the model scores at or above its threshold that no earlier rule found. */
  newLikelyMatches: number;
}

export interface BlockingRuleDrop {
  rule: string;
  /** Comparisons only this rule made on the sample, and the likely matches among them, when it was dropped. */
  ownPairs: number;
  ownLikelyMatches: number;
}

export interface LearnedBlocking {
  rules: BlockingRule[];
  /** Matching pairs the model expects in the sample (prior × all pairs): a rule must add a share of these. */
  expectedMatches: number;
  added: BlockingRuleChoice[];
  dropped: BlockingRuleDrop[];
  candidates: number;
}

/** Name codes every candidate rule may pair an anchor with: phonetic, so a typo in the name still blocks. */
const NAME_CODES = ['family_dm1', 'given_dm1'] as const;
/** Fields that place a person (when, where, what): paired with a name code, or with one another. */
const ANCHOR_FIELDS = ['dob', 'dob_year', 'postcode', 'city'] as const;

/**
 * Candidate prediction rules for the fields a dataset has: every anchor (date of birth, birth year, postcode, city,
 * and the attributes the model compares) that is filled in enough records, with each phonetic name code and with
 * each other anchor. The rules already given are not repeated.
 */
export function candidateBlockingRules(values: readonly Values[], model: ModelJson, anchorMinFill = 0.05): BlockingRule[] {
  const n = Math.max(1, values.length);
  const fill = (f: string): number => values.reduce((c, v) => c + ((v[f] ?? '').length > 0 ? 1 : 0), 0) / n;
  const attrs = model.settings.comparisons.map((c) => c.name).filter((c) => c.startsWith(ATTRIBUTE_PREFIX));
  const anchors = [...ANCHOR_FIELDS, ...attrs].filter((f) => fill(f) >= anchorMinFill);
  const codes = NAME_CODES.filter((f) => fill(f) >= anchorMinFill);
  const have = new Set(model.settings.blockingRules.map((r) => [...r.fields].sort().join('+')));
  const out: BlockingRule[] = [];
  const add = (fields: string[]): void => {
    const sig = [...fields].sort().join('+');
    if (have.has(sig)) return;
    have.add(sig);
    out.push({ name: fields.join('_'), fields });
  };
  anchors.forEach((a, i) => {
    for (const c of codes) add([a, c]);
    // dob contains dob_year: that pair says no more than dob alone.
    for (const b of anchors.slice(i + 1)) if (!(a === 'dob' && b === 'dob_year')) add([a, b]);
  });
  return out;
}

/** The blocks whose records are compared: two or more, at most `max`. */
function comparedBlocks(blocks: ReadonlyMap<string, number[]>, max: number): number[][] {
  return [...blocks.values()].filter((b) => b.length >= 2 && b.length <= max);
}

/**
 * Rules under which two records share a compared key (blocks within `max`), by one merge walk: keys come ordered
 * by rule, at most one per rule. -1 when they share none; with `firstOnly` the first such rule, else the rule when
 * it is the only one and -2 when there are several.
 */
function sharedComparedRule(a: readonly BlockingKey[], b: readonly BlockingKey[], blocks: ReadonlyMap<string, number[]>, max: number, firstOnly: boolean): number {
  let found = -1;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ka = a[i] as BlockingKey;
    const kb = b[j] as BlockingKey;
    if (ka.ruleIndex < kb.ruleIndex) i++;
    else if (ka.ruleIndex > kb.ruleIndex) j++;
    else {
      if (ka.key === kb.key && (blocks.get(ka.key)?.length ?? 0) <= max) {
        if (firstOnly) return ka.ruleIndex;
        if (found >= 0) return -2;
        found = ka.ruleIndex;
      }
      i++;
      j++;
    }
  }
  return found;
}

/** The one rule under which two records share a compared key, or -1 when they share none or several. */
const soleSharedRule = (a: readonly BlockingKey[], b: readonly BlockingKey[], blocks: ReadonlyMap<string, number[]>, max: number): number =>
  Math.max(-1, sharedComparedRule(a, b, blocks, max, false));

/** Whether two records share a compared key under any rule. */
const sharesComparedKey = (a: readonly BlockingKey[], b: readonly BlockingKey[], blocks: ReadonlyMap<string, number[]>, max: number): boolean =>
  sharedComparedRule(a, b, blocks, max, true) >= 0;

/** Members of each compared block of `rule`. */
function blocksOf(values: readonly Values[], rule: BlockingRule, max: number): number[][] {
  return comparedBlocks(blocksByKey(values.map((v) => blockingKeys(v, [rule]))), max);
}

/**
 * Prediction blocking rules learned from the data with a trained model, no labels: the model's own rules, then,
 * greedily, the candidate rule (see candidateBlockingRules) that finds the most likely matches (pairs the model
 * scores at or above its threshold) that no rule before it compares, while it adds at least `minMatchShare` likely
 * matches per comparison and finds at least `minGainShare` of the matching pairs the model expects in the data. Data whose matches the
 * default rules already find (an ID, full dates) gets no extra rule; sparse data (names, a birthplace, a year)
 * gets the rules that reach its matches. The rules keep their order; added ones come last.
 */
export function learnBlockingRules(values: readonly Values[], json: ModelJson, opts: LearnBlockingOptions = {}): LearnedBlocking {
  const max = opts.maxBlockSize ?? 1000;
  const minShare = opts.minMatchShare ?? 0.01;
  const minGain = opts.minGainShare ?? 0.005;
  const maxPairs = (opts.maxNewPairsPerRecord ?? 10) * values.length;
  const model = loadModel(json);
  const threshold = json.threshold;
  const prepared: PreparedRecord[] = values.map((v) => prepareRecord(model, v));
  const likely = (i: number, j: number): boolean => probabilityFromWeight(matchWeightPrepared(model, prepared[i] as PreparedRecord, prepared[j] as PreparedRecord)) >= threshold;

  const baseRules = json.settings.blockingRules;
  const baseKeys = values.map((v) => blockingKeys(v, baseRules));
  const baseBlocks = blocksByKey(baseKeys);
  const covered = (i: number, j: number): boolean => sharesComparedKey(baseKeys[i] as BlockingKey[], baseKeys[j] as BlockingKey[], baseBlocks, max);

  // The matching pairs the model expects in the sample (its prior over all pairs): the scale of a worthwhile gain.
  const n = values.length;
  const before = json.prior * ((n * (n - 1)) / 2);

  // Each candidate's new pairs (not compared by the given rules) and the likely matches among them.
  const candidates = candidateBlockingRules(values, json, opts.anchorMinFill);
  const found = candidates.flatMap((rule) => {
    const blocks = blocksOf(values, rule, max);
    let pairs = 0;
    for (const b of blocks) pairs += (b.length * (b.length - 1)) / 2;
    if (pairs > maxPairs) return [];
    let newPairs = 0;
    const matches = new Set<number>();
    for (const block of blocks) {
      for (let x = 0; x < block.length; x++) for (let y = x + 1; y < block.length; y++) {
        const i = Math.min(block[x] as number, block[y] as number);
        const j = Math.max(block[x] as number, block[y] as number);
        if (covered(i, j)) continue;
        newPairs++;
        if (likely(i, j)) matches.add(i * n + j);
      }
    }
    return matches.size === 0 ? [] : [{ rule, newPairs, matches }];
  });

  // Greedy: the best remaining candidate by likely matches not yet found, while it pays for itself.
  const rules = baseRules.map((r) => ({ name: r.name, fields: [...r.fields] }));
  const added: BlockingRuleChoice[] = [];
  const got = new Set<number>();
  for (;;) {
    let best: { c: (typeof found)[number]; gain: number } | undefined;
    for (const c of found) {
      if (added.some((a) => a.rule === c.rule.name)) continue;
      let gain = 0;
      for (const id of c.matches) if (!got.has(id)) gain++;
      if (gain < minShare * c.newPairs || gain < Math.max(1, minGain * before)) continue;
      if (best === undefined || gain > best.gain) best = { c, gain };
    }
    if (best === undefined) break;
    for (const id of best.c.matches) got.add(id);
    rules.push({ name: best.c.rule.name, fields: [...best.c.rule.fields] });
    added.push({ rule: best.c.rule.name, newPairs: best.c.newPairs, newLikelyMatches: best.gain });
  }
  const dropped = dropIdleRules(values, rules, likely, max, opts.minKeepShare ?? 0.001);
  return { rules: rules.filter((r) => !dropped.some((d) => d.rule === r.name)), expectedMatches: Math.round(before), added, dropped, candidates: candidates.length };
}

/**
 * The rules whose own comparisons (pairs no other rule compares) hardly ever find a likely match, dropped one at a
 * time, the worst first, and the rest counted again after each drop (a pair two dropped rules shared is nobody's
 * then). Rules that make no comparison of their own are kept: they cost no comparison.
 */
function dropIdleRules(values: readonly Values[], rules: readonly BlockingRule[], likely: (i: number, j: number) => boolean, max: number, minKeep: number): BlockingRuleDrop[] {
  const dropped: BlockingRuleDrop[] = [];
  const minOwn = Math.max(1, values.length / 100);
  const verdict = new Map<number, boolean>();
  const n = values.length;
  for (;;) {
    const live = rules.filter((r) => !dropped.some((d) => d.rule === r.name));
    const keys = values.map((v) => blockingKeys(v, live));
    const blocks = blocksByKey(keys);
    const own = live.map(() => ({ pairs: 0, likely: 0 }));
    for (const members of comparedBlocks(blocks, max)) {
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const i = members[x] as number;
          const j = members[y] as number;
          // The rules under which i and j share a compared key; the pair is one rule's own when there is one.
          const only = soleSharedRule(keys[i] as BlockingKey[], keys[j] as BlockingKey[], blocks, max);
          if (only < 0) continue;
          const o = own[only] as { pairs: number; likely: number };
          o.pairs++;
          const id = i < j ? i * n + j : j * n + i;
          let v = verdict.get(id);
          if (v === undefined) verdict.set(id, (v = likely(i, j)));
          if (v) o.likely++;
        }
      }
    }
    let worst: { r: number; share: number } | undefined;
    own.forEach((o, r) => {
      if (o.pairs < minOwn || o.likely >= minKeep * o.pairs) return;
      const share = o.likely / o.pairs;
      if (worst === undefined || share < worst.share) worst = { r, share };
    });
    if (worst === undefined) return dropped;
    const w = own[worst.r] as { pairs: number; likely: number };
    dropped.push({ rule: (live[worst.r] as BlockingRule).name, ownPairs: w.pairs, ownLikelyMatches: w.likely });
  }
}
