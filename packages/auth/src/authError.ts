export type AuthErrorCode = 'TOKEN_UNKNOWN' | 'SCOPE_INVALID' | 'TOKEN_NAME_INVALID' | 'AUTH_CONFIG_INVALID';

/** Errors of token management and configuration, with stable codes (never carrying a token's secret). */
export class AuthError extends Error {
  readonly retriable = false;
  constructor(readonly code: AuthErrorCode, message: string) {
    super(message);
    this.name = 'AuthError';
  }
}
