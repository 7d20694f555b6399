// Connection cursors: an offset bound to a fingerprint of the query (filter, order, scope), authenticated
// with an HMAC so that edited, foreign or garbage cursors are rejected as BAD_USER_INPUT. Authenticated, not
// encrypted: the offset is readable after base64 decoding (it grants nothing); clients must not parse it.
//
// The MAC key is secret and per connection (cursorKey): a subkey of IIQ_GRAPH_SECRET_KEY's current key when
// that is set, else random bytes drawn once per process. Without IIQ_GRAPH_SECRET_KEY, cursors therefore do
// not survive a restart and are not accepted by another replica; with it, they do until the key is rotated.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Keyring } from '../connections/secrets.ts';
import { badUserInput } from './errors.ts';

const VERSION = 'c1';

/** Deterministic JSON (sorted keys) of whatever identifies a list: same list => same fingerprint. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

export function fingerprint(scope: unknown): string {
  return createHash('sha256').update(stableJson(scope)).digest('base64url').slice(0, 16);
}

/** drawn once per process: the root of cursor keys when IIQ_GRAPH_SECRET_KEY is not set */
let processRoot: Buffer | undefined;

/**
 * The MAC key of one connection's cursors: HMAC(root, identity), where root is the HKDF subkey "cursor" of
 * IIQ_GRAPH_SECRET_KEY's current key, or per-process random bytes without it. `identity` names the connection
 * (tenant, connection id, base URL), so a cursor of connection A is refused on B. Never derived from public data.
 */
export function cursorKey(identity: string, secretKey?: string | undefined): Buffer {
  let root: Buffer;
  if (secretKey) {
    const ring = Keyring.parse(secretKey);
    root = ring.subkey(ring.current.kid, 'cursor')!;
  } else {
    root = processRoot ??= randomBytes(32);
  }
  return createHmac('sha256', root).update(`iiq-graph cursor|${identity}`).digest();
}

export class CursorCodec {
  private readonly key: Buffer;

  /** @param key a secret MAC key of at least 32 bytes, normally from cursorKey() */
  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('the cursor key must be at least 32 bytes');
    this.key = key;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }

  encode(offset: number, fp: string): string {
    const payload = `${VERSION}:${offset}:${fp}`;
    return Buffer.from(`${payload}:${this.mac(payload)}`, 'utf8').toString('base64url');
  }

  /** The offset in the cursor; throws BAD_USER_INPUT for anything this list did not issue. */
  decode(cursor: string, fp: string, argument: 'after' | 'before'): number {
    const invalid = () => badUserInput(`${argument} is not a cursor of this list (it is malformed, edited, or from another query)`, { argument });
    if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
    if (parts.length !== 4) throw invalid();
    const [version, offsetText, cursorFp, mac] = parts as [string, string, string, string];
    const payload = `${version}:${offsetText}:${cursorFp}`;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (version !== VERSION || given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    if (cursorFp !== fp) throw invalid();
    if (!/^(0|[1-9][0-9]{0,8})$/.test(offsetText)) throw invalid();
    return Number(offsetText);
  }
}
