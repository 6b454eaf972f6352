/**
 * What a token may do. Each HTTP route names the one scope it needs; a token carries a set of them.
 * Other services add their scopes here (one line each), so `idres auth create --scopes` can check names.
 */
export const SCOPES = {
  /** POST /records and DELETE /records/:source/:id on ingest. */
  recordsWrite: 'records:write',
  /** Erasure: remove a record everywhere it can be read (not only a delete tombstone). */
  recordsErase: 'records:erase',
  /** The lookup API (publish): identities, golden records, members, links. */
  identitiesRead: 'identities:read',
  /** National IDs (SSNs) in clear in the lookup API; without it they are masked (***-**-1234). */
  nationalIdRead: 'national_id:read',
  /** Recording and undoing same/different decisions in the console (overrides resolve obeys). */
  reviewsWrite: 'reviews:write',
  /** /metrics, only when IDRES_AUTH_METRICS=token (by default /metrics is open: its labels hold no personal data). */
  metricsRead: 'metrics:read',
} as const;

export type KnownScope = (typeof SCOPES)[keyof typeof SCOPES];
export const KNOWN_SCOPES: readonly string[] = Object.values(SCOPES);

/** The shape every scope has (`noun:verb`), also for scopes other services define. */
export const SCOPE_PATTERN = /^[a-z][a-z_]*:[a-z][a-z_]*$/;
