/** One request to erase a record, as the erasure log keeps it. */
export type ErasureState = 'pending' | 'done';

/** Where a record's values could be read, and when they are gone there at the latest (null: already gone). */
export interface ErasurePlace {
  place: string;
  how: string;
  goneBy: Date | null;
}

export interface ErasureKey {
  source: string;
  sourceRecordId: string;
}

export interface ErasureRequest extends ErasureKey {
  id: string;
  recordId: string;
  state: ErasureState;
  requestedAt: Date;
  /** The tombstone's timestamp: the version resolve must reach (deleted) before the erasure is done. */
  tombstoneVersion: number;
  /** Quarantine entries of the record that were tombstoned. */
  quarantineEntries: number;
  /** When Postgres and Redis were seen without the record's values. */
  completedAt: Date | null;
  /** When the last copy in a topic is gone at the latest (compaction lag or retention), from the topics' configuration. */
  valuesGoneBy: Date | null;
  places: ErasurePlace[];
}

export type ErasureErrorCode = 'ERASURE_UNKNOWN' | 'ERASURE_INVALID' | 'ERASURE_TIMEOUT' | 'ERASURE_PRODUCE_FAILED';

export class ErasureError extends Error {
  constructor(readonly code: ErasureErrorCode, message: string, readonly retriable = false) {
    super(message);
    this.name = 'ErasureError';
  }
}
