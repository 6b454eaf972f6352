import type { ModelJson } from '@idres/core';

/** Where a stored model came from, for the operator reading `idres model list` and match's logs. */
export interface ModelProvenance {
  /** How it was made: `trained` (from data, no labels), `file` (a model JSON given by the user), `default`. */
  kind: 'trained' | 'file' | 'default';
  /** What it was trained on or loaded from, e.g. `people.csv (sample of 200000 of 1000000 records)`. */
  description: string;
}

export interface StoredModel {
  version: number;
  createdAt: Date;
  provenance: ModelProvenance;
  active: boolean;
  model: ModelJson;
}

export type StoredModelSummary = Omit<StoredModel, 'model'>;

/**
 * Versioned match models. Exactly one version is active at a time (or none: match then scores with the
 * default model and says so). Versions are never rewritten, so a pair's `modelVersion` always names the
 * parameters that scored it.
 */
export interface ModelStore {
  /** Stores a new version; with `activate` it becomes the active one in the same step. */
  add(model: ModelJson, provenance: ModelProvenance, opts?: { activate?: boolean }): Promise<number>;
  activate(version: number): Promise<void>;
  /** The active version, or undefined when none was ever activated. */
  active(): Promise<StoredModel | undefined>;
  /** Just the active version's number (cheap: what watchers poll). */
  activeVersion(): Promise<number | undefined>;
  get(version: number): Promise<StoredModel | undefined>;
  list(): Promise<StoredModelSummary[]>;
}

export type ModelStoreErrorCode = 'MODEL_VERSION_UNKNOWN';

export class ModelStoreError extends Error {
  readonly retriable = false;
  constructor(readonly code: ModelStoreErrorCode, message: string) {
    super(message);
    this.name = 'ModelStoreError';
  }
}
