import type { FastifyRequest } from 'fastify';

/** Who is using the console. Without authentication configured everyone is `anonymous` with every right. */
export interface ConsoleUser {
  name: string;
  /** May see national IDs (SSNs) unmasked. */
  seesNationalIds: boolean;
  /** May record and undo same/different decisions. */
  mayReview: boolean;
}

/**
 * The hook authentication plugs into: resolves a request to a user, or undefined (answered 401). The security
 * work's check goes here (see services/console/src/main.ts); until then every request is the anonymous user.
 */
export type ConsoleAuth = (req: FastifyRequest) => Promise<ConsoleUser | undefined>;

export const ANONYMOUS: ConsoleUser = { name: 'anonymous', seesNationalIds: true, mayReview: true };
export const noAuth: ConsoleAuth = async () => ANONYMOUS;
