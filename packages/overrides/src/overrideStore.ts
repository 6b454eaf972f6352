/** "Same person" or "different people": what a reviewer decided about two records. */
export type OverrideDecision = 'SAME' | 'DIFFERENT';

export interface Override {
  id: number;
  /** The two records, a < b (JavaScript string order, like resolve's pairs). */
  a: string;
  b: string;
  decision: OverrideDecision;
  /** Who decided (null until authentication supplies a user). */
  reviewer: string | null;
  createdAt: number;
  /** When it was undone or replaced by a later decision about the same pair; null while it holds. */
  undoneAt: number | null;
}

export interface DecideInput {
  a: string;
  b: string;
  decision: OverrideDecision;
  reviewer?: string | null;
}

export type OverrideErrorCode = 'OVERRIDE_INVALID' | 'OVERRIDE_NOT_FOUND' | 'OVERRIDE_NOT_ACTIVE';

export class OverrideError extends Error {
  constructor(readonly code: OverrideErrorCode, message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

/**
 * The decisions, kept for good (undoing one marks it, never deletes it). At most one decision per pair holds at
 * a time: a new one about the same pair replaces it.
 */
export interface OverrideStore {
  /** Records a decision (the same decision again returns the one that holds, unchanged). */
  decide(input: DecideInput): Promise<{ override: Override; changed: boolean; replaced: Override | null }>;
  /** Undoes a decision that holds; OVERRIDE_NOT_FOUND / OVERRIDE_NOT_ACTIVE otherwise. */
  undo(id: number): Promise<Override>;
  get(id: number): Promise<Override | undefined>;
  /** Decisions that hold, about pairs with at least one record in `recordIds` (every one when omitted). */
  active(recordIds?: readonly string[]): Promise<Override[]>;
  /** Every decision ever made about pairs touching `recordIds` (undone ones too), newest first. */
  history(recordIds: readonly string[], limit?: number): Promise<Override[]>;
}

/** Checks and orders a pair: two different, non-empty record IDs, a < b. */
export function normalizePair(input: DecideInput): { a: string; b: string; decision: OverrideDecision; reviewer: string | null } {
  const { a, b, decision } = input;
  if (typeof a !== 'string' || typeof b !== 'string' || a === '' || b === '') throw new OverrideError('OVERRIDE_INVALID', 'a decision needs two record IDs');
  if (a === b) throw new OverrideError('OVERRIDE_INVALID', 'a decision needs two different records');
  if (a.length > 1000 || b.length > 1000) throw new OverrideError('OVERRIDE_INVALID', 'record IDs are at most 1,000 characters');
  if (decision !== 'SAME' && decision !== 'DIFFERENT') throw new OverrideError('OVERRIDE_INVALID', 'decision must be SAME or DIFFERENT');
  const [x, y] = a < b ? [a, b] : [b, a];
  return { a: x, b: y, decision, reviewer: input.reviewer ?? null };
}
