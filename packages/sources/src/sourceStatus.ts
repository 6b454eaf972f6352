import { traceHeadline, type ConnectClient, type ConnectorOffsets } from './connectClient';
import { parseTableName, slotNameOf, type SourceDefinition, type SourceProgress } from './sourceDefinition';
import type { SourceDatabase, SlotState } from './sourceDatabase';
import type { SourceStore } from './sourceStore';

/** running: Debezium is reading the table; applying: it has read it all and idres is still applying rows. */
export type SnapshotState = 'not requested' | 'requested' | 'running' | 'applying' | 'done';

/** Snapshot rows applied this recently after Debezium finished reading: idres is still working through them. */
const APPLYING_WINDOW_MS = 20_000;

export interface SourceStatusReport {
  name: string;
  table: string;
  topic: string;
  connector: { state: string; tasks: string[]; error?: string };
  /** The connector's committed offset: Debezium's bookmark (LSN; the incremental snapshot's position while it runs). */
  bookmark: Record<string, unknown> | null;
  snapshot: { state: SnapshotState; rowsDone: number; estimatedRows: number; rowsPerSecond: number | null; etaSeconds: number | null };
  streaming: { changes: number; deletes: number; rejected: number; lastEventAt: string | null; lastSourceCommitAt: string | null };
  slot: SlotState | null;
  errors: { count: number; last: { code: string; message: string; at: string } | null };
  /** Why the source is not keeping up, or null when it is. */
  stalled: string | null;
}

export interface StallRules {
  /** Slot lag above this... */
  lagBytes: number;
  /** ...with nothing applied for this long is a stall. */
  idleSeconds: number;
}

export const DEFAULT_STALL_RULES: StallRules = { lagBytes: 16 * 1024 * 1024, idleSeconds: 300 };

/** Debezium keeps the incremental snapshot's state in the offset while it runs (keys incremental_snapshot_*). */
export function snapshotRunning(offsets: ConnectorOffsets | undefined): boolean {
  const o = offsets?.offsets[0]?.offset ?? {};
  return Object.keys(o).some((k) => k.startsWith('incremental_snapshot') && o[k] !== null && o[k] !== '');
}

export function snapshotState(p: SourceProgress, running: boolean, now: Date = new Date()): SnapshotState {
  if (!p.snapshotRequestedAt) return 'not requested';
  if (running) return 'running';
  if (p.snapshotRows === 0) return 'requested';
  return p.snapshotLastAt && now.getTime() - p.snapshotLastAt.getTime() < APPLYING_WINDOW_MS ? 'applying' : 'done';
}

/** Rows per second so far and the time left, from pg_class.reltuples. */
export function snapshotRate(p: SourceProgress, estimatedRows: number, now: Date): { rowsPerSecond: number | null; etaSeconds: number | null } {
  if (!p.snapshotFirstAt || !p.snapshotLastAt || p.snapshotRows === 0) return { rowsPerSecond: null, etaSeconds: null };
  const start = p.snapshotRequestedAt && p.snapshotRequestedAt < p.snapshotFirstAt ? p.snapshotRequestedAt : p.snapshotFirstAt;
  const secs = Math.max(0.001, (p.snapshotLastAt.getTime() - start.getTime()) / 1000);
  const rate = p.snapshotRows / secs;
  const left = Math.max(0, estimatedRows - p.snapshotRows);
  void now;
  return { rowsPerSecond: rate, etaSeconds: left === 0 ? 0 : left / rate };
}

export function stallReason(r: Pick<SourceStatusReport, 'connector' | 'slot'>, p: SourceProgress, rules: StallRules, now: Date): string | null {
  if (r.connector.state === 'ABSENT') return 'the connector is not registered in Kafka Connect (run idres source add again)';
  if (r.connector.state !== 'RUNNING') return `the connector is ${r.connector.state}${r.connector.error ? `: ${r.connector.error}` : ''}`;
  const failed = r.connector.tasks.filter((t) => !t.endsWith('RUNNING'));
  if (failed.length > 0) return `connector task ${failed.join(', ')}${r.connector.error ? `: ${r.connector.error}` : ''}`;
  if (r.slot && !r.slot.active) return 'the replication slot has no reader (is the Connect worker running?)';
  const idle = p.lastEventAt ? (now.getTime() - p.lastEventAt.getTime()) / 1000 : Infinity;
  if (r.slot && r.slot.lagBytes > rules.lagBytes && idle > rules.idleSeconds) {
    return `the source is ${r.slot.lagBytes} bytes of WAL ahead and nothing was applied for ${Number.isFinite(idle) ? `${Math.round(idle)} s` : 'ever'}`;
  }
  return null;
}

/** Everything `idres source status` shows, from Connect, the source database and idres' own progress. */
export async function sourceStatus(def: SourceDefinition, deps: { store: SourceStore; connect: ConnectClient; db: SourceDatabase | undefined; rules?: StallRules; now?: Date }): Promise<SourceStatusReport> {
  const now = deps.now ?? new Date();
  const [st, offsets, progress] = await Promise.all([deps.connect.status(def.connectorName), deps.connect.offsets(def.connectorName), deps.store.progress(def.name)]);
  const p = progress!;
  const { schema, table } = parseTableName(def.table);
  let slot: SlotState | null = null;
  let estimatedRows = -1;
  if (deps.db) {
    slot = (await deps.db.slot(slotNameOf(def.name))) ?? null;
    estimatedRows = await deps.db.estimatedRows(schema, table);
  }
  const failed = st?.tasks.find((t) => t.state === 'FAILED');
  const error = traceHeadline(failed?.trace ?? st?.connector.trace);
  const connector = { state: st?.connector.state ?? 'ABSENT', tasks: st?.tasks.map((t) => `${t.id}:${t.state}`) ?? [], ...(error ? { error } : {}) };
  const running = snapshotRunning(offsets);
  const report: SourceStatusReport = {
    name: def.name,
    table: def.table,
    topic: def.topic,
    connector,
    bookmark: offsets?.offsets[0]?.offset ?? null,
    snapshot: { state: snapshotState(p, running, now), rowsDone: p.snapshotRows, estimatedRows: Math.max(0, Math.round(estimatedRows)), ...snapshotRate(p, estimatedRows, now) },
    streaming: {
      changes: p.changes, deletes: p.deletes, rejected: p.rejected,
      lastEventAt: p.lastEventAt?.toISOString() ?? null,
      lastSourceCommitAt: p.lastSourceTsMs === null ? null : new Date(p.lastSourceTsMs).toISOString(),
    },
    slot,
    errors: { count: p.errors, last: p.lastError ? { ...p.lastError, at: p.lastError.at.toISOString() } : null },
    stalled: null,
  };
  report.stalled = stallReason(report, p, deps.rules ?? DEFAULT_STALL_RULES, now);
  return report;
}

/** The report as a few lines for the terminal. */
export function formatStatus(r: SourceStatusReport): string {
  const s = r.snapshot;
  const pct = s.estimatedRows > 0 ? ` (${Math.min(100, (100 * s.rowsDone) / s.estimatedRows).toFixed(1)}% of ~${s.estimatedRows})` : '';
  const rate = s.rowsPerSecond !== null ? `, ${Math.round(s.rowsPerSecond)} rows/s` : '';
  const eta = (s.state === 'running' || s.state === 'applying') && s.etaSeconds !== null ? `, ETA ${Math.round(s.etaSeconds)} s` : '';
  return [
    `source ${r.name}: ${r.table} -> ${r.topic}`,
    `  connector  ${r.connector.state} (tasks ${r.connector.tasks.join(' ') || 'none'})${r.connector.error ? ` error: ${r.connector.error}` : ''}`,
    `  snapshot   ${s.state}: ${s.rowsDone} rows${pct}${rate}${eta}`,
    `  streaming  ${r.streaming.changes} changes, ${r.streaming.deletes} deletes, ${r.streaming.rejected} rejected; last applied ${r.streaming.lastEventAt ?? 'never'}, last source commit ${r.streaming.lastSourceCommitAt ?? 'none'}`,
    `  slot       ${r.slot ? `${r.slot.active ? 'active' : 'INACTIVE'}, ${r.slot.lagBytes} bytes behind` : 'unknown'}`,
    `  bookmark   ${r.bookmark ? JSON.stringify(r.bookmark) : 'none yet'}`,
    `  errors     ${r.errors.count}${r.errors.last ? ` (last ${r.errors.last.code} at ${r.errors.last.at}: ${r.errors.last.message})` : ''}`,
    r.stalled ? `  STALLED    ${r.stalled}` : '  health     ok',
  ].join('\n');
}
