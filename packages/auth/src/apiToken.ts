import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A token reads `idres_<id>_<secret>`: the id (8 random bytes, hex) is public and finds the stored row; the
 * secret (32 random bytes, base64url) is shown once and only its SHA-256 is kept. 256 random bits need no slow
 * password hash: nobody can guess their way to a preimage, so a leaked table grants nothing.
 */
export interface ParsedToken { id: string; secret: string }

const TOKEN_PATTERN = /^idres_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function generateToken(): { token: string; id: string; secretHash: Buffer } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `idres_${id}_${secret}`, id, secretHash: hashSecret(secret) };
}

/** undefined for anything that is not shaped like a token (no lookup is made for it). */
export function parseToken(token: string): ParsedToken | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares in constant time, so response timing says nothing about how much of a secret was right. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const h = hashSecret(secret);
  return h.length === storedHash.length && timingSafeEqual(h, storedHash);
}
