import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkBySize } from '../src/chunkBySize';

test('chunkBySize keeps order, respects the bound, and sends an oversize item alone', () => {
  assert.deepEqual(chunkBySize([3, 4, 2, 9, 1, 1, 5], (n) => n, 7), [[3, 4], [2], [9], [1, 1, 5]]);
  assert.deepEqual(chunkBySize([], (n: number) => n, 7), []);
  assert.deepEqual(chunkBySize([7, 7], (n) => n, 7), [[7], [7]]);
});
