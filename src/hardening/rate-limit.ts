// Rate limits per API key (the presented bearer key, hashed; the client address when there is none) and per
// connection, from rate-limiter-flexible: in memory by default, shared by all gateway instances through Redis
// when REDIS_URL is set (an in-memory limiter takes over while Redis is unreachable). 429 + Retry-After.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import cluster from 'node:cluster';
import { RateLimiterCluster, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Plugin } from 'graphql-yoga';
import { errorResponse } from '../rest/http.ts';
import { ConnectionError } from '../connections/service.ts';
import type { LinkedAccounts } from '../tenancy/linked.ts';
import type { HardeningConfig } from './config.ts';

export interface RateLimits {
  plugin: Plugin;
  /** 'memory' or 'redis' */
  readonly store: 'memory' | 'redis';
  close(): Promise<void>;
}

const WINDOW_SECONDS = 60;

const hashKey = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 24);

function limiter(points: number, keyPrefix: string, redis: Redis | null): RateLimiterAbstract {
  const opts = { points, duration: WINDOW_SECONDS, keyPrefix };
  // cluster mode (WEB_CONCURRENCY > 1) without Redis: the primary counts for every worker (src/cluster.ts)
  if (!redis) return cluster.isWorker ? new RateLimiterCluster({ ...opts, timeoutMs: 3_000 }) : new RateLimiterMemory(opts);
  return new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(opts) });
}

function remoteAddress(serverContext: unknown): string {
  const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
  return req?.socket?.remoteAddress ?? 'unknown';
}

export function createRateLimits(h: HardeningConfig, linked: LinkedAccounts | undefined, onError: (err: unknown) => void): RateLimits {
  const redis = h.redisUrl
    ? new Redis(h.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false })
    : null;
  // ioredis reports connection errors as events; without a listener they would be unhandled
  redis?.on('error', onError);
  const perKey = h.rateLimitPerMinute > 0 ? limiter(h.rateLimitPerMinute, `${h.rateLimitKeyPrefix}:key`, redis) : null;
  const perConnection = h.connectionRateLimitPerMinute > 0 ? limiter(h.connectionRateLimitPerMinute, `${h.rateLimitKeyPrefix}:conn`, redis) : null;

  /**
   * Linked accounts: the connection a request will use when its key is valid (null otherwise: the route answers),
   * or 'unauthenticated' for a key that is not valid — counted per client address, so that spraying guessed keys
   * (each its own per-key bucket) is limited too.
   */
  async function connectionOf(request: Request): Promise<string | null | 'unauthenticated'> {
    if (!linked) return 'single';
    let principal: Awaited<ReturnType<LinkedAccounts['authenticate']>>;
    try {
      principal = await linked.authenticate(request);
    } catch (err) {
      return err instanceof ConnectionError && err.code === 'UNAUTHENTICATED' ? 'unauthenticated' : null;
    }
    if (principal.kind !== 'tenant') return null;
    try {
      return (await linked.selectRecord({ tenantId: principal.tenantId, actor: principal.actor }, request)).id;
    } catch {
      return null;
    }
  }

  async function consume(l: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
    try {
      await l.consume(key);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return rejection;
      onError(rejection); // a store failure with no insurance left: let the request through
      return null;
    }
  }

  function tooMany(url: URL, res: RateLimiterRes, scope: 'apiKey' | 'connection', limit: number): Response {
    const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    const message = scope === 'apiKey' ? `rate limit of ${limit} requests per minute for this API key exceeded` : `rate limit of ${limit} requests per minute for this connection exceeded`;
    const headers = { 'retry-after': String(retryAfter), 'ratelimit-limit': String(limit), 'ratelimit-remaining': '0', 'ratelimit-reset': String(retryAfter) };
    if (url.pathname === '/graphql') {
      return new Response(JSON.stringify({ errors: [{ message, extensions: { code: 'RATE_LIMITED', scope, retryAfter } }] }), {
        status: 429,
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      });
    }
    const r = errorResponse(429, 'RATE_LIMITED', message, { scope, retryAfter });
    for (const [k, v] of Object.entries(headers)) r.headers.set(k, v);
    return r;
  }

  const plugin: Plugin = {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname === '/healthz' || request.method === 'OPTIONS') return;
      const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (perKey) {
        const rejected = await consume(perKey, bearer ? `k:${hashKey(bearer)}` : `ip:${remoteAddress(serverContext)}`);
        if (rejected) return endResponse(tooMany(url, rejected, 'apiKey', h.rateLimitPerMinute));
      }
      if ((perConnection || perKey) && (bearer || !linked) && !url.pathname.startsWith('/admin')) {
        const connectionId = await connectionOf(request);
        if (connectionId === 'unauthenticated') {
          const rejected = perKey ? await consume(perKey, `bad-key:${remoteAddress(serverContext)}`) : null;
          if (rejected) return endResponse(tooMany(url, rejected, 'apiKey', h.rateLimitPerMinute));
        } else if (connectionId && perConnection) {
          const rejected = await consume(perConnection, `c:${connectionId}`);
          if (rejected) return endResponse(tooMany(url, rejected, 'connection', h.connectionRateLimitPerMinute));
        }
      }
    },
  };

  return {
    plugin,
    store: redis ? 'redis' : 'memory',
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
