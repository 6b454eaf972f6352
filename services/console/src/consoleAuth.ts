import { SCOPES, principalHas, type Principal, type TokenGate } from '@idres/auth';

/** Who is using the console. Without authentication configured everyone is `anonymous` with every right. */
export interface ConsoleUser {
  name: string;
  /** False for the anonymous user of a console whose authentication is off (the page offers no sign-out). */
  signedIn: boolean;
  /** May see national IDs (SSNs) unmasked (scope national_id:read). */
  seesNationalIds: boolean;
  /** May record and undo same/different decisions (scope reviews:write). */
  mayReview: boolean;
}

/** Why a request gets no user: answered with this status and stable code. */
export interface ConsoleRefusal {
  status: 401 | 403 | 503;
  code: 'UNAUTHENTICATED' | 'TOKEN_INVALID' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE';
  message: string;
}

export const isRefusal = (r: ConsoleUser | ConsoleRefusal): r is ConsoleRefusal => 'status' in r;

/**
 * Who a presented token (from the session cookie or an Authorization header; undefined when none came) stands
 * for. The console signs people in with the same API tokens as the other HTTP APIs (`npx idres auth create`).
 */
export interface ConsoleAccess {
  check(token: string | undefined): Promise<ConsoleUser | ConsoleRefusal>;
}

export const ANONYMOUS: ConsoleUser = { name: 'anonymous', signedIn: false, seesNationalIds: true, mayReview: true };
export const noAuth: ConsoleAccess = { check: async () => ANONYMOUS };

const userOf = (p: Principal): ConsoleUser => ({
  name: p.name, signedIn: true, seesNationalIds: principalHas(p, SCOPES.nationalIdRead), mayReview: principalHas(p, SCOPES.reviewsWrite),
});

/**
 * Token sign-in, on the same rules as the APIs (IDRES_AUTH: required, auto = once the first token exists, off).
 * Using the console needs identities:read (it shows identities); national IDs in clear and review decisions need
 * their own scopes. An unreachable token store refuses (503), never lets in.
 */
export function tokenAccess(gate: TokenGate): ConsoleAccess {
  return {
    async check(token) {
      let principal: Principal | undefined;
      try {
        if (!(await gate.enforced())) return ANONYMOUS;
        if (token === undefined || token === '') return { status: 401, code: 'UNAUTHENTICATED', message: 'sign in with an API token (npx idres auth create --scopes identities:read,...)' };
        principal = await gate.verify(token);
      } catch {
        return { status: 503, code: 'AUTH_UNAVAILABLE', message: 'tokens cannot be checked right now; retry' };
      }
      if (!principal) return { status: 401, code: 'TOKEN_INVALID', message: 'the token is unknown, revoked or malformed' };
      if (!principalHas(principal, SCOPES.identitiesRead)) return { status: 403, code: 'FORBIDDEN', message: `this token lacks the scope ${SCOPES.identitiesRead}, which the console needs` };
      return userOf(principal);
    },
  };
}
