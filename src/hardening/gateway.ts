// Everything hardening adds to createApp, assembled once: GraphQL request limits, body limits, rate limits,
// the per-connection upstream guard (single-connection mode; linked accounts keep theirs in the registry) and the
// routes that show a connection's upstream state.
import type { ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { GatewayConfig } from '../config.ts';
import type { Logger } from '../graphql/logger.ts';
import type { IiqClient } from '../iiq/types.ts';
import { ConnectionError, notFound } from '../connections/service.ts';
import { json, toErrorResponse } from '../rest/http.ts';
import type { ProxyUpstream } from '../rest/proxy.ts';
import type { LinkedAccounts } from '../tenancy/linked.ts';
import { DEFAULT_HARDENING } from './config.ts';
import { bodyLimit, graphqlLimits } from './graphql-limits.ts';
import { createRateLimits } from './rate-limit.ts';
import { UpstreamGuard, guardClient, guardProxy, type UpstreamStatus } from './upstream-guard.ts';

export interface Hardening {
  /** goes first in Yoga's plugin list (before the REST routes) */
  plugins: Plugin[];
  batching: false | { limit: number };
  /** single-connection mode: the client and proxy behind the connection's guard */
  guardClient(client: IiqClient): IiqClient;
  guardProxy(proxy: ProxyUpstream): ProxyUpstream;
  /** single-connection mode's guard */
  readonly guard: UpstreamGuard;
  readonly rateLimitStore: 'memory' | 'redis';
  close(): Promise<void>;
}

const idleStatus = (guard: UpstreamGuard | undefined, limits: GatewayConfig['hardening']): UpstreamStatus =>
  guard?.status() ?? {
    circuit: 'closed', inFlight: 0, queued: 0, concurrency: limits!.upstream.concurrency, queueLimit: limits!.upstream.queue,
    openedAt: null, retryAfterSeconds: null, failures: 0, rejected: 0,
  };

/**
 * A streamed proxy answer whose upstream body fails half-way (IIQ reset, truncated) cannot change its status any
 * more; the server adapter would log the error and leave the client waiting. Destroying the socket tells the
 * client at once that the body is incomplete.
 */
function abortBrokenStreams(): Plugin {
  return {
    onResponse({ request, response, serverContext, setResponse }) {
      if (!response.body || !new URL(request.url).pathname.startsWith('/proxy/')) return;
      const reader = response.body.getReader();
      const res = (serverContext as { res?: ServerResponse } | undefined)?.res;
      // Node's own stream and Response: the server adapter's ponyfill stream re-emits errors on a listener-less Readable
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const { done, value } = await reader.read();
            if (done) controller.close();
            else controller.enqueue(value);
          } catch {
            // not controller.error(): the adapter's Node stream would emit it with no listener and end the process
            res?.destroy();
            controller.close();
          }
        },
        cancel: (reason) => reader.cancel(reason),
      });
      setResponse(new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
    },
  };
}

export function createHardening(deps: { config: GatewayConfig; linked?: LinkedAccounts | undefined; logger: Logger }): Hardening {
  const h = deps.config.hardening ?? DEFAULT_HARDENING;
  const { linked, logger } = deps;
  const guard = new UpstreamGuard(h.upstream);
  let redisWarned = false;
  const rate = createRateLimits(h, linked, (err) => {
    if (redisWarned) return;
    redisWarned = true; // once: an unreachable Redis would otherwise log on every reconnect
    logger.warn({ err: (err as Error).message }, 'rate limiting: Redis unavailable; limiting in memory until it is back');
  });
  const limits = graphqlLimits(h, deps.config.pageSize.default);

  /** GET /healthz/upstream (single connection) and GET /api/connections/{id}/upstream (linked accounts). */
  const upstreamStatus: Plugin = {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET') return;
      if (!linked && url.pathname === '/healthz/upstream') return endResponse(json(guard.status()));
      const m = linked ? /^\/api\/connections\/([^/]+)\/upstream$/.exec(url.pathname) : null;
      if (!m || !linked) return;
      try {
        const caller = await linked.tenant(request);
        const record = await linked.service.store.getConnection(caller.tenantId, decodeURIComponent(m[1]!));
        if (!record) throw notFound();
        endResponse(json({ connectionId: record.id, ...idleStatus(linked.registry.guards.get(record.id), h) }));
      } catch (err) {
        endResponse(toErrorResponse(err) ?? toErrorResponse(new ConnectionError('BAD_USER_INPUT', 'invalid connection id'))!);
      }
    },
  };

  return {
    plugins: [bodyLimit(h.maxBodyBytes, (p) => p.startsWith('/proxy/')), rate.plugin, upstreamStatus, abortBrokenStreams(), ...limits.plugins],
    batching: limits.batching,
    guardClient: (client) => guardClient(client, guard),
    guardProxy: (proxy) => guardProxy(proxy, guard),
    guard,
    rateLimitStore: rate.store,
    close: () => rate.close(),
  };
}
