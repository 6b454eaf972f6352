import pg from 'pg';
import { collectReportData, type CollectOptions } from './reportData';
import { renderReport } from './renderReport';

export interface BuildReportOptions extends CollectOptions {
  /** An open pool (the caller keeps it), or a connection string (a pool is opened and closed here). */
  pool?: pg.Pool;
  databaseUrl?: string;
}

/** The data-quality report of what Postgres holds now, as one self-contained HTML document. */
export async function buildReport(opts: BuildReportOptions): Promise<string> {
  const own = opts.pool === undefined ? new pg.Pool({ connectionString: opts.databaseUrl, max: 2 }) : undefined;
  const pool = opts.pool ?? own!;
  try {
    return renderReport(await collectReportData(pool, opts));
  } finally {
    await own?.end();
  }
}
