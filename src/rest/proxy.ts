// `/proxy/scim/v2/*`: a 1-to-1 pass-through to the chosen connection's SCIM base with its credentials
// injected. Streams both ways; forwards only end-to-end headers it knows (never the caller's Authorization,
// cookies or hop-by-hop headers, RFC 9110 §7.6.1); refuses paths that could leave the SCIM base.
import { Readable, Transform } from 'node:stream';
import { Agent, ProxyAgent, request as undiciRequest, type Dispatcher } from 'undici';
import { z } from 'zod';
import { deriveTokenUrl, resolveProxy } from '../iiq/http.ts';
import type { CacheInvalidator } from '../cache/read-cache.ts';
import type { ConnectionTarget } from '../connections/service.ts';
import { errorResponse } from './http.ts';

export const PROXY_PREFIX = '/proxy/scim/v2';

const FORWARD_REQUEST_HEADERS = ['accept', 'accept-language', 'content-type', 'content-length', 'if-match', 'if-none-match', 'x-request-id'];
const DROP_RESPONSE_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'set-cookie', 'www-authenticate', 'content-length',
]);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The part after the prefix, exactly as sent; null when it could leave the SCIM base. */
export function safeSubpath(rawPath: string): string | null {
  const sub = rawPath.slice(PROXY_PREFIX.length);
  if (sub !== '' && !sub.startsWith('/')) return null; // /proxy/scim/v2evil
  // encoded separators and dots are refused outright: upstream servers decode them differently (CVE-2007-0450 class)
  if (/%2e|%2f|%5c|%00|\\/i.test(sub)) return null;
  // path parameters are refused outright, raw or encoded: Tomcat (IdentityIQ's container) strips `;params` from
  // each segment before it resolves dot segments, so `..;/..;/rest` would leave the SCIM base. SCIM paths never
  // need `;` (ids are GUIDs, filters travel in the query), so there is nothing legitimate to lose.
  if (/;|%3b/i.test(sub)) return null;
  const segments = sub.split('/').slice(1);
  // belt and braces: a segment whose part before any `;` is a dot segment
  if (segments.some((s) => { const name = s.split(';', 1)[0]; return name === '..' || name === '.'; })) return null;
  if (sub.startsWith('//') || /^\/[a-z][a-z0-9+.-]*:/i.test(sub)) return null; // //host or /http://host
  return sub;
}

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().optional() });

/** the token request may take this long for its response headers, and as long again for its body */
const TOKEN_TIMEOUT_MS = 15_000;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** A token request that failed, already as the unified error answer (never carries the token body). */
class TokenFailure extends Error {
  constructor(readonly response: Response) {
    super('the OAuth2 token request failed');
  }
}

/** Per-connection upstream for the proxy: its own pool (TLS trust, proxy) and OAuth2 token. */
export class ProxyUpstream {
  private readonly dispatcher: Dispatcher;
  private token: { header: string; refreshAt: number } | null = null;
  private tokenLoading: Promise<string> | null = null;
  private readonly tokenTimeoutMs: number;
  readonly base: URL;

  constructor(
    private readonly target: ConnectionTarget,
    /** single-connection mode's IIQ_TLS_INSECURE (linked connections always verify) */
    options: { rejectUnauthorized?: boolean; tokenTimeoutMs?: number } = {},
  ) {
    this.tokenTimeoutMs = options.tokenTimeoutMs ?? TOKEN_TIMEOUT_MS;
    this.base = new URL(target.baseUrl.replace(/\/+$/, ''));
    const connect = { ...(target.caBundle ? { ca: target.caBundle } : {}), ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}), ...(target.lookup ? { lookup: target.lookup } : {}) };
    // as the IIQ client does: the connection's proxy, else HTTPS_PROXY / HTTP_PROXY minus NO_PROXY
    const proxy = resolveProxy(this.base, target.secret.proxyUrl ?? undefined);
    this.dispatcher = proxy ? new ProxyAgent({ uri: proxy, requestTls: connect, ...(target.lookup ? { proxyTls: { lookup: target.lookup } } : {}) }) : new Agent({ connect, connections: 8 });
  }

  private async authorization(force = false): Promise<string> {
    const auth = this.target.secret.auth;
    if (auth.kind === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (!force && this.token && Date.now() < this.token.refreshAt) return this.token.header;
    return (this.tokenLoading ??= this.fetchToken(auth).finally(() => (this.tokenLoading = null)));
  }

  private async fetchToken(auth: { clientId: string; clientSecret: string; tokenUrl?: string | undefined }): Promise<string> {
    const url = new URL(auth.tokenUrl ?? deriveTokenUrl(this.target.baseUrl));
    const upstream = { operation: 'oauth2Token' };
    let status: number;
    let text: string;
    try {
      const res = await undiciRequest(url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        headersTimeout: this.tokenTimeoutMs,
        bodyTimeout: this.tokenTimeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      // transport failure: names the error code only (its message may carry the URL; never the body)
      const code = (err as { code?: string }).code;
      const timeout = code !== undefined && TIMEOUT_CODES.has(code);
      throw new TokenFailure(errorResponse(timeout ? 504 : 502, 'UPSTREAM_UNAVAILABLE', timeout ? 'the IdentityIQ OAuth2 token endpoint did not answer in time' : 'the IdentityIQ OAuth2 token endpoint could not be reached', { upstream, ...(code ? { transport: code } : {}) }, true));
    }
    if (status === 400 || status === 401 || status === 403) {
      throw new TokenFailure(errorResponse(502, 'UPSTREAM_UNAUTHORIZED', 'IdentityIQ refused the OAuth2 client credentials of this connection', { upstream: { ...upstream, status } }, true));
    }
    if (status !== 200) {
      throw new TokenFailure(errorResponse(502, 'UPSTREAM_UNAVAILABLE', `the IdentityIQ OAuth2 token endpoint answered HTTP ${status}`, { upstream: { ...upstream, status } }, true));
    }
    // parsed without echoing the body: JSON.parse's SyntaxError quotes the text it choked on
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) {
      throw new TokenFailure(errorResponse(502, 'UPSTREAM_INVALID_RESPONSE', 'the IdentityIQ OAuth2 token endpoint sent a response the gateway cannot read', { upstream: { ...upstream, status } }, true));
    }
    const ttl = (parsed.data.expires_in ?? 300) * 1000;
    const header = `Bearer ${parsed.data.access_token}`;
    this.token = { header, refreshAt: Date.now() + ttl - Math.min(60_000, ttl / 10) };
    return header;
  }

  async forward(request: Request, url: URL, subpath: string, maxBody: number): Promise<Response> {
    const method = request.method.toUpperCase();
    if (!METHODS.has(method)) return errorResponse(405, 'METHOD_NOT_ALLOWED', `the proxy forwards ${[...METHODS].join(', ')}`);
    const declared = request.headers.get('content-length');
    if (declared !== null && Number(declared) > maxBody) return errorResponse(413, 'PAYLOAD_TOO_LARGE', `the body exceeds ${maxBody} bytes`);

    const headers: Record<string, string> = {};
    for (const name of FORWARD_REQUEST_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    headers['x-forwarded-by'] = 'iiq-graph';

    let tooLarge = false;
    const hasBody = request.body !== null && method !== 'GET' && method !== 'DELETE';
    const body = hasBody ? Readable.from(chunksOf(request.body!)).pipe(limit(maxBody, () => (tooLarge = true))) : null;
    // a bearer token may have expired: retry once with a fresh one, but only when no body was streamed
    for (let attempt = 0; ; attempt++) {
      let authorization: string;
      try {
        authorization = await this.authorization(attempt > 0);
      } catch (err) {
        // a refused, unreachable or garbled token request is the upstream's failure, not a masked 500
        if (err instanceof TokenFailure) return err.response.clone();
        throw err;
      }
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(new URL(`${this.base.pathname}${subpath}${url.search}`, this.base.origin), {
          method: method as Dispatcher.HttpMethod,
          dispatcher: this.dispatcher,
          headers: { ...headers, authorization },
          ...(body ? { body } : {}),
          signal: request.signal,
        });
      } catch (err) {
        if (tooLarge) return errorResponse(413, 'PAYLOAD_TOO_LARGE', `the body exceeds ${maxBody} bytes`);
        const code = (err as { code?: string }).code;
        return errorResponse(502, 'UPSTREAM_UNAVAILABLE', 'IdentityIQ could not be reached', code ? { transport: code } : {}, true);
      }
      if (res.statusCode === 401 && this.target.secret.auth.kind === 'oauth2' && attempt === 0 && !body) {
        await res.body.dump();
        continue;
      }
      const out = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined || DROP_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
        for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
      }
      const stream = res.statusCode === 204 || res.statusCode === 304 || method === 'HEAD' ? null : (Readable.toWeb(res.body) as ReadableStream<Uint8Array>);
      if (!stream) await res.body.dump();
      return new Response(stream, { status: res.statusCode, headers: out });
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** Reads any WHATWG stream (Yoga hands over a ponyfill, which Readable.fromWeb refuses). */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Fails the stream once more than `max` bytes passed. */
function limit(max: number, onExceeded: () => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) {
        onExceeded();
        done(new Error('request body too large'));
      } else done(null, chunk);
    },
  });
}

/** What a write through the proxy may have changed, for the read cache: one user or role, the lists, or anything. */
export type ProxyWriteTarget = { kind: 'user'; id: string } | { kind: 'role'; id: string } | { kind: 'lists' } | { kind: 'all' };

/**
 * null for reads and for answers that say nothing changed (4xx); a write that IIQ did not refuse (2xx, or a 5xx
 * or transport failure after which it may still have been applied) touched the target its path names.
 */
export function proxyWriteTarget(method: string, subpath: string, status: number): ProxyWriteTarget | null {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || (status >= 400 && status < 500)) return null;
  const segments = subpath.split('/').filter(Boolean);
  if (segments[0] === 'Users' && segments.length === 1 && m === 'POST') return { kind: 'lists' };
  if ((segments[0] === 'Users' || segments[0] === 'Roles') && segments.length === 2 && m !== 'POST') {
    try {
      return { kind: segments[0] === 'Users' ? 'user' : 'role', id: decodeURIComponent(segments[1]!) };
    } catch {
      return { kind: 'all' };
    }
  }
  // a new role: no cached entry names it yet, but pages and responses may list roles
  if (segments[0] === 'Roles' && segments.length === 1 && m === 'POST') return { kind: 'lists' };
  // accounts, entitlements, /Bulk, anything else: which users changed cannot be known from the path
  return { kind: 'all' };
}

/** Drops what a proxied write touched from the connection's read cache (and moves its response generation on). */
export async function invalidateAfterProxyWrite(cache: CacheInvalidator | null, target: ProxyWriteTarget | null): Promise<void> {
  if (!cache || !target) return;
  if (target.kind === 'user') await cache.invalidateUser(target.id);
  else if (target.kind === 'role') await cache.invalidateRole(target.id);
  else if (target.kind === 'lists') await cache.invalidateLists();
  else await cache.invalidateAll();
}
