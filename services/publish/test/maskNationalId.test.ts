import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskNationalId, maskValues } from '../src/maskNationalId';

test('maskNationalId keeps only the last four digits, whatever the format', () => {
  assert.equal(maskNationalId('483-21-7156'), '***-**-7156');
  assert.equal(maskNationalId('483217156'), '***-**-7156');
  assert.equal(maskNationalId('AB 12 34 56 C'), '***-**-3456');
  assert.equal(maskNationalId('12'), '***-**-****');
  assert.equal(maskNationalId(''), '***-**-****');
});

test('maskValues masks ssn only and leaves the input unchanged', () => {
  const v = { ssn: '483217156', family_name: 'OKAFOR' };
  assert.deepEqual(maskValues(v), { ssn: '***-**-7156', family_name: 'OKAFOR' });
  assert.equal(v.ssn, '483217156');
  assert.deepEqual(maskValues({ family_name: 'X' }), { family_name: 'X' });
});
