import type pg from 'pg';
import { schemaOnce } from '@idres/pgschema';
import type { ModelJson } from '@idres/core';
import { ModelStoreError, type ModelProvenance, type ModelStore, type StoredModel, type StoredModelSummary } from './modelStore';

export const MODEL_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS idres_models (
  version     bigserial PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  kind        text NOT NULL,
  description text NOT NULL,
  active      boolean NOT NULL DEFAULT false,
  model       jsonb NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idres_models_one_active ON idres_models (active) WHERE active;
`;

interface Row {
  version: string;
  created_at: Date;
  kind: ModelProvenance['kind'];
  description: string;
  active: boolean;
  model?: ModelJson;
}

/** Models kept in the same Postgres as resolve's state; the table is created on first use. */
export class PgModelStore implements ModelStore {
  /** The tables, created once per process under an advisory lock (several processes may start at once). */
  private readonly ensure: () => Promise<void>;
  constructor(private readonly pool: pg.Pool) {
    this.ensure = schemaOnce(pool, 74201, MODEL_SCHEMA_SQL);
  }

  async add(model: ModelJson, provenance: ModelProvenance, opts: { activate?: boolean } = {}): Promise<number> {
    await this.ensure();
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      if (opts.activate) await c.query('UPDATE idres_models SET active = false WHERE active');
      const r = await c.query<{ version: string }>(
        'INSERT INTO idres_models (kind, description, active, model) VALUES ($1, $2, $3, $4) RETURNING version',
        [provenance.kind, provenance.description, opts.activate === true, JSON.stringify(model)],
      );
      await c.query('COMMIT');
      return Number(r.rows[0]?.version);
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async activate(version: number): Promise<void> {
    await this.ensure();
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const exists = await c.query('SELECT 1 FROM idres_models WHERE version = $1', [version]);
      if (exists.rowCount === 0) throw new ModelStoreError('MODEL_VERSION_UNKNOWN', `no model version ${version}`);
      await c.query('UPDATE idres_models SET active = false WHERE active AND version <> $1', [version]);
      await c.query('UPDATE idres_models SET active = true WHERE version = $1', [version]);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async active(): Promise<StoredModel | undefined> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT version, created_at, kind, description, active, model FROM idres_models WHERE active');
    return r.rows[0] && toStored(r.rows[0]);
  }

  async activeVersion(): Promise<number | undefined> {
    await this.ensure();
    const r = await this.pool.query<{ version: string }>('SELECT version FROM idres_models WHERE active');
    return r.rows[0] ? Number(r.rows[0].version) : undefined;
  }

  async get(version: number): Promise<StoredModel | undefined> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT version, created_at, kind, description, active, model FROM idres_models WHERE version = $1', [version]);
    return r.rows[0] && toStored(r.rows[0]);
  }

  async list(): Promise<StoredModelSummary[]> {
    await this.ensure();
    const r = await this.pool.query<Row>('SELECT version, created_at, kind, description, active FROM idres_models ORDER BY version DESC');
    return r.rows.map((row) => ({ version: Number(row.version), createdAt: row.created_at, provenance: { kind: row.kind, description: row.description }, active: row.active }));
  }
}

function toStored(row: Row): StoredModel {
  return {
    version: Number(row.version), createdAt: row.created_at, provenance: { kind: row.kind, description: row.description }, active: row.active,
    model: row.model as ModelJson,
  };
}
