import type { ErasureKey } from './erasureRequest';

/** What erasure reads of a quarantine entry (identity.quarantine's value). */
export interface QuarantineEntry {
  stage: string;
  /** The topic the bad message came from (null for rows a file load refused). */
  topic: string | null;
  key: Buffer | null;
  value: Buffer | null;
}

export interface KeyDecoder {
  /** The RecordKey in a message key of identity.raw or identity.standardized, or undefined when it does not decode. */
  recordKey(buf: Buffer): Promise<ErasureKey | undefined>;
}

const RECORD_KEYED = new Set(['identity.raw', 'identity.standardized']);

/**
 * Whether a quarantined message belongs to the record being erased. Messages of the record-keyed topics are decided
 * by their key; everything else (packs of other topics, rows a file load refused, keys that do not decode) by
 * whether its bytes hold the record ID, or the source record ID as a whole JSON string. A false positive erases a
 * bad message of someone else (harmless: it was quarantined); a false negative would keep a value, so in doubt it
 * matches.
 */
export async function quarantineBelongsTo(entry: QuarantineEntry, target: ErasureKey, keys: KeyDecoder): Promise<boolean> {
  if (entry.topic !== null && RECORD_KEYED.has(entry.topic) && entry.key) {
    const k = await keys.recordKey(entry.key);
    if (k) return k.source === target.source && k.sourceRecordId === target.sourceRecordId;
  }
  const recordId = Buffer.from(`${target.source}:${target.sourceRecordId}`, 'utf8');
  const asJson = Buffer.from(JSON.stringify(target.sourceRecordId), 'utf8');
  const both = (b: Buffer): boolean => b.includes(Buffer.from(target.source, 'utf8')) && b.includes(Buffer.from(target.sourceRecordId, 'utf8'));
  for (const b of [entry.key, entry.value]) {
    if (!b) continue;
    if (b.includes(recordId) || b.includes(asJson)) return true;
  }
  // A key that did not decode: Avro writes the two strings one after the other, with a length byte between.
  return entry.key !== null && entry.topic !== null && RECORD_KEYED.has(entry.topic) && both(entry.key);
}
