// Credential encryption: AES-256-GCM under a key named by a key id, so that keys can be rotated while old
// ciphertexts stay readable. IIQ_GRAPH_SECRET_KEY = "kid:base64key[,kid:base64key...]": the first key
// encrypts, every listed key decrypts. Keys are 32 random bytes (`openssl rand -base64 32`).
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const ENVELOPE_VERSION = 'v1';
const GCM_TAG_BYTES = 16;

export interface SecretKey {
  kid: string;
  key: Buffer;
}

export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** Decryption failed: wrong/unknown key or tampered data. Says which key id, never the data. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
}

export class Keyring {
  readonly current: SecretKey;
  private readonly byKid: Map<string, SecretKey>;

  constructor(keys: SecretKey[]) {
    if (keys.length === 0) throw new SecretKeyError('IIQ_GRAPH_SECRET_KEY holds no key');
    this.current = keys[0]!;
    this.byKid = new Map(keys.map((k) => [k.kid, k]));
    if (this.byKid.size !== keys.length) throw new SecretKeyError('IIQ_GRAPH_SECRET_KEY lists the same key id twice');
  }

  /** Parses "kid:base64key,kid2:base64key2"; messages name the position, never the key material. */
  static parse(value: string | undefined): Keyring {
    if (!value?.trim()) throw new SecretKeyError('IIQ_GRAPH_SECRET_KEY is not set (format: kid:base64key, e.g. k1:$(openssl rand -base64 32))');
    const keys = value.split(',').map((part, n) => {
      const at = part.indexOf(':');
      const kid = part.slice(0, at).trim();
      const key = Buffer.from(part.slice(at + 1).trim(), 'base64');
      if (at <= 0 || !KID.test(kid)) throw new SecretKeyError(`IIQ_GRAPH_SECRET_KEY entry ${n + 1}: expected kid:base64key with kid of letters, digits, _ or -`);
      if (key.length !== 32) throw new SecretKeyError(`IIQ_GRAPH_SECRET_KEY entry ${n + 1} (kid ${kid}): the key must be 32 bytes, base64-encoded (got ${key.length})`);
      return { kid, key };
    });
    return new Keyring(keys);
  }

  static generate(kid = 'k1'): string {
    return `${kid}:${randomBytes(32).toString('base64')}`;
  }

  has(kid: string): boolean {
    return this.byKid.has(kid);
  }

  /** `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url); aad binds the ciphertext to its row (e.g. the connection id). */
  encrypt(plaintext: string, aad: string): string {
    const { kid, key } = this.current;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}.${kid}.${aad}`));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [ENVELOPE_VERSION, kid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  decrypt(envelope: string, aad: string): string {
    const parts = envelope.split('.');
    if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) throw new DecryptError('encrypted value has an unknown format');
    const [, kid, iv, ct, tag] = parts as [string, string, string, string, string];
    const key = this.byKid.get(kid);
    if (!key) throw new DecryptError(`encrypted under key id "${kid}", which IIQ_GRAPH_SECRET_KEY does not list`);
    // only full 16-byte tags: GCM would otherwise accept a truncated tag (as short as 4 bytes), which weakens
    // the integrity check to a forgeable 32 bits
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== GCM_TAG_BYTES) throw new DecryptError(`cannot decrypt a value under key id "${kid}" (wrong key or altered data)`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: GCM_TAG_BYTES });
      decipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}.${kid}.${aad}`));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptError(`cannot decrypt a value under key id "${kid}" (wrong key or altered data)`);
    }
  }

  /** Key id of an envelope without decrypting it. */
  static kidOf(envelope: string): string | null {
    const parts = envelope.split('.');
    return parts.length === 5 ? parts[1]! : null;
  }

  /** A purpose-bound subkey (HKDF-SHA256), e.g. for signing link tokens; never the encryption key itself. */
  subkey(kid: string, purpose: string): Buffer | null {
    const k = this.byKid.get(kid);
    return k ? Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), `iiq-graph:${purpose}`, 32)) : null;
  }

  hmac(kid: string, purpose: string, data: string): Buffer | null {
    const sub = this.subkey(kid, purpose);
    return sub ? createHmac('sha256', sub).update(data).digest() : null;
  }
}

export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What APIs return in place of a secret. */
export const MASK = '********';
