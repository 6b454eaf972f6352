import type { ErasureKey, ErasurePlace, ErasureRequest } from './erasureRequest';

export interface NewErasure extends ErasureKey {
  recordId: string;
  tombstoneVersion: number;
  quarantineEntries: number;
}

export interface ErasureCompletion {
  completedAt: Date;
  valuesGoneBy: Date;
  places: ErasurePlace[];
}

/**
 * The log of erasure requests: what was asked, when it was done, and until when topic copies may remain. It holds
 * record IDs (identifiers), never values. Postgres and in-memory implementations pass one suite.
 */
export interface ErasureLog {
  create(e: NewErasure): Promise<ErasureRequest>;
  get(id: string): Promise<ErasureRequest | undefined>;
  /** Newest first. */
  list(opts?: { limit?: number; state?: ErasureRequest['state'] }): Promise<ErasureRequest[]>;
  complete(id: string, done: ErasureCompletion): Promise<ErasureRequest>;
}

/** `ERA_` and ten digits, like the master IDs' `MDM_`: sortable, and a typo is a 404, not someone else's request. */
export const erasureIdOf = (n: number): string => `ERA_${String(n).padStart(10, '0')}`;
export const erasureNumberOf = (id: string): number | undefined => (/^ERA_\d{10}$/.test(id) ? Number(id.slice(4)) : undefined);
