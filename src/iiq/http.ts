// HTTP transport for the IIQ client: undici dispatchers (one Pool per origin, or a ProxyAgent), TLS trust,
// Basic / OAuth2 client-credentials auth, timeouts, retries with backoff and a per-call time budget.
// Every response body is read to the end or dumped; nothing here knows about SCIM resources.
import { Buffer } from 'node:buffer';
import diagnostics from 'node:diagnostics_channel';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';
import { readBodyText } from './body.ts';
import { IiqError, errorFromStatus, invalidResponse, issuesFrom } from './errors.ts';
import { scimErrorSchema } from './schemas/error.ts';
import { oauthTokenSchema } from './schemas/token.ts';
import type { IiqAuth, IiqClientOptions, IiqLogger, IiqPoolStats, IiqRetryEvent } from './types.ts';
import { LOG_CAPTURE_ENV, silentLogger as captureOnlyLogger } from '../hardening/log-capture.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  operation: string;
  method: HttpMethod;
  /** path below the SCIM base, e.g. `/Users/abc` */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** JSON body */
  body?: unknown;
  /** send credentials (ServiceProviderConfig is unauthenticated in IIQ) */
  auth?: boolean;
  signal?: AbortSignal | undefined;
  requestId?: string | undefined;
  /** non-2xx statuses the caller handles itself instead of an error (404 → null, 304 → notModified) */
  passStatuses?: readonly number[];
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** parsed JSON; undefined for an empty body */
  json: unknown;
  attempts: number;
}

const noLogger: IiqLogger = { warn() {}, info() {}, debug() {} };
/** No logger given: silent (in a test run, the log-capture file: src/hardening/log-capture.ts). */
const defaultLogger = (): IiqLogger => (process.env[LOG_CAPTURE_ENV] ? captureOnlyLogger().child({ component: 'iiq-client' }) : noLogger);

/** Every retry of every client, as an IiqRetryEvent (observability/upstream.ts counts them per connection). */
export const IIQ_RETRY_CHANNEL = 'iiq-graph:iiq:retry';
const retryChannel = diagnostics.channel(IIQ_RETRY_CHANNEL);

export const DEFAULTS = {
  connectMs: 10_000,
  headersMs: 60_000,
  bodyMs: 120_000,
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
  budgetMs: 120_000,
  maxConnections: 10,
} as const;

const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Connection-level failures worth another attempt on an idempotent request. */
const RETRY_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

// ---------------------------------------------------------------------------------------------------------
// Proxy resolution
// ---------------------------------------------------------------------------------------------------------

/** Whether NO_PROXY (comma/space separated hosts, `.suffix`, `*.suffix`, `host:port`, `*`) exempts this URL. */
export function noProxyMatches(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:\d+$|$)/g, ''));
    const name = (m?.[1] ?? entry).replace(/^\*?\./, '');
    const entryPort = m?.[2];
    if (entryPort && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** Explicit option wins (null = never); otherwise HTTPS_PROXY / HTTP_PROXY, minus NO_PROXY hosts. */
export function resolveProxy(target: URL, explicit: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (explicit === null) return null;
  if (explicit) return explicit;
  const fromEnv =
    target.protocol === 'https:'
      ? env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY
      : env.http_proxy ?? env.HTTP_PROXY;
  if (!fromEnv) return null;
  if (noProxyMatches(target, env.no_proxy ?? env.NO_PROXY)) return null;
  return fromEnv;
}

function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    return url.origin;
  } catch {
    return '(unparseable URL)';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Dispatchers
// ---------------------------------------------------------------------------------------------------------

class Dispatchers {
  private readonly pools = new Map<string, Dispatcher>();
  private proxyAgent: Dispatcher | null = null;
  private readonly proxyUri: string | null;

  constructor(private readonly opts: IiqClientOptions, base: URL, private readonly logger: IiqLogger) {
    this.proxyUri = opts.dispatcher ? null : resolveProxy(base, opts.proxy);
    if (this.proxyUri) logger.info({ proxy: redactUrl(this.proxyUri) }, 'IIQ client: routing through HTTP proxy');
    if (opts.tls?.rejectUnauthorized === false) {
      const msg = 'IIQ client: TLS certificate verification is DISABLED (tls.rejectUnauthorized=false); traffic to IIQ can be intercepted';
      logger.warn({ insecureTls: true }, msg);
      process.emitWarning(msg, { code: 'IIQ_INSECURE_TLS' });
    }
  }

  private tlsOptions() {
    const t = this.opts.tls;
    return {
      timeout: this.opts.timeouts?.connectMs ?? DEFAULTS.connectMs,
      ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}),
      ...(t?.ca !== undefined ? { ca: t.ca } : {}),
      ...(t?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    };
  }

  private common() {
    return {
      connections: this.opts.maxConnections ?? DEFAULTS.maxConnections,
      keepAliveTimeout: 10_000,
      headersTimeout: this.opts.timeouts?.headersMs ?? DEFAULTS.headersMs,
      bodyTimeout: this.opts.timeouts?.bodyMs ?? DEFAULTS.bodyMs,
    };
  }

  for(origin: string): Dispatcher {
    if (this.opts.dispatcher) return this.opts.dispatcher;
    if (this.proxyUri) {
      // ProxyAgent keeps one Pool per target origin behind the (CONNECT) tunnel.
      this.proxyAgent ??= new ProxyAgent({ uri: this.proxyUri, ...this.common(), requestTls: this.tlsOptions(), proxyTls: { timeout: this.tlsOptions().timeout, ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}) } });
      return this.proxyAgent;
    }
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { ...this.common(), connect: this.tlsOptions() });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Pool.stats of each origin's pool (a ProxyAgent or an injected dispatcher has none to show) */
  stats(): IiqPoolStats[] {
    const out: IiqPoolStats[] = [];
    for (const [origin, pool] of this.pools) {
      if (!(pool instanceof Pool)) continue;
      const { connected, free, pending, queued, running, size } = pool.stats;
      out.push({ origin, connected, free, pending, queued, running, size });
    }
    return out;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values(), ...(this.proxyAgent ? [this.proxyAgent] : [])];
    this.pools.clear();
    this.proxyAgent = null;
    await Promise.allSettled(all.map((d) => d.close()));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------------------------

interface AuthProvider {
  /** Authorization header value for the next request. */
  header(signal?: AbortSignal): Promise<string>;
  /** After a 401 made with `used`: true when one more attempt with fresh credentials makes sense. */
  renewAfter401(used: string): boolean;
}

class BasicAuth implements AuthProvider {
  private readonly value: string;
  constructor(username: string, password: string) {
    this.value = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }
  header(): Promise<string> {
    return Promise.resolve(this.value);
  }
  renewAfter401(): boolean {
    return false;
  }
}

/** Token URL from the base URL's context root: …/identityiq/scim/v2 → …/identityiq/oauth2/token (reference §1). */
export function deriveTokenUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  const path = u.pathname.replace(/\/+$/, '');
  const m = /^(.*)\/scim\/v2$/i.exec(path);
  if (!m) {
    throw new TypeError('IIQ OAuth2: cannot derive the token URL because baseUrl does not end in /scim/v2; set auth.tokenUrl');
  }
  return `${u.origin}${m[1]}/oauth2/token`;
}

class OAuthTokens implements AuthProvider {
  private token: { header: string; refreshAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly tokenUrl: URL;
  private readonly basic: string;

  constructor(
    auth: Extract<IiqAuth, { kind: 'oauth2' }>,
    baseUrl: string,
    private readonly dispatchers: Dispatchers,
    private readonly opts: IiqClientOptions,
    private readonly logger: IiqLogger,
  ) {
    this.tokenUrl = new URL(auth.tokenUrl ?? deriveTokenUrl(baseUrl));
    // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
    const id = encodeURIComponent(auth.clientId);
    const secret = encodeURIComponent(auth.clientSecret);
    this.basic = `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
  }

  async header(signal?: AbortSignal): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.header;
    // single flight: concurrent callers share one token request; each may still abort its own wait
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = null;
    });
    return abortable(this.inflight, signal, 'oauth2Token');
  }

  renewAfter401(used: string): boolean {
    if (this.token?.header === used) this.token = null;
    return true;
  }

  private async fetchToken(): Promise<string> {
    const operation = 'oauth2Token';
    const started = Date.now();
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await this.dispatchers.for(this.tokenUrl.origin).request({
        origin: this.tokenUrl.origin,
        path: `${this.tokenUrl.pathname}${this.tokenUrl.search}`,
        method: 'POST',
        headers: {
          authorization: this.basic,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': this.opts.userAgent ?? 'iiq-graph',
        },
        body: 'grant_type=client_credentials',
        headersTimeout: this.opts.timeouts?.headersMs ?? DEFAULTS.headersMs,
        bodyTimeout: this.opts.timeouts?.bodyMs ?? DEFAULTS.bodyMs,
      });
      text = await res.body.text();
    } catch (err) {
      throw transportError(operation, err, 1);
    }
    // The token POST is not retried: a POST is never retried by this client.
    if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
      throw new IiqError({
        kind: 'unauthorized',
        operation,
        status: res.statusCode,
        attempts: 1,
        message: `IIQ refused the OAuth2 client-credentials token request (HTTP ${res.statusCode}): check clientId/clientSecret and that the API client's proxy user exists`,
      });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) throw errorFromStatus(operation, res.statusCode, {}, 1);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidResponse(operation, 'token response is not JSON', { status: res.statusCode });
    }
    const parsed = oauthTokenSchema.safeParse(json);
    if (!parsed.success) throw invalidResponse(operation, 'token response has an unexpected shape', { status: res.statusCode, issues: issuesFrom(parsed.error.issues) });
    const ttlMs = (parsed.data.expires_in ?? 300) * 1000;
    // refresh before expiry: 10 % of the lifetime, at most a minute early
    const early = Math.min(60_000, ttlMs * 0.1);
    const header = `Bearer ${parsed.data.access_token}`;
    this.token = { header, refreshAt: started + ttlMs - early };
    this.logger.debug({ expiresInSeconds: ttlMs / 1000 }, 'IIQ client: OAuth2 token obtained');
    return header;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

function abortedError(operation: string, attempts?: number): IiqError {
  return new IiqError({ kind: 'aborted', operation, message: `${operation} was aborted by the caller`, ...(attempts ? { attempts } : {}) });
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, operation: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortedError(operation));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(operation));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function errCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  return errCode(e.cause);
}

function transportError(operation: string, err: unknown, attempts: number): IiqError {
  if (err instanceof IiqError) return err;
  const code = errCode(err) ?? 'UNKNOWN';
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (TIMEOUT_CODES.has(code)) {
    return new IiqError({ kind: 'upstreamUnavailable', operation, code, attempts, message: `IIQ did not answer ${operation} in time (${code})${tries}`, cause: err });
  }
  return new IiqError({ kind: 'transport', operation, code, attempts, message: `transport failure talking to IIQ in ${operation} (${code})${tries}`, cause: err });
}

/** Retry-After as milliseconds (delta-seconds or HTTP-date, RFC 9110 §10.2.3); null when absent/unparseable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---------------------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------------------

export class IiqHttp {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatchers: Dispatchers;
  private readonly auth: AuthProvider;
  private readonly logger: IiqLogger;
  private readonly retry: Required<NonNullable<IiqClientOptions['retry']>>;

  constructor(private readonly opts: IiqClientOptions) {
    const u = new URL(opts.baseUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError('IIQ baseUrl must be an http(s) URL');
    if (u.username || u.password) throw new TypeError('IIQ baseUrl must not carry credentials; use the auth option');
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.baseUrl = `${this.origin}${this.basePath}`;
    this.logger = opts.logger ?? defaultLogger();
    this.dispatchers = new Dispatchers(opts, u, this.logger);
    this.auth =
      opts.auth.kind === 'basic'
        ? new BasicAuth(opts.auth.username, opts.auth.password)
        : new OAuthTokens(opts.auth, this.baseUrl, this.dispatchers, opts, this.logger);
    const r = opts.retry ?? {};
    this.retry = {
      maxAttempts: Math.max(1, r.maxAttempts ?? DEFAULTS.maxAttempts),
      baseDelayMs: r.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: r.maxDelayMs ?? DEFAULTS.maxDelayMs,
      maxRetryAfterMs: r.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
      budgetMs: r.budgetMs ?? DEFAULTS.budgetMs,
    };
  }

  /** Full path (base path + resource path + query) — exposed for URL-length accounting. */
  pathFor(path: string, query?: HttpRequest['query']): string {
    return `${this.basePath}${path}${queryString(query)}`;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const { operation, method } = req;
    const headers: Record<string, string> = {
      accept: 'application/scim+json',
      'user-agent': this.opts.userAgent ?? 'iiq-graph',
      ...(req.requestId ? { 'x-request-id': req.requestId } : {}),
      ...lowerKeys(req.headers),
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/scim+json';
    }
    // RFC 9110 §9.2.2: GET is idempotent; PUT/DELETE are safe to repeat only under a precondition.
    const idempotent = method === 'GET' || ((method === 'PUT' || method === 'DELETE') && headers['if-match'] !== undefined);
    const path = this.pathFor(req.path, req.query);
    const started = Date.now();
    const deadline = started + this.retry.budgetMs;

    // Per-call budget: one timer aborts the in-flight attempt; caller aborts are forwarded.
    const ctl = new AbortController();
    const budgetTimer = setTimeout(() => ctl.abort(new Error('budget')), this.retry.budgetMs);
    budgetTimer.unref?.();
    const onCallerAbort = () => ctl.abort(new Error('caller'));
    if (req.signal?.aborted) {
      clearTimeout(budgetTimer);
      throw abortedError(operation);
    }
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });

    let attempts = 0;
    let retries = 0;
    let renewedAuth = false;
    try {
      for (;;) {
        attempts++;
        let usedAuth: string | undefined;
        let status: number;
        let resHeaders: Dispatcher.ResponseData['headers'];
        let text: string;
        try {
          if (req.auth !== false) {
            usedAuth = await this.auth.header(ctl.signal);
            headers.authorization = usedAuth;
          }
          const res = await this.dispatchers.for(this.origin).request({
            origin: this.origin,
            path,
            method,
            headers,
            body,
            signal: ctl.signal,
            headersTimeout: this.opts.timeouts?.headersMs ?? DEFAULTS.headersMs,
            bodyTimeout: this.opts.timeouts?.bodyMs ?? DEFAULTS.bodyMs,
          });
          status = res.statusCode;
          resHeaders = res.headers;
          if (status === 204 || status === 304) {
            await res.body.dump();
            text = '';
          } else {
            text = await readBodyText(res.body);
          }
        } catch (err) {
          if (req.signal?.aborted) throw abortedError(operation, attempts);
          if (ctl.signal.aborted) throw this.budgetError(operation, attempts);
          if (err instanceof IiqError) {
            if (err.kind === 'aborted' && req.signal?.aborted) throw abortedError(operation, attempts);
            throw err;
          }
          const code = errCode(err);
          if (idempotent && code !== undefined && RETRY_CODES.has(code) && retries + 1 < this.retry.maxAttempts) {
            const delay = this.backoff(retries, null);
            if (Date.now() + delay < deadline) {
              retries++;
              this.notifyRetry({ operation, method, reason: TIMEOUT_CODES.has(code) ? 'timeout' : 'connection', code, attempt: attempts, delayMs: delay });
              this.logger.debug({ operation, code, attempt: attempts, delayMs: delay }, 'IIQ client: retrying after a connection error');
              await this.pause(delay, ctl.signal, req.signal, operation, attempts);
              continue;
            }
          }
          throw transportError(operation, err, attempts);
        }

        if (status === 401 && usedAuth !== undefined && !renewedAuth && this.auth.renewAfter401(usedAuth)) {
          // an expired or revoked bearer token: fetch a fresh one and try exactly once more
          renewedAuth = true;
          this.notifyRetry({ operation, method, reason: 'token_renewal', status, attempt: attempts, delayMs: 0 });
          this.logger.debug({ operation }, 'IIQ client: 401 with a bearer token, refreshing it once');
          continue;
        }

        if (RETRY_STATUSES.has(status) && idempotent && retries + 1 < this.retry.maxAttempts) {
          const retryAfter = parseRetryAfter(resHeaders['retry-after']);
          const delay = this.backoff(retries, retryAfter);
          if (Date.now() + delay < deadline) {
            retries++;
            this.notifyRetry({ operation, method, reason: 'status', status, attempt: attempts, delayMs: delay });
            this.logger.debug({ operation, status, attempt: attempts, delayMs: delay }, 'IIQ client: retrying');
            await this.pause(delay, ctl.signal, req.signal, operation, attempts);
            continue;
          }
        }

        this.logger.debug({ operation, method, status, attempts, ms: Date.now() - started }, 'IIQ request');
        const ok = (status >= 200 && status < 300) || status === 304 || (req.passStatuses?.includes(status) ?? false);
        if (!ok) throw errorFromStatus(operation, status, parseScimError(text), attempts);
        let json: unknown;
        if (text.length > 0) {
          try {
            json = JSON.parse(text);
          } catch {
            throw invalidResponse(operation, `HTTP ${status} body is not valid JSON`, { status, attempts });
          }
        }
        return { status, headers: resHeaders, json, attempts };
      }
    } finally {
      clearTimeout(budgetTimer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** The pools' stats now (IiqClient.poolStats). */
  poolStats(): IiqPoolStats[] {
    return this.dispatchers.stats();
  }

  /** Tells the observer and the diagnostics channel; runs in the caller's async context (its span, its scope). */
  private notifyRetry(event: IiqRetryEvent): void {
    try {
      this.opts.onRetry?.(event);
    } catch {
      // an observer never breaks a request
    }
    if (retryChannel.hasSubscribers) retryChannel.publish(event);
  }

  private budgetError(operation: string, attempts: number): IiqError {
    return new IiqError({
      kind: 'upstreamUnavailable',
      operation,
      attempts,
      code: 'IIQ_BUDGET_EXHAUSTED',
      message: `IIQ did not complete ${operation} within the ${this.retry.budgetMs} ms time budget (${attempts} attempts)`,
    });
  }

  private async pause(ms: number, budget: AbortSignal, caller: AbortSignal | undefined, operation: string, attempts: number): Promise<void> {
    try {
      await sleep(ms, budget);
    } catch {
      if (caller?.aborted) throw abortedError(operation, attempts);
      throw this.budgetError(operation, attempts);
    }
  }

  /** Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"); Retry-After wins, capped. */
  private backoff(retryIndex: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(retryAfterMs, this.retry.maxRetryAfterMs);
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** retryIndex);
    return Math.floor(Math.random() * ceiling);
  }

  close(): Promise<void> {
    return this.dispatchers.close();
  }
}

function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function parseScimError(text: string): { scimType?: string; detail?: string } {
  if (!text) return {};
  try {
    const parsed = scimErrorSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return {};
    return {
      ...(parsed.data.scimType ? { scimType: parsed.data.scimType } : {}),
      ...(parsed.data.detail ? { detail: parsed.data.detail.slice(0, 500) } : {}),
    };
  } catch {
    return {};
  }
}
