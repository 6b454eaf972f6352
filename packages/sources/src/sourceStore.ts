import type { ProgressDelta, SourceDefinition, SourceProgress } from './sourceDefinition';

/**
 * Registered sources and what has been applied from each. Postgres in deployments (PgSourceStore), in memory for
 * unit tests (InMemorySourceStore); both pass test/sourceStoreSuite.ts.
 */
export interface SourceStore {
  /** Adds a source or replaces its definition (progress is kept: re-adding resumes). */
  put(def: SourceDefinition): Promise<void>;
  get(name: string): Promise<SourceDefinition | undefined>;
  list(): Promise<SourceDefinition[]>;
  /** Forgets the source and its progress; false when there was none. */
  remove(name: string): Promise<boolean>;
  progress(name: string): Promise<SourceProgress | undefined>;
  /** Adds a batch's counts unless its partition already has lastOffset or later (a redelivered batch counts once). */
  recordProgress(name: string, delta: ProgressDelta): Promise<void>;
  /** Set once, when the initial snapshot is asked for; true if this call set it. */
  markSnapshotRequested(name: string, at: Date): Promise<boolean>;
  recordError(name: string, code: string, message: string, at: Date): Promise<void>;
}
