import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyntheticGenerator, type GeneratorOptions } from '../generator.js';

function clusterSizes(opts: GeneratorOptions): { sizes: Map<string, number>; gen: SyntheticGenerator } {
  const gen = new SyntheticGenerator(opts);
  const sizes = new Map<string, number>();
  for (const r of gen) sizes.set(r.entity_id, (sizes.get(r.entity_id) ?? 0) + 1);
  return { sizes, gen };
}

for (const [dist, dupRate] of [['geometric', 0.3], ['zipf', 0.2], ['uniform', 0.5]] as const) {
  test(`duplicate rate is roughly as configured (${dist}, ${dupRate})`, () => {
    const n = 60_000;
    const { sizes, gen } = clusterSizes({ records: n, seed: 3, dupRate, clusterDist: dist, maxCluster: 6 });
    assert.equal(gen.stats.records, n);
    assert.equal(gen.stats.entities, sizes.size);
    const observed = (n - sizes.size) / n;
    assert.ok(Math.abs(observed - dupRate) < 0.02, `observed ${observed}`);
    for (const s of sizes.values()) assert.ok(s >= 1 && s <= 6);
  });
}

test('dupRate 0 gives singletons only; maxCluster bounds cluster size', () => {
  const { sizes } = clusterSizes({ records: 10_000, seed: 4, dupRate: 0 });
  assert.ok([...sizes.values()].every((s) => s === 1));
  const big = clusterSizes({ records: 20_000, seed: 4, dupRate: 0.6, maxCluster: 3 });
  assert.ok([...big.sizes.values()].every((s) => s <= 3));
  assert.ok([...big.sizes.values()].some((s) => s === 3));
});

test('duplicates are corrupted in varied ways but stay recognisable', () => {
  const recs = [...new SyntheticGenerator({ records: 40_000, seed: 11, dupRate: 0.4, shuffleWindow: 1 })];
  const byEntity = new Map<string, typeof recs>();
  for (const r of recs) {
    const l = byEntity.get(r.entity_id) ?? [];
    l.push(r);
    byEntity.set(r.entity_id, l);
  }
  let pairs = 0;
  let givenDiff = 0;
  let familyDiff = 0;
  let dobDiff = 0;
  let addrDiff = 0;
  let quoted = 0;
  for (const list of byEntity.values()) {
    const first = list[0];
    if (!first) continue;
    for (const r of list.slice(1)) {
      pairs++;
      if (r.given_name.toLowerCase() !== first.given_name.toLowerCase()) givenDiff++;
      if (r.family_name.toLowerCase() !== first.family_name.toLowerCase()) familyDiff++;
      if (r.dob && first.dob && r.dob.replace(/\D/g, '') !== first.dob.replace(/\D/g, '')) dobDiff++;
      if (r.postcode !== first.postcode) addrDiff++;
      if (r.given_name.includes('"')) quoted++;
    }
  }
  assert.ok(pairs > 5_000);
  for (const [name, k] of [['given', givenDiff], ['family', familyDiff], ['address', addrDiff]] as const) {
    const share = k / pairs;
    assert.ok(share > 0.03 && share < 0.6, `${name} differs in ${share}`);
  }
  assert.ok(dobDiff > 0 && quoted > 0);
});

test('households share address and family name across distinct entities; twins share DOB', () => {
  const gen = new SyntheticGenerator({ records: 30_000, seed: 8, dupRate: 0, householdRate: 0.3, twinRate: 0.5, shuffleWindow: 1 });
  const recs = [...gen];
  assert.ok(gen.stats.households > 1000 && gen.stats.twinPairs > 100);
  const byAddr = new Map<string, Set<string>>();
  const twins = new Map<string, Set<string>>();
  for (const r of recs) {
    const addrKey = `${r.house_number}|${r.postcode}|${r.family_name.toLowerCase()}`;
    if (r.house_number) {
      const s = byAddr.get(addrKey) ?? new Set();
      s.add(r.entity_id);
      byAddr.set(addrKey, s);
    }
    if (r.dob) {
      const k = `${addrKey}|${r.dob.replace(/\D/g, '')}`;
      const s = twins.get(k) ?? new Set();
      s.add(r.entity_id);
      twins.set(k, s);
    }
  }
  const shared = [...byAddr.values()].filter((s) => s.size > 1).length;
  const twinSets = [...twins.values()].filter((s) => s.size > 1).length;
  assert.ok(shared > 500, `households found ${shared}`);
  assert.ok(twinSets > 20, `twin sets found ${twinSets}`);
});
