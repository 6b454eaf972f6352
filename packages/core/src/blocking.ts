/** A blocking rule: records whose standardized values for all `fields` are present and equal are candidate pairs. */
export interface BlockingRule {
  name: string;
  fields: string[];
}

export interface BlockingKey {
  rule: string;
  ruleIndex: number;
  /** `${rule}:${values joined by \u001f}` so keys of different rules never collide. */
  key: string;
}

/**
 * Rules for candidate generation. Each is cheap and independent; a true match needs to agree on only one.
 * Chosen so that any single corrupted field (name typo, dob typo, moved house, new email) leaves another rule intact.
 */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = Object.freeze([
  { name: 'ssn', fields: ['ssn'] },
  { name: 'dob_family_dm', fields: ['dob', 'family_dm1'] },
  { name: 'phone', fields: ['phone'] },
  { name: 'email', fields: ['email'] },
  { name: 'postcode_given_dm', fields: ['postcode', 'given_dm1'] },
  { name: 'dob_given_dm', fields: ['dob', 'given_dm1'] },
  // Order-free pair of name codes: also catches given/family swapped between sources.
  { name: 'name_dm_pair', fields: ['name_dm_pair'] },
  { name: 'postcode_house_street', fields: ['postcode', 'house_number', 'address_line1'] },
  { name: 'dob_postcode', fields: ['dob', 'postcode'] },
  { name: 'family_dm_dob_year_city', fields: ['family_dm1', 'dob_year', 'city'] },
  // Same mailbox name at a different/mistyped domain.
  { name: 'email_user', fields: ['email_user'] },
  // Last and broadest: records whose names are missing or badly corrupted. Services cap its hot blocks.
  { name: 'dob', fields: ['dob'] },
].map((r) => Object.freeze(r)));

const SEP = '\u001f';

/**
 * Blocking keys of one record. A rule yields no key when any of its fields is absent or empty; the
 * standardizer already removed placeholders, so placeholder values never form keys.
 */
export function blockingKeys(values: Readonly<Record<string, string>>, rules: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES): BlockingKey[] {
  const out: BlockingKey[] = [];
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    if (rule === undefined || rule.fields.length === 0) continue;
    let key = rule.name;
    let ok = true;
    for (let i = 0; i < rule.fields.length; i++) {
      const v = values[rule.fields[i] ?? ''];
      if (v === undefined || v.length === 0) {
        ok = false;
        break;
      }
      key += (i === 0 ? ':' : SEP) + v;
    }
    if (ok) out.push({ rule: rule.name, ruleIndex: r, key });
  }
  return out;
}

/** Lowest ruleIndex under which both records share a key, -1 if none. Keys come ordered by ruleIndex. */
export function firstSharedRule(a: readonly BlockingKey[], b: readonly BlockingKey[]): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ka = a[i] as BlockingKey;
    const kb = b[j] as BlockingKey;
    if (ka.ruleIndex === kb.ruleIndex) {
      if (ka.key === kb.key) return ka.ruleIndex;
      i++;
      j++;
    } else if (ka.ruleIndex < kb.ruleIndex) i++;
    else j++;
  }
  return -1;
}

/** Every block of a batch: its key and the indexes of the records that have it. */
export function blocksByKey(keysPerRecord: readonly (readonly BlockingKey[])[]): Map<string, number[]> {
  const blocks = new Map<string, number[]>();
  keysPerRecord.forEach((keys, idx) => {
    for (const k of keys) {
      let b = blocks.get(k.key);
      if (!b) blocks.set(k.key, (b = []));
      b.push(idx);
    }
  });
  return blocks;
}

/**
 * In-memory candidate pairs for a batch of records (training and the quality run). Each pair appears once,
 * under the first rule both records satisfy. Blocks larger than `maxBlockSize` are skipped (hot-block guard).
 */
export function candidatePairs(
  keysPerRecord: readonly (readonly BlockingKey[])[],
  opts: { maxBlockSize?: number } = {},
): { pairs: Array<[number, number]>; skippedBlocks: number } {
  const max = opts.maxBlockSize ?? 1000;
  const blocks = blocksByKey(keysPerRecord);
  const pairs: Array<[number, number]> = [];
  let skippedBlocks = 0;
  for (const [key, members] of blocks) {
    if (members.length < 2) continue;
    if (members.length > max) { skippedBlocks++; continue; }
    const first = keysPerRecord[members[0] as number]?.find((k) => k.key === key);
    if (!first) continue;
    for (let x = 0; x < members.length; x++) {
      const i = members[x] as number;
      for (let y = x + 1; y < members.length; y++) {
        const j = members[y] as number;
        if (firstSharedRule(keysPerRecord[i] ?? [], keysPerRecord[j] ?? []) === first.ruleIndex) pairs.push([i, j]);
      }
    }
  }
  return { pairs, skippedBlocks };
}
