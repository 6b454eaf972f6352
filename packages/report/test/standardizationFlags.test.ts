import { test } from 'node:test';
import assert from 'node:assert/strict';
import { standardizationFlags } from '../src/index';

test('standardizationFlags counts flags by source and field, without MISSING', async () => {
  const flags = await standardizationFlags([
    { source: 'crm', fields: { given_name: 'John', phone: '(217) 555-0134', email: 'john@example.com' } },
    { source: 'crm', fields: { given_name: 'Ann', phone: '217.555.0199' } },
    { source: 'web', fields: { given_name: 'Lee', ssn: '000-00-0000' } },
  ]);
  const get = (source: string, field: string, code: string): number | undefined => flags.find((f) => f.source === source && f.field === field && f.code === code)?.count;
  assert.equal(get('crm', 'phone', 'NORMALIZED'), 2);
  assert.equal(get('crm', 'email', 'PLACEHOLDER'), 1);
  assert.ok(flags.some((f) => f.source === 'web' && f.field === 'ssn'), 'the placeholder SSN is flagged');
  assert.ok(flags.every((f) => f.code !== 'MISSING'));
});
