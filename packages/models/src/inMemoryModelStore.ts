import type { ModelJson } from '@idres/core';
import { ModelStoreError, type ModelProvenance, type ModelStore, type StoredModel, type StoredModelSummary } from './modelStore';

/** For unit tests of code that uses a ModelStore; passes the same suite as PgModelStore. */
export class InMemoryModelStore implements ModelStore {
  private readonly models: StoredModel[] = [];

  async add(model: ModelJson, provenance: ModelProvenance, opts: { activate?: boolean } = {}): Promise<number> {
    const version = this.models.length + 1;
    this.models.push({ version, createdAt: new Date(), provenance: { ...provenance }, active: false, model: structuredClone(model) });
    if (opts.activate) await this.activate(version);
    return version;
  }

  async activate(version: number): Promise<void> {
    if (!this.models.some((m) => m.version === version)) throw new ModelStoreError('MODEL_VERSION_UNKNOWN', `no model version ${version}`);
    for (const m of this.models) m.active = m.version === version;
  }

  async active(): Promise<StoredModel | undefined> {
    const m = this.models.find((x) => x.active);
    return m && structuredClone(m);
  }

  async activeVersion(): Promise<number | undefined> {
    return this.models.find((x) => x.active)?.version;
  }

  async get(version: number): Promise<StoredModel | undefined> {
    const m = this.models.find((x) => x.version === version);
    return m && structuredClone(m);
  }

  async list(): Promise<StoredModelSummary[]> {
    return this.models.map(({ model: _model, ...rest }) => ({ ...rest, provenance: { ...rest.provenance } })).reverse();
  }
}
