import { TOPICS, toRawRecord, type HandlerResult, type InboundMessage, type OutboundMessage, type Rejection } from '@idres/runtime';
import { changeToRecord, parseChangeEvent, type ChangeEvent, type ChangeRow, type RecordChange, type ProgressDelta, type SourceDefinition } from '@idres/sources';

export interface AppliedBatch {
  result: HandlerResult<unknown, unknown>;
  /** Counts of the messages past `appliedOffset` (those not counted before a redelivery). */
  delta: ProgressDelta;
  /** Seconds from the source's commit to now, for each streamed (non-snapshot) change. */
  changeLagSeconds: number[];
}

const isRow = (v: unknown): v is ChangeRow => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One slice of change events (of one partition) to identity.raw outputs: upserts are the record's latest version,
 * deletes are tombstones, keyed like every other entrance ({source, sourceRecordId}); bad events are rejected
 * (quarantined by the runner with their reason). Pure: the consumer runner produces, then commits.
 */
export function applyChangeBatch(def: SourceDefinition, messages: readonly InboundMessage<unknown, unknown>[], appliedOffset: bigint | undefined, now: Date): AppliedBatch {
  const outputs: OutboundMessage[] = [];
  const rejects: Rejection<unknown, unknown>[] = [];
  const delta: ProgressDelta = { partition: messages[0]?.partition ?? 0, lastOffset: '-1', snapshotRows: 0, changes: 0, deletes: 0, rejected: 0, lastSourceTsMs: null, at: now };
  const changeLagSeconds: number[] = [];
  for (const m of messages) {
    const fresh = appliedOffset === undefined || BigInt(m.offset) > appliedOffset;
    if (BigInt(m.offset) > BigInt(delta.lastOffset)) delta.lastOffset = m.offset;
    if (m.value === null) continue; // a Kafka tombstone after a delete (tombstones.on.delete is off; kept safe)
    let change: RecordChange;
    let ev: ChangeEvent | undefined;
    try {
      ev = parseChangeEvent(m.value);
      change = changeToRecord(ev, isRow(m.key) ? m.key : null, def);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      change = { kind: 'rejected', code: e.code ?? 'CHANGE_EVENT_INVALID', reason: e.message ?? 'invalid change event' };
    }
    if (ev && change.kind !== 'rejected' && ev.snapshot === 'false' && fresh) {
      changeLagSeconds.push(Math.max(0, (now.getTime() - ev.sourceTsMs) / 1000));
      delta.lastSourceTsMs = Math.max(delta.lastSourceTsMs ?? 0, ev.sourceTsMs);
    }
    if (change.kind === 'upsert') {
      const r = change.record;
      outputs.push({ topic: TOPICS.raw, key: { source: r.source, sourceRecordId: r.sourceRecordId }, value: toRawRecord({ source: r.source, sourceRecordId: r.sourceRecordId, fields: r.fields, attributes: r.attributes }) });
      if (fresh) {
        if (change.snapshot) delta.snapshotRows++;
        else delta.changes++;
      }
    } else if (change.kind === 'delete') {
      outputs.push({ topic: TOPICS.raw, key: { source: change.source, sourceRecordId: change.sourceRecordId }, value: null });
      if (fresh) delta.deletes++;
    } else {
      rejects.push({ message: m, code: change.code, reason: `source ${def.name}: ${change.reason}` });
      if (fresh) delta.rejected++;
    }
  }
  return { result: { outputs, rejects }, delta, changeLagSeconds };
}
