import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSynthetic, mappingSidecarPath, readMappingSidecar } from '../src/fixtures/labelledDatasets.js';

const CSV = 'record_id,entity_id,first_given_name,second_given_name,first_family_name,birth_year,birth_month,birth_day,birthplace\n' +
  'r1,e1,PETRA,,MÜLLER,1961,5,12,KÖLN\nr2,e1,PETRA,ANNA,MUELLER,1961,5,12,\n';
const MAPPING = {
  profile: 'civil-register-de',
  mapping: { given_name: 'first_given_name', middle_name: 'second_given_name', family_name: 'first_family_name', dob_year: 'birth_year', dob_month: 'birth_month', dob_day: 'birth_day', birthplace: 'birthplace' },
  standardize: { defaultCountry: 'DE', dateLocale: 'EU' as const },
};

test('loadSynthetic reads a profile CSV through the mapping next to it; attribute columns load as attributes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labelled-'));
  const file = join(dir, 'reg.csv');
  writeFileSync(file, CSV);
  assert.equal(mappingSidecarPath(file), join(dir, 'reg.mapping.json'));
  assert.equal(readMappingSidecar(file), undefined);
  writeFileSync(mappingSidecarPath(file), JSON.stringify(MAPPING));
  const d = loadSynthetic(file, 'reg');
  assert.deepEqual(d.standardize, { defaultCountry: 'DE', dateLocale: 'EU' });
  assert.deepEqual(d.attributes, ['birthplace']);
  assert.deepEqual(d.records.map((r) => [r.id, r.entity]), [['r1', 'e1'], ['r2', 'e1']]);
  assert.deepEqual(d.records[0]!.fields, { given_name: 'PETRA', family_name: 'MÜLLER', dob_year: '1961', dob_month: '5', dob_day: '12' });
  assert.deepEqual(d.records[1]!.fields, { given_name: 'PETRA', middle_name: 'ANNA', family_name: 'MUELLER', dob_year: '1961', dob_month: '5', dob_day: '12' });
  assert.deepEqual([d.records[0]!.attributes, d.records[1]!.attributes], [{ birthplace: 'KÖLN' }, {}]);
});

test('an explicit mapping wins; a mapping naming a missing column is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labelled-'));
  const file = join(dir, 'reg.csv');
  writeFileSync(file, CSV);
  const d = loadSynthetic(file, 'reg', { mapping: { family_name: 'first_family_name' } });
  assert.deepEqual(d.records[0]!.fields, { family_name: 'MÜLLER' });
  assert.throws(() => loadSynthetic(file, 'reg', { mapping: { family_name: 'surname' } }), /no column surname/);
  assert.throws(() => loadSynthetic(file, 'reg', { mapping: { birthplace: 'birthplace' } }), /no canonical field/);
});
