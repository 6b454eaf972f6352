import type { AuthMode } from './authPlugin';
import { verifyToken, type Principal } from './tokens';
import type { TokenStore } from './tokenStore';

const CACHE_LIMIT = 10_000;

/**
 * The two questions every entrance asks, answered the same way for the APIs (authPlugin) and the console's
 * sign-in: are tokens checked now (`auto` turns on once the first token exists, and stays on), and whom does a
 * presented token stand for. Answers are cached for `cacheMs`, so a revocation takes that long at most.
 * Both throw when the store cannot be reached; callers answer 503, never "allowed".
 */
export class TokenGate {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  private created: boolean;
  private checkedAt = 0;

  constructor(private readonly opts: { mode: AuthMode; store: TokenStore; cacheMs?: number }) {
    this.created = opts.mode === 'required';
  }

  private get cacheMs(): number { return this.opts.cacheMs ?? 2000; }

  /** Whether tokens are checked now; in auto mode that turns true once and stays so. */
  async enforced(): Promise<boolean> {
    if (this.opts.mode === 'off') return false;
    if (this.created) return true;
    if (Date.now() - this.checkedAt < this.cacheMs) return false;
    this.created = await this.opts.store.anyCreated();
    this.checkedAt = Date.now();
    return this.created;
  }

  /** The principal of a token, or undefined when it is malformed, unknown, of a wrong secret or revoked. */
  async verify(token: string): Promise<Principal | undefined> {
    const hit = this.cache.get(token);
    if (hit && hit.until > Date.now()) return hit.principal;
    const principal = await verifyToken(this.opts.store, token);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    if (principal) this.cache.set(token, { principal, until: Date.now() + this.cacheMs });
    else this.cache.delete(token);
    return principal;
  }
}
