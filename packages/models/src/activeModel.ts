import { loadModel, type MatchModel, type ModelJson } from '@idres/core';
import type { ModelProvenance, ModelStore } from './modelStore';

/** The model a scorer uses right now, and which one it is. */
export interface CurrentModel {
  model: MatchModel;
  /** Store version, or undefined for the fallback (default or pinned file) model. */
  version: number | undefined;
  provenance: ModelProvenance;
  threshold: number;
}

export interface ActiveModelOptions {
  /** Used when the store has no active version, or always when `pinned`. */
  fallback: { json: ModelJson; provenance: ModelProvenance };
  /** The fallback is the model, whatever the store says (IDRES_MODEL given explicitly). */
  pinned?: boolean;
  /** A fixed threshold (IDRES_MATCH_THRESHOLD); else each model's own. */
  threshold?: number;
  pollMs?: number;
  onChange?: (current: CurrentModel, previous: CurrentModel) => void;
  onError?: (err: unknown) => void;
}

/**
 * Follows the store's active version: match calls `current()` per batch and never restarts to change models.
 * A batch in flight keeps the model it started with (it holds the object), so one batch is scored by one version.
 */
export class ActiveModel {
  private cur: CurrentModel;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly store: ModelStore | undefined, private readonly opts: ActiveModelOptions) {
    this.cur = this.fromJson(opts.fallback.json, undefined, opts.fallback.provenance);
  }

  current(): CurrentModel {
    return this.cur;
  }

  /** Loads the active version once (so the first batch already uses it), then polls. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.store === undefined || this.opts.pinned) return;
    this.timer = setInterval(() => {
      this.polling ??= this.refresh().catch((err: unknown) => this.opts.onError?.(err)).finally(() => { this.polling = undefined; });
    }, this.opts.pollMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** Checks the store now; resolves once the current model is the store's active one. */
  async refresh(): Promise<void> {
    if (this.store === undefined || this.opts.pinned) return;
    const version = await this.store.activeVersion();
    if (version === this.cur.version) return;
    const previous = this.cur;
    if (version === undefined) {
      this.cur = this.fromJson(this.opts.fallback.json, undefined, this.opts.fallback.provenance);
    } else {
      const stored = await this.store.get(version);
      if (stored === undefined) return; // replaced between the two reads: the next poll sees the newer one
      this.cur = this.fromJson(stored.model, stored.version, stored.provenance);
    }
    this.opts.onChange?.(this.cur, previous);
  }

  private fromJson(json: ModelJson, version: number | undefined, provenance: ModelProvenance): CurrentModel {
    const model = loadModel(json);
    return { model, version, provenance, threshold: this.opts.threshold ?? model.threshold };
  }
}
