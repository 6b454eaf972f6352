import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CANONICAL_FIELDS } from '@idres/core';
import {
  PROFILES, ProfileStream, profileColumns, registerFieldOf, renderDe, writeProfileText, type ProfileRecord, type ShapeProfileName,
} from '../profiles/index.js';
import { PassThrough } from 'node:stream';

function records(name: ShapeProfileName, n: number, seed: number | string = 1, shuffleWindow?: number): ProfileRecord[] {
  return [...new ProfileStream(PROFILES[name], { records: n, seed, ...(shuffleWindow !== undefined ? { shuffleWindow } : {}) })];
}

function digest(name: ShapeProfileName, n: number, seed: number | string): string {
  const h = createHash('sha256');
  for (const r of records(name, n, seed)) h.update(`${r.record_id}\t${r.entity_id}\t${r.values.join('\t')}\n`);
  return h.digest('hex');
}

function clusters(rs: readonly ProfileRecord[]): Map<string, ProfileRecord[]> {
  const m = new Map<string, ProfileRecord[]>();
  for (const r of rs) {
    const l = m.get(r.entity_id) ?? [];
    l.push(r);
    m.set(r.entity_id, l);
  }
  return m;
}

/** Expected shape of each profile at 10,000 records. */
const CASES: ReadonlyArray<{ name: ShapeProfileName; maxCluster: number; dupEntityShare: [number, number]; meanSize: [number, number]; columns: string[] }> = [
  { name: 'civil-register-de', maxCluster: 2, dupEntityShare: [0.08, 0.12], meanSize: [1.08, 1.12], columns: ['first_given_name', 'second_given_name', 'first_family_name', 'second_family_name', 'birth_year', 'birth_month', 'birth_day', 'birthplace', 'postcode'] },
  { name: 'civil-register-de-names', maxCluster: 2, dupEntityShare: [0.08, 0.12], meanSize: [1.08, 1.12], columns: ['first_given_name', 'second_given_name', 'first_family_name', 'second_family_name', 'birth_year', 'birth_month', 'birth_day'] },
  { name: 'historical', maxCluster: 20, dupEntityShare: [0.5, 0.75], meanSize: [3, 5], columns: ['full_name', 'first_name', 'surname', 'birth_date', 'birthplace', 'postcode', 'gender', 'occupation'] },
  { name: 'febrl-like', maxCluster: 6, dupEntityShare: [0.45, 0.55], meanSize: [1.9, 2.3], columns: ['given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'soc_sec_id'] },
];

for (const c of CASES) {
  test(`${c.name}: same seed gives the same output, another seed another`, () => {
    assert.equal(digest(c.name, 3000, 7), digest(c.name, 3000, 7));
    assert.equal(digest(c.name, 500, 'abc'), digest(c.name, 500, 'abc'));
    assert.notEqual(digest(c.name, 3000, 7), digest(c.name, 3000, 8));
  });

  test(`${c.name}: columns and mapping`, async () => {
    const p = PROFILES[c.name];
    assert.deepEqual(profileColumns(p), ['record_id', 'entity_id', ...c.columns]);
    const canon = new Set<string>(CANONICAL_FIELDS);
    for (const [field, col] of Object.entries(p.mapping)) {
      assert.ok(c.columns.includes(col), `mapping ${field}=${col}: no such column`);
      assert.ok(canon.has(field) || !canon.has(col) || field === col, `${field}=${col}`);
    }
    assert.ok(Object.keys(p.mapping).some((f) => canon.has(f)));
    // The CSV parses back to the same records (quoting of commas/quotes, UTF-8 diacritics).
    const rs = records(c.name, 2000, 3);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (b: Buffer) => chunks.push(b));
    await writeProfileText(new ProfileStream(p, { records: 2000, seed: 3 }), 'csv', sink);
    const rows = parse(Buffer.concat(chunks).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, rs.length);
    rows.forEach((row, i) => {
      const r = rs[i]!;
      assert.equal(row['record_id'], r.record_id);
      assert.equal(row['entity_id'], r.entity_id);
      c.columns.forEach((col, k) => assert.equal(row[col], r.values[k], `${col} of ${r.record_id}`));
    });
  });

  test(`${c.name}: truth cluster sizes in range, exact record count`, () => {
    const rs = records(c.name, 10_000, 11);
    assert.equal(rs.length, 10_000);
    assert.equal(new Set(rs.map((r) => r.record_id)).size, rs.length);
    const cl = clusters(rs);
    const sizes = [...cl.values()].map((l) => l.length);
    assert.ok(Math.max(...sizes) <= c.maxCluster, `largest ${Math.max(...sizes)}`);
    const share = sizes.filter((s) => s > 1).length / sizes.length;
    assert.ok(share >= c.dupEntityShare[0] && share <= c.dupEntityShare[1], `share of entities with duplicates ${share}`);
    const mean = rs.length / cl.size;
    assert.ok(mean >= c.meanSize[0] && mean <= c.meanSize[1], `mean cluster size ${mean}`);
    for (const r of rs) assert.equal(r.values.length, c.columns.length);
  });

  test(`${c.name}: bounded window while streaming`, () => {
    const s = new ProfileStream(PROFILES[c.name], { records: 50_000, seed: 5, shuffleWindow: 1000 });
    let n = 0;
    let max = 0;
    for (const _ of s) {
      n++;
      max = Math.max(max, s.pending);
    }
    assert.equal(n, 50_000);
    assert.ok(max <= 1000 + c.maxCluster, `pending ${max}`);
  });
}

for (const [name, spread] of [
  ['civil-register-de', ['first_given_name', 'first_family_name', 'birth_date', 'second_given_name', 'postcode']],
  ['civil-register-de-names', ['first_given_name', 'first_family_name', 'birth_date', 'second_given_name']],
] as const) test(`${name}: each duplicate differs from its original by exactly one error in one field`, () => {
  const cols = PROFILES[name].columns;
  const rs = records(name, 20_000, 2);
  const kinds = new Map<string, number>();
  let pairs = 0;
  for (const l of clusters(rs).values()) {
    if (l.length < 2) continue;
    assert.equal(l.length, 2);
    const [a, b] = l as [ProfileRecord, ProfileRecord];
    const fields = new Set<string>();
    cols.forEach((col, i) => { if (a.values[i] !== b.values[i]) fields.add(registerFieldOf(col)); });
    assert.equal(fields.size, 1, `${a.values.join('|')} vs ${b.values.join('|')}`);
    const f = [...fields][0]!;
    kinds.set(f, (kinds.get(f) ?? 0) + 1);
    pairs++;
  }
  assert.ok(pairs > 1500, `pairs ${pairs}`);
  // The errors are spread over names, birth date, second names and (where the register has them) places.
  for (const f of spread) assert.ok((kinds.get(f) ?? 0) > 20, `${f}: ${kinds.get(f)}`);
});

test('civil-register-de: common names are very common and spelled three ways', () => {
  const rs = records('civil-register-de', 10_000, 1);
  const fam = PROFILES['civil-register-de'].columns.indexOf('first_family_name');
  const count = (s: string): number => rs.filter((r) => r.values[fam] === s).length;
  assert.ok(count('MÜLLER') > 100, `MÜLLER ${count('MÜLLER')}`);
  assert.ok(count('MUELLER') > 20 && count('MULLER') > 5);
  assert.equal(renderDe('Strauß', 0), 'STRAUß');
  assert.equal(renderDe('Strauß', 1), 'STRAUSS');
  assert.equal(renderDe('Müller', 1), 'MUELLER');
  assert.equal(renderDe('Müller', 2), 'MULLER');
  // Many distinct people share the commonest full names.
  const byName = new Map<string, Set<string>>();
  for (const r of rs) {
    const k = `${r.values[0]} ${r.values[fam]}`;
    const s = byName.get(k) ?? new Set<string>();
    s.add(r.entity_id);
    byName.set(k, s);
  }
  assert.ok(Math.max(...[...byName.values()].map((s) => s.size)) >= 5);
});

test('historical: sparse dates back to the 1600s, spelling variation within persons', () => {
  const cols = PROFILES.historical.columns;
  const rs = records('historical', 10_000, 4);
  const bd = cols.indexOf('birth_date');
  const dates = rs.map((r) => r.values[bd]!);
  const empty = dates.filter((d) => d === '').length / dates.length;
  assert.ok(empty >= 0.4 && empty <= 0.55, `empty ${empty}`);
  const years = dates.filter(Boolean).map((d) => Number(d.slice(0, 4)));
  assert.ok(Math.min(...years) < 1610 && Math.max(...years) < 1901);
  assert.ok(dates.some((d) => /^\d{4}$/.test(d)) && dates.some((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)));
  let varied = 0;
  let big = 0;
  const fn = cols.indexOf('first_name');
  for (const l of clusters(rs).values()) {
    if (l.length >= 10) big++;
    if (new Set(l.map((r) => r.values[fn]).filter(Boolean)).size > 1) varied++;
  }
  assert.ok(big >= 50, `clusters of 10+: ${big}`);
  assert.ok(varied >= 500, `persons with several spellings: ${varied}`);
  const sparse = rs.filter((r) => r.values.filter(Boolean).length <= 2).length;
  assert.ok(sparse >= 200, `records with at most two fields: ${sparse}`);
});

test('febrl-like: FEBRL value formats', () => {
  const cols = PROFILES['febrl-like'].columns;
  const rs = records('febrl-like', 5000, 6);
  const dob = cols.indexOf('date_of_birth');
  const ssn = cols.indexOf('soc_sec_id');
  const state = cols.indexOf('state');
  assert.ok(rs.every((r) => /^(\d{8})?$/.test(r.values[dob]!)));
  assert.ok(rs.every((r) => /^(\d{6,8})?$/.test(r.values[ssn]!)));
  assert.ok(rs.every((r) => /^(nsw|vic|qld|sa|wa|tas|act|nt)?$/.test(r.values[state]!)));
  // Duplicates are corrupted: most differ from every other record of their person.
  let identical = 0;
  let dups = 0;
  for (const l of clusters(rs).values()) {
    const seen = new Set<string>();
    for (const r of l) {
      const k = r.values.join('|');
      if (seen.has(k)) identical++;
      seen.add(k);
    }
    dups += l.length - 1;
  }
  assert.ok(identical / dups < 0.05, `identical duplicates ${identical}/${dups}`);
});

test('cli: --profile us-crm is byte-identical to no --profile; shape profiles print their mapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  const run = (args: string[]): string => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'loadtest/generator/cli.ts', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  run(['--records', '3000', '--seed', '5', '--out', join(dir, 'a.csv')]);
  run(['--records', '3000', '--seed', '5', '--profile', 'us-crm', '--out', join(dir, 'b.csv')]);
  assert.ok(readFileSync(join(dir, 'a.csv')).equals(readFileSync(join(dir, 'b.csv'))));
  const summary = JSON.parse(run(['--records', '500', '--seed', '5', '--profile', 'civil-register-de', '--out', join(dir, 'c.csv')])) as { map: string; records: number };
  assert.equal(summary.records, 500);
  assert.match(summary.map, /^given_name=first_given_name,middle_name=second_given_name,family_name=first_family_name,dob_year=birth_year,dob_month=birth_month,dob_day=birth_day/);
});
