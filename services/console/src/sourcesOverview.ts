import { sourceStatus, snapshotState, type ConnectClient, type SourceStore } from '@idres/sources';

/** One followed source on the pipeline page: where its sync stands, from Kafka Connect and idres' own progress. */
export interface SourceRow {
  name: string;
  table: string;
  /** The connector's state in Kafka Connect (RUNNING, FAILED, ABSENT), or UNREACHABLE when Connect does not answer. */
  connector: string;
  snapshot: { state: string; rowsDone: number; estimatedRows: number; rowsPerSecond: number | null; etaSeconds: number | null };
  changes: number;
  deletes: number;
  rejected: number;
  lastEventAt: number | null;
  /** Commit in the source -> applied by idres, for the last change applied (seconds). */
  lastChangeLagSeconds: number | null;
  errors: number;
  lastError: { code: string; message: string } | null;
  /** Why the source is not keeping up (the same rules as `idres source status`), or null. */
  stalled: string | null;
}

/**
 * Every registered source with its sync state. Connect is asked as `idres source status` asks it; when it does not
 * answer, the row still shows what idres applied, with the connector UNREACHABLE (a broken Connect never breaks the page).
 */
export async function sourcesOverview(deps: { store: SourceStore; connect: ConnectClient | undefined; now?: Date }): Promise<SourceRow[]> {
  const now = deps.now ?? new Date();
  const defs = await deps.store.list();
  return Promise.all(defs.map(async (def): Promise<SourceRow> => {
    const p = await deps.store.progress(def.name);
    const lag = p?.lastEventAt && p.lastSourceTsMs !== null ? Math.max(0, (p.lastEventAt.getTime() - p.lastSourceTsMs) / 1000) : null;
    const base = {
      name: def.name, table: def.table, changes: p?.changes ?? 0, deletes: p?.deletes ?? 0, rejected: p?.rejected ?? 0,
      lastEventAt: p?.lastEventAt?.getTime() ?? null, lastChangeLagSeconds: lag, errors: p?.errors ?? 0,
      lastError: p?.lastError ? { code: p.lastError.code, message: p.lastError.message } : null,
    };
    try {
      if (!deps.connect) throw new Error('no Kafka Connect configured');
      const r = await sourceStatus(def, { store: deps.store, connect: deps.connect, db: undefined, now });
      return { ...base, connector: r.connector.state, snapshot: r.snapshot, stalled: r.stalled };
    } catch {
      const state = p ? snapshotState(p, false, now) : 'not requested';
      return { ...base, connector: 'UNREACHABLE', snapshot: { state, rowsDone: p?.snapshotRows ?? 0, estimatedRows: -1, rowsPerSecond: null, etaSeconds: null }, stalled: null };
    }
  }));
}
