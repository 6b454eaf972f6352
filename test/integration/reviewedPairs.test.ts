import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { readBaseConfig } from '@idres/runtime';
import { PgOverrideStore } from '@idres/overrides';
import { RESOLVE_SCHEMA_SQL } from '../../services/resolve/src/schema';
import { loadReviewedPairs, loadReviews } from '../../packages/cli/src/reviewedPairs';
import { PipelineHarness } from './pipelineHarness';

// What `idres model train` learns from: the holding decisions with their stored probabilities, and the values of
// both records of each "same person" decision, read from the real Postgres tables resolve and the console write.
test('loadReviews: holding decisions only; "same" pairs come with both live records\' values', async () => {
  await PipelineHarness.reset();
  const pool = new pg.Pool({ connectionString: readBaseConfig(process.env, 'test').databaseUrl, max: 2 });
  try {
    assert.deepEqual(await loadReviews(readBaseConfig(process.env, 'test').databaseUrl), { pairs: [], sameValues: [] }, 'nothing reviewed: nothing learnt');
    await pool.query(RESOLVE_SCHEMA_SQL);
    const rec = (id: string, given: string, deleted = false): Promise<unknown> =>
      pool.query(`INSERT INTO idres_records (record_id, version, deleted, values) VALUES ($1, 1, $2, $3)`, [id, deleted, JSON.stringify({ given_name: given, family_name: 'ZEIT' })]);
    await rec('s:1', 'ANNA');
    await rec('s:2', 'ANA');
    await rec('s:3', 'BERT');
    await rec('s:4', 'OTTO', true);
    await pool.query(`INSERT INTO idres_edges (a, b, a_version, b_version, probability, match_weight) VALUES ('s:1', 's:2', 1, 1, 0.42, -0.3)`);
    const store = new PgOverrideStore(pool);
    await store.decide({ a: 's:1', b: 's:2', decision: 'SAME' });
    await store.decide({ a: 's:1', b: 's:3', decision: 'DIFFERENT' });
    await store.decide({ a: 's:3', b: 's:4', decision: 'SAME' }); // its second record is deleted: no values to learn from
    const undone = await store.decide({ a: 's:2', b: 's:3', decision: 'SAME' });
    await store.undo(undone.override.id);

    const r = await loadReviews(readBaseConfig(process.env, 'test').databaseUrl);
    assert.deepEqual(r.pairs, [{ same: true, probability: 0.42 }, { same: false, probability: null }, { same: true, probability: null }]);
    assert.deepEqual(await loadReviewedPairs(readBaseConfig(process.env, 'test').databaseUrl), r.pairs, 'review quality reads the same decisions, without the values');
    assert.deepEqual(r.sameValues, [[{ given_name: 'ANNA', family_name: 'ZEIT' }, { given_name: 'ANA', family_name: 'ZEIT' }]]);
  } finally {
    await pool.end();
  }
});
