import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { ModelJson } from '@idres/core';
import { ActiveModel, type CurrentModel } from './activeModel';
import { PgModelStore } from './pgModelStore';

export interface ServiceModelOptions {
  pool: pg.Pool;
  /** The shipped default model file (used until a version is active). */
  defaultPath: string;
  /** IDRES_MODEL: a model file that pins the model, whatever the store says. */
  pinnedPath?: string | undefined;
  /** IDRES_MATCH_THRESHOLD, when set. */
  threshold?: number | undefined;
  pollMs: number;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  registry: Registry;
}

/**
 * The active model for a service that scores or blocks with it (match, block): follows the store, logs each
 * switch, says plainly when there is no trained model yet, and exports the version as a metric.
 */
export async function startServiceModel(o: ServiceModelOptions): Promise<ActiveModel> {
  const gauge = new Gauge({ name: 'idres_model_version', help: 'Stored model version in use (0: the default or a pinned file)', labelNames: ['kind'], registers: [o.registry] });
  const announce = (c: CurrentModel): void => {
    gauge.reset();
    gauge.set({ kind: c.provenance.kind }, c.version ?? 0);
    if (c.version === undefined && c.provenance.kind === 'default') o.logger.warn({ threshold: c.threshold }, 'no trained model yet: using the default model (train one: npx idres model train)');
    else o.logger.info({ version: c.version ?? null, kind: c.provenance.kind, threshold: c.threshold }, 'using model');
  };
  const models = new ActiveModel(new PgModelStore(o.pool), {
    fallback: {
      json: JSON.parse(readFileSync(o.pinnedPath ?? o.defaultPath, 'utf8')) as ModelJson,
      provenance: o.pinnedPath ? { kind: 'file', description: 'IDRES_MODEL' } : { kind: 'default', description: 'packages/core/models/default.json' },
    },
    pinned: o.pinnedPath !== undefined,
    ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    pollMs: o.pollMs,
    onChange: announce,
    onError: (err) => o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the active model; keeping the current one'),
  });
  await models.start();
  if (models.current().version === undefined) announce(models.current());
  return models;
}

/** What /model and /ready say about the model in use. */
export function describeModel(c: Pick<CurrentModel, 'version' | 'threshold'> & { provenance?: CurrentModel['provenance'] }): Record<string, unknown> {
  return { version: c.version ?? null, threshold: c.threshold, kind: c.provenance?.kind ?? 'given', description: c.provenance?.description ?? '' };
}
