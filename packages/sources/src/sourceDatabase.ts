import pg from 'pg';
import { SourceError } from './sourceErrors';

export interface TableShape {
  /** column -> Postgres type (information_schema data_type) */
  columns: Record<string, string>;
  primaryKey: string[];
  /** pg_class.reltuples: the planner's row estimate (-1 when never analyzed) */
  estimatedRows: number;
}

export interface SlotState {
  active: boolean;
  /** WAL the slot has not confirmed yet: how far the connector is behind the source. */
  lagBytes: number;
}

/** The few questions idres asks a source Postgres (its own connection, closed after each use). */
export class SourceDatabase {
  constructor(private readonly url: string) {}

  async with<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 20_000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
    } catch (err) {
      throw new SourceError('SOURCE_DB_UNAVAILABLE', `cannot connect to the source database ${redactUrl(this.url)}: ${(err as Error).message}`, { retriable: true, cause: err });
    }
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async walLevel(): Promise<string> {
    return this.with(async (c) => (await c.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level);
  }

  async tableShape(schema: string, table: string): Promise<TableShape | undefined> {
    return this.with(async (c) => {
      const cols = await c.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, table]);
      if (cols.rows.length === 0) return undefined;
      const pk = await c.query<{ attname: string }>(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary`, [schema, table]);
      return {
        columns: Object.fromEntries(cols.rows.map((r) => [r.column_name, r.data_type])),
        primaryKey: pk.rows.map((r) => r.attname),
        estimatedRows: await this.estimate(c, schema, table),
      };
    });
  }

  private async estimate(c: pg.Client, schema: string, table: string): Promise<number> {
    const r = await c.query<{ reltuples: number }>(
      `SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = (quote_ident($1) || '.' || quote_ident($2))::regclass`, [schema, table]);
    return Number(r.rows[0]?.reltuples ?? -1);
  }

  async estimatedRows(schema: string, table: string): Promise<number> {
    return this.with((c) => this.estimate(c, schema, table));
  }

  /** The signal table Debezium reads snapshot requests from (schema idres in the source database). */
  async ensureSignalTable(qualified: string): Promise<void> {
    const [schema, table] = qualified.split('.') as [string, string];
    await this.with(async (c) => {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${schema}.${table} (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))`);
    });
  }

  async signalIncrementalSnapshot(signalTable: string, id: string, table: string): Promise<void> {
    await this.with(async (c) => {
      await c.query(`INSERT INTO ${signalTable} (id, type, data) VALUES ($1, 'execute-snapshot', $2) ON CONFLICT (id) DO NOTHING`,
        [id, JSON.stringify({ 'data-collections': [table], type: 'incremental' })]);
    });
  }

  async slot(name: string): Promise<SlotState | undefined> {
    return this.with(async (c) => {
      const r = await c.query<{ active: boolean; lag: string | null }>(
        'SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag FROM pg_replication_slots WHERE slot_name = $1', [name]);
      const row = r.rows[0];
      return row ? { active: row.active, lagBytes: Number(row.lag ?? 0) } : undefined;
    });
  }

  /** Drops what a source left in the database: its slot (once inactive), publication and signal table. */
  async dropSourceObjects(slot: string, publication: string, signalTable: string): Promise<void> {
    await this.with(async (c) => {
      for (let i = 0; i < 40; i++) {
        const r = await c.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        if (!r.rows[0]) break;
        if (!r.rows[0].active) {
          await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
          break;
        }
        await new Promise((res) => setTimeout(res, 250));
      }
      await c.query(`DROP PUBLICATION IF EXISTS ${publication}`);
      await c.query(`DROP TABLE IF EXISTS ${signalTable}`);
    });
  }
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
