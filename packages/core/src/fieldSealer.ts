import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { IdresError } from './errors';

/**
 * Sealed values: configured fields (national IDs by default) are kept unreadable without a key wherever they rest
 * after standardization (internal topics, Redis, Postgres), and opened in memory only where a comparison or an
 * authorised reader needs the clear value.
 *
 * The seal is deterministic authenticated encryption: AES-256-GCM whose 96-bit IV is an HMAC-SHA256 of the field
 * and the value (a synthetic IV), with the field name as associated data. Deterministic because equality must
 * survive sealing: blocking keys, exact comparison levels and "most frequent" survivorship work on sealed values
 * without opening them. The price is that whoever reads the data without the key learns which records share a
 * value, never the value. Tampering or a wrong key fails the GCM tag.
 *
 * Form: `sealed1.<keyId>.<base64url(iv | ciphertext | tag)>`. The key ID names the keyring entry, so values sealed
 * under an old key still open after a rotation (see docs/security.md).
 */
export const SEALED_PREFIX = 'sealed1.';

export const DEFAULT_SEALED_FIELDS: readonly string[] = Object.freeze(['ssn']);

/** The keys: `primary` seals, every entry opens. Keys are 32 random bytes. */
export interface SealKeyring {
  primary: string;
  keys: ReadonlyMap<string, Buffer>;
}

interface DerivedKey {
  enc: Buffer;
  iv: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function derive(master: Buffer): DerivedKey {
  // Separate subkeys for the IV and the cipher, so the HMAC never uses the AES key.
  return {
    enc: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'idres seal v1 enc', 32)),
    iv: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'idres seal v1 iv', 32)),
  };
}

/** Seals and opens the configured fields of a record's values. Pure: the keyring comes in, nothing is read. */
export class FieldSealer {
  readonly fields: ReadonlySet<string>;
  private readonly derived = new Map<string, DerivedKey>();
  private readonly primary: string;

  constructor(keyring: SealKeyring, fields: readonly string[] = DEFAULT_SEALED_FIELDS) {
    if (!keyring.keys.has(keyring.primary)) throw new IdresError('SEAL_KEY_INVALID', `the keyring has no key named ${keyring.primary} (its primary)`);
    for (const [id, key] of keyring.keys) {
      if (!KEY_ID.test(id)) throw new IdresError('SEAL_KEY_INVALID', 'a key ID must be 1-32 letters, digits, _ or -');
      if (key.length !== 32) throw new IdresError('SEAL_KEY_INVALID', `key ${id} is ${key.length} bytes; a sealing key is 32 random bytes`);
      this.derived.set(id, derive(key));
    }
    this.primary = keyring.primary;
    this.fields = new Set(fields);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(SEALED_PREFIX);
  }

  /** The sealed form of one value under the primary key (a value already sealed is returned as it is). */
  seal(field: string, value: string): string {
    if (FieldSealer.isSealed(value)) return value;
    const k = this.derived.get(this.primary)!;
    const iv = createHmac('sha256', k.iv).update(field).update('\u0000').update(value).digest().subarray(0, 12);
    const c = createCipheriv('aes-256-gcm', k.enc, iv);
    c.setAAD(Buffer.from(field));
    const body = Buffer.concat([iv, c.update(value, 'utf8'), c.final(), c.getAuthTag()]);
    return `${SEALED_PREFIX}${this.primary}.${body.toString('base64url')}`;
  }

  /** The clear value of a sealed one (a value that is not sealed is returned as it is). */
  open(field: string, value: string): string {
    if (!FieldSealer.isSealed(value)) return value;
    const dot = value.indexOf('.', SEALED_PREFIX.length);
    const keyId = dot < 0 ? '' : value.slice(SEALED_PREFIX.length, dot);
    const k = this.derived.get(keyId);
    // The key ID is not personal data; the value is never quoted.
    if (!k) throw new IdresError('SEAL_KEY_UNKNOWN', `the ${field} value was sealed under key ${keyId || '(none)'}, which is not in the keyring`);
    const body = Buffer.from(value.slice(dot + 1), 'base64url');
    if (body.length < 28) throw new IdresError('SEAL_INVALID', `the sealed ${field} value is too short`);
    try {
      const d = createDecipheriv('aes-256-gcm', k.enc, body.subarray(0, 12));
      d.setAAD(Buffer.from(field));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString('utf8');
    } catch (cause) {
      throw new IdresError('SEAL_INVALID', `the sealed ${field} value does not open under key ${keyId} (altered, or sealed for another field)`, { cause });
    }
  }

  /** A copy of `values` with every configured field sealed; the same object when none is present. */
  sealValues(values: Readonly<Record<string, string>>): Record<string, string> {
    return this.mapFields(values, (f, v) => this.seal(f, v));
  }

  /** A copy of `values` with every sealed field opened; the same object when none is sealed. */
  openValues(values: Readonly<Record<string, string>>): Record<string, string> {
    return this.mapFields(values, (f, v) => this.open(f, v));
  }

  private mapFields(values: Readonly<Record<string, string>>, fn: (field: string, value: string) => string): Record<string, string> {
    let out: Record<string, string> | undefined;
    for (const f of this.fields) {
      const v = values[f];
      if (v === undefined || v === '') continue;
      const w = fn(f, v);
      if (w !== v) (out ??= { ...values })[f] = w;
    }
    return out ?? (values as Record<string, string>);
  }
}

/**
 * A keyring from its JSON file form: `{"primary": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "..."}}`.
 * Errors name the problem, never a key.
 */
export function parseSealKeyring(json: string): SealKeyring {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new IdresError('SEAL_KEY_INVALID', 'the sealing keyring is not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw new IdresError('SEAL_KEY_INVALID', 'the sealing keyring must be an object with primary and keys');
  const { primary, keys } = doc as { primary?: unknown; keys?: unknown };
  if (typeof primary !== 'string') throw new IdresError('SEAL_KEY_INVALID', 'the sealing keyring has no primary key ID');
  if (typeof keys !== 'object' || keys === null) throw new IdresError('SEAL_KEY_INVALID', 'the sealing keyring has no keys object');
  const map = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(keys)) {
    if (typeof b64 !== 'string') throw new IdresError('SEAL_KEY_INVALID', `key ${KEY_ID.test(id) ? id : '?'} is not a base64 string`);
    map.set(id, Buffer.from(b64, 'base64'));
  }
  return { primary, keys: map };
}

/** The JSON file form of a keyring (for `idres seal-key`). */
export function formatSealKeyring(ring: SealKeyring): string {
  return `${JSON.stringify({ primary: ring.primary, keys: Object.fromEntries([...ring.keys].map(([id, k]) => [id, k.toString('base64')])) }, null, 2)}\n`;
}
