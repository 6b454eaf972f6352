/** publish's lookup API: the identity view (golden record, members, links with explanations, clustering). */
export interface IdentityView {
  masterId: string;
  golden: { fields: Record<string, string>; sources: Record<string, string> };
  members: Array<{ recordId: string; version: number; values: Record<string, string> }>;
  links: Array<{ a: string; b: string; probability: number; matchWeight: number; rule: string | null; modelVersion: number | null; explanation: unknown }>;
  clustering: {
    meanPairWeight: number;
    floor: number;
    scoredPairs: number;
    heldApart: Array<{ recordId: string; otherRecordId: string; otherMasterId: string | null; matchWeight: number; probability: number }>;
  };
}

export class LookupUnavailableError extends Error {
  readonly code = 'LOOKUP_UNAVAILABLE';
}

/** Reads identities through publish's lookup API, so the console shows exactly what the API serves. */
export class LookupClient {
  /**
   * `token`: the bearer token for the lookup API when its authentication is on (see docs/security.md), asked for
   * on every call: the demo creates its token after the services started, and the console must pick it up.
   */
  constructor(private readonly baseUrl: string, private readonly timeoutMs = 5000, private readonly token: () => string | undefined = () => undefined) {}

  async identity(masterId: string): Promise<IdentityView | undefined> {
    let res: Response;
    const token = this.token();
    try {
      res = await fetch(`${this.baseUrl}/identities/${encodeURIComponent(masterId)}`, {
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      });
    } catch (err) {
      throw new LookupUnavailableError(`lookup API at ${this.baseUrl} unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new LookupUnavailableError(`lookup API answered ${res.status}`);
    return (await res.json()) as IdentityView;
  }
}
