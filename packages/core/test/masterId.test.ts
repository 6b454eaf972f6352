import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterIdOf, masterIdOf } from '../src/masterId';

const cases: Array<[string, number | undefined]> = [['MDM_0000000042', 42], ['MDM_1', 1], ['MDM_', undefined], ['mdm_0000000042', undefined], ['MDM_12x', undefined], ['', undefined]];
for (const [text, want] of cases) test(`clusterIdOf(${JSON.stringify(text)})`, () => assert.equal(clusterIdOf(text), want));
test('masterIdOf pads to ten digits and round-trips', () => {
  assert.equal(masterIdOf(42), 'MDM_0000000042');
  assert.equal(clusterIdOf(masterIdOf(9_876_543_210)), 9_876_543_210);
});
