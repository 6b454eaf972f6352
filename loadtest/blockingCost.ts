/**
 * The work match does per record as the data grows, from the blocking rules and block cap alone (in process, no
 * Kafka): generated records are standardized and blocked in order, and each reference visits the members its
 * block already has, as match does (a block at the cap takes no new members; a pair sharing several keys is
 * scored once, under the first rule they share). Prints one JSON line per size.
 *
 *   npx tsx loadtest/blockingCost.ts [--records 10000,100000,1000000] [--cap 500] [--seed 1] [--model FILE]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_BLOCKING_RULES, blockingKeys, firstSharedRule, loadModel, standardizeRecord, type BlockingKey, type BlockingRule, type RawFields } from '@idres/core';
import { COLUMNS, createGenerator } from './generator/index';

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '10000,100000,1000000' }, cap: { type: 'string', default: '500' }, seed: { type: 'string', default: '1' }, model: { type: 'string' } } });
const sizes = args.records.split(',').map(Number);
const cap = Number(args.cap);
const rules: readonly BlockingRule[] = args.model ? loadModel(JSON.parse(readFileSync(args.model, 'utf8'))).json.settings.blockingRules : DEFAULT_BLOCKING_RULES;
const columns = COLUMNS.filter((c) => c !== 'record_id' && c !== 'entity_id' && c !== 'source');

/** Counts per record over the whole run, and at the end (the last 10% of records), where growth shows. */
function measure(records: number): Record<string, unknown> {
  const blocks = new Map<string, string[]>();
  const keysOf = new Map<string, BlockingKey[]>();
  let refs = 0, visits = 0, scored = 0, capped = 0, tailVisits = 0, tailScored = 0;
  const tailFrom = Math.floor(records * 0.9);
  const started = process.hrtime.bigint();
  let i = 0;
  for (const r of createGenerator({ records, seed: args.seed })) {
    const fields: RawFields = {};
    for (const c of columns) if (r[c] !== '') fields[c] = r[c];
    const keys = blockingKeys(standardizeRecord(fields).values, rules);
    const id = r.record_id;
    keysOf.set(id, keys);
    for (const k of keys) {
      refs++;
      let members = blocks.get(k.key);
      if (!members) blocks.set(k.key, (members = []));
      if (members.length >= cap) { capped++; continue; }
      visits += members.length;
      if (i >= tailFrom) tailVisits += members.length;
      for (const other of members) {
        if (firstSharedRule(keys, keysOf.get(other)!) !== k.ruleIndex) continue;
        scored++;
        if (i >= tailFrom) tailScored++;
      }
      members.push(id);
    }
    i++;
  }
  const sizesSorted = [...blocks.values()].map((m) => m.length).sort((a, b) => b - a);
  const tail = records - tailFrom;
  return {
    records, cap, rules: rules.map((r) => r.name), seconds: Number(process.hrtime.bigint() - started) / 1e9,
    refsPerRecord: +(refs / records).toFixed(2),
    candidatesPerRecord: +(visits / records).toFixed(2), comparisonsPerRecord: +(scored / records).toFixed(2),
    lastTenthCandidatesPerRecord: +(tailVisits / tail).toFixed(2), lastTenthComparisonsPerRecord: +(tailScored / tail).toFixed(2),
    cappedRefsPerRecord: +(capped / records).toFixed(4), blocks: blocks.size, largestBlocks: sizesSorted.slice(0, 5), blocksAtCap: sizesSorted.filter((s) => s >= cap).length,
  };
}

for (const n of sizes) process.stdout.write(`${JSON.stringify({ bench: 'blocking cost', date: new Date().toISOString().slice(0, 10), seed: args.seed, ...measure(n) })}\n`);
