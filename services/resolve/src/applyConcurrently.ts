import { isRetriable } from '@idres/runtime';
import type { PostgresResolveStore, ResolveBatch } from './resolveStore';

export interface ApplyConcurrentlyOptions {
  /** How many batches are in flight at once, like resolve instances or concurrently consumed partitions. */
  concurrency: number;
  /** Attempts per batch before a retriable error is given up on. */
  maxAttempts?: number;
  /** Called after each applied batch, e.g. to drain the outbox. */
  afterBatch?: () => Promise<void>;
}

/**
 * Applies batches with several workers taking them in turn, retrying retriable errors (deadlocks, clusters
 * moved by a concurrent batch) with a linear backoff as the consumer runner does. Used by the resolve
 * benchmark and the store's concurrency test; returns how many retries were needed.
 */
export async function applyConcurrently(store: PostgresResolveStore, batches: readonly ResolveBatch[], opts: ApplyConcurrentlyOptions): Promise<number> {
  let next = 0;
  let retries = 0;
  const maxAttempts = opts.maxAttempts ?? 30;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < batches.length; i = next++) {
      for (let attempt = 1; ; attempt++) {
        try {
          await store.apply(batches[i]!);
          break;
        } catch (err) {
          if (!isRetriable(err) || attempt >= maxAttempts) throw err;
          retries++;
          await new Promise((r) => setTimeout(r, 10 * attempt));
        }
      }
      await opts.afterBatch?.();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return retries;
}
