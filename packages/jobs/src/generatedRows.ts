import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { GenerateSpec } from './job';
import type { RowSource } from './rowSource';
import { JobError } from './jobError';

/**
 * Same depth from the sources (packages/jobs/src) and from a service bundle (services/<name>/dist), so this is the
 * repository's root either way.
 */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface GeneratorModule {
  SyntheticGenerator: new (opts: { records: number; seed: number | string }) => { nextRecord(): Record<string, string> | null };
}
interface ProfilesModule {
  isProfileName(s: string): boolean;
  profileMapping(name: string): Readonly<Record<string, string>>;
  PROFILES: Readonly<Record<string, { columns: readonly string[] }>>;
  ProfileStream: new (profile: unknown, opts: { records: number; seed: number | string }) => Iterator<{ record_id: string; entity_id: string; values: string[] }>;
}

/**
 * The synthetic generator of loadtest/generator (a development tool kept in TypeScript and outside the service
 * bundles): loaded at run time through tsx, only when a generate job runs.
 */
async function loadGenerator(): Promise<{ gen: GeneratorModule; profiles: ProfilesModule }> {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    const gen = (await import(pathToFileURL(path.join(REPO_ROOT, 'loadtest/generator/generator.ts')).href)) as GeneratorModule;
    const profiles = (await import(pathToFileURL(path.join(REPO_ROOT, 'loadtest/generator/profiles/index.ts')).href)) as ProfilesModule;
    return { gen, profiles };
  } catch (err) {
    throw new JobError('GENERATOR_UNAVAILABLE', `the synthetic generator (loadtest/generator) cannot be loaded here: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const MAX_GENERATED_RECORDS = 100_000_000;

/** Generated records as rows with their columns (`record_id`, `entity_id` and the profile's fields), seeded: the same every time. */
export async function openGeneratedSource(spec: GenerateSpec): Promise<RowSource & { columns: string[] }> {
  if (!Number.isInteger(spec.records) || spec.records < 1 || spec.records > MAX_GENERATED_RECORDS) throw new JobError('SPEC_INVALID', `generate.records must be a whole number from 1 to ${MAX_GENERATED_RECORDS}`);
  const { gen, profiles } = await loadGenerator();
  const profile = spec.profile || 'us-crm';
  if (!profiles.isProfileName(profile)) throw new JobError('SPEC_INVALID', `generate.profile ${profile} is not a profile (us-crm, civil-register-de, historical, febrl-like)`);
  const mapping = { ...profiles.profileMapping(profile) };
  const source = spec.source ?? 'generated';
  if (profile === 'us-crm') {
    const columns = ['record_id', 'entity_id', ...Object.values(mapping)];
    return {
      total: spec.records, idColumn: 'record_id', mapping, source, columns,
      rows: async function* () {
        const g = new gen.SyntheticGenerator({ records: spec.records, seed: spec.seed });
        for (let r = g.nextRecord(); r !== null; r = g.nextRecord()) {
          const row: Record<string, string> = {};
          for (const c of columns) row[c] = r[c] ?? '';
          yield row;
        }
      },
    };
  }
  const def = profiles.PROFILES[profile]!;
  const columns = ['record_id', 'entity_id', ...def.columns];
  return {
    total: spec.records, idColumn: 'record_id', mapping, source, columns,
    rows: async function* () {
      const it = new profiles.ProfileStream(def, { records: spec.records, seed: spec.seed });
      for (let n = it.next(); !n.done; n = it.next()) {
        const row: Record<string, string> = { record_id: n.value.record_id, entity_id: n.value.entity_id };
        def.columns.forEach((c, i) => { row[c] = n.value.values[i] ?? ''; });
        yield row;
      }
    },
  };
}
