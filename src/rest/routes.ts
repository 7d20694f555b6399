// Every non-GraphQL route of linked accounts, as one Yoga plugin: the admin API, the management API, the
// unified REST face and its OpenAPI document, the SCIM proxy and the connect page.
import type { Plugin } from 'graphql-yoga';
import { createInvalidator } from '../cache/read-cache.ts';
import { acquireCacheStore } from '../cache/store.ts';
import type { CacheConfig } from '../config.ts';
import { ConnectionError, type Caller } from '../connections/service.ts';
import type { GatewayConnection } from '../graphql/context.ts';
import type { Logger } from '../graphql/logger.ts';
import type { LinkedAccounts } from '../tenancy/linked.ts';
import { CONNECT_CSS, CONNECT_HTML, CONNECT_JS } from './connect-page.ts';
import { errorResponse, json, readJson, toErrorResponse } from './http.ts';
import { UNIFIED_OPENAPI } from './openapi.ts';
import { invalidateAfterProxyWrite, PROXY_PREFIX, proxyWriteTarget, safeSubpath, type ProxyUpstream, type ProxyWriteTarget } from './proxy.ts';
import { handleUnified, UNIFIED_PREFIX } from './unified.ts';

export interface RestOptions {
  /** linked-accounts mode: API keys, tenants' connections */
  linked?: LinkedAccounts | undefined;
  /** single-connection mode (no keys; loopback only): the one connection and, when known, its proxy upstream */
  single?: { conn: GatewayConnection; proxy?: ProxyUpstream | undefined } | undefined;
  logger: Logger;
  /** request bodies through the proxy are cut off above this (413); default 1 MiB */
  proxyMaxBodyBytes?: number | undefined;
  /** the read cache (linked accounts: writes through the proxy invalidate the connection's entries in its store) */
  cache?: CacheConfig | undefined;
  /** the connect page's CSP frame-ancestors (IIQ_GRAPH_FRAME_ANCESTORS, validated by config.ts); default 'self' */
  frameAncestors?: string | undefined;
}

/**
 * Connect page headers: nothing loads from anywhere else, and only the listed origins may frame it (it takes
 * IdentityIQ credentials: a page any site can frame invites clickjacking). X-Frame-Options for old browsers
 * when the policy is 'self' or 'none' (it cannot express a list).
 */
function pageHeaders(frameAncestors = "'self'"): Record<string, string> {
  const xfo: Record<string, string> = frameAncestors === "'self'" ? { 'x-frame-options': 'SAMEORIGIN' } : frameAncestors === "'none'" ? { 'x-frame-options': 'DENY' } : {};
  return {
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    ...xfo,
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ${frameAncestors}`,
  };
}

const segmentsOf = (path: string, prefix: string) => path.slice(prefix.length).split('/').filter(Boolean).map((s) => decodeURIComponent(s));

/** The raw request path (before URL normalisation resolves `..`), for the proxy's escape check. */
function rawPath(request: Request): string {
  const raw = request.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return raw.split(/[?#]/, 1)[0]!;
}

export function restRoutes(options: RestOptions): Plugin {
  const { linked, single, logger } = options;
  const maxBody = options.proxyMaxBodyBytes ?? 1024 * 1024;
  const PAGE_HEADERS = pageHeaders(options.frameAncestors);

  async function adminRoute(request: Request, url: URL): Promise<Response | null> {
    if (!linked) return null;
    const principal = await linked.authenticate(request);
    if (principal.kind !== 'admin') throw new ConnectionError('FORBIDDEN', 'this route needs the admin key (IIQ_GRAPH_ADMIN_KEY)');
    const s = segmentsOf(url.pathname, '/admin');
    if (s.length === 1 && s[0] === 'tenants') {
      if (request.method === 'POST') {
        const body = (await readJson(request)) as { name?: unknown };
        return json(await linked.service.createTenant(body?.name), 201);
      }
      if (request.method === 'GET') return json({ result: await linked.service.store.listTenants() });
    }
    if (s.length === 3 && s[0] === 'tenants' && s[2] === 'api-keys' && request.method === 'GET') {
      if (!(await linked.service.store.getTenant(s[1]!))) throw new ConnectionError('NOT_FOUND', 'no such tenant');
      // never the hash
      const result = (await linked.service.store.listApiKeys(s[1]!)).map(({ hash: _hash, ...key }) => key);
      return json({ result });
    }
    if (s.length === 3 && s[0] === 'tenants' && s[2] === 'api-keys' && request.method === 'POST') {
      const body = (await readJson(request)) as { label?: unknown };
      return json(await linked.service.createApiKey(s[1]!, body?.label), 201);
    }
    if (s.length === 4 && s[0] === 'tenants' && s[2] === 'api-keys' && request.method === 'DELETE') {
      if (!(await linked.service.store.revokeApiKey(s[1]!, s[3]!, new Date().toISOString()))) throw new ConnectionError('NOT_FOUND', 'no such API key');
      return new Response(null, { status: 204 });
    }
    return null;
  }

  async function managementRoute(request: Request, url: URL): Promise<Response | null> {
    if (!linked) return null;
    const caller: Caller = await linked.tenant(request);
    const s = segmentsOf(url.pathname, '/api');
    const svc = linked.service;
    if (s[0] === 'link-tokens' && s.length === 1 && request.method === 'POST') {
      const body = (await readJson(request)) as { connectionId?: string; ttlSeconds?: number };
      return json(await svc.createLinkToken(caller, { connectionId: body?.connectionId ?? null, ttlSeconds: body?.ttlSeconds ?? null }), 201);
    }
    if (s[0] !== 'connections') return null;
    if (s.length === 1 && request.method === 'GET') {
      const result = await svc.list(caller);
      return json({ result, next_cursor: null, prev_cursor: null, result_count: result.length });
    }
    if (s.length === 1 && request.method === 'POST') return json(await svc.create(caller, await readJson(request)), 201);
    const id = s[1]!;
    if (s.length === 2 && request.method === 'GET') return json(await svc.get(caller, id));
    if (s.length === 2 && request.method === 'PATCH') return json(await svc.update(caller, id, await readJson(request)));
    if (s.length === 2 && request.method === 'DELETE') {
      await svc.delete(caller, id);
      return new Response(null, { status: 204 });
    }
    if (s.length === 3 && s[2] === 'test' && request.method === 'POST') return json(await svc.test(caller, id));
    if (s.length === 3 && s[2] === 'audit' && request.method === 'GET') {
      await svc.record(caller, id);
      const result = (await svc.store.listAudit(caller.tenantId, id)).map(({ tenantId: _t, ...e }) => e);
      return json({ result, next_cursor: null, prev_cursor: null, result_count: result.length });
    }
    return null;
  }

  /** The connection state of an authorised request (linked) or the single one. */
  async function connectionFor(request: Request): Promise<GatewayConnection> {
    if (linked) return (await linked.select(await linked.tenant(request), request)).conn;
    return single!.conn;
  }

  async function proxyRoute(request: Request, url: URL): Promise<Response | null> {
    const sub = safeSubpath(rawPath(request));
    if (sub === null) return errorResponse(400, 'BAD_PATH', 'the path must stay inside the SCIM base (no dot segments, path parameters (;), encoded slashes or absolute URLs)');
    let upstream: ProxyUpstream;
    let invalidate: (target: ProxyWriteTarget) => Promise<void>;
    if (linked) {
      const caller = await linked.tenant(request);
      const record = await linked.selectRecord(caller, request);
      upstream = linked.registry.proxyFor(record);
      // straight on the store: this process may hold no client (nor cache) of the connection at all
      invalidate = async (target) => {
        const cache = options.cache;
        if (!cache?.enabled) return;
        const held = acquireCacheStore({ redisUrl: cache.redisUrl, maxEntries: cache.maxEntries });
        try {
          await invalidateAfterProxyWrite(createInvalidator(held.store, { tenantId: record.tenantId, connectionId: record.id }, cache.keyPrefix), target);
        } finally {
          held.release();
        }
      };
    } else if (single?.proxy) {
      upstream = single.proxy;
      invalidate = (target) => invalidateAfterProxyWrite(single.conn.cache, target);
    } else {
      return errorResponse(404, 'NOT_FOUND', 'the SCIM proxy is not available in this mode');
    }
    const response = await upstream.forward(request, url, sub, maxBody);
    // a write through the proxy leaves the read cache and the response cache of its connection (on every
    // replica, with Redis) before its answer does: the next GraphQL / unified read is fresh
    const target = proxyWriteTarget(request.method, sub, response.status);
    if (target) {
      try {
        await invalidate(target);
      } catch (err) {
        logger.warn({ err: (err as Error).message, path: url.pathname }, 'SCIM proxy: could not invalidate the cache after a write');
      }
    }
    return response;
  }

  async function connectRoute(request: Request, url: URL): Promise<Response | null> {
    if (!linked) return null;
    const path = url.pathname;
    if (request.method === 'GET' && (path === '/connect' || path === '/connect/')) return new Response(CONNECT_HTML, { headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS } });
    if (request.method === 'GET' && path === '/connect/app.js') return new Response(CONNECT_JS, { headers: { 'content-type': 'text/javascript; charset=utf-8', ...PAGE_HEADERS } });
    if (request.method === 'GET' && path === '/connect/app.css') return new Response(CONNECT_CSS, { headers: { 'content-type': 'text/css; charset=utf-8', ...PAGE_HEADERS } });
    if (request.method !== 'POST') return null;
    const body = (await readJson(request)) as { token?: unknown; connection?: unknown } | null;
    const svc = linked.service;
    switch (path) {
      case '/connect/api/session': {
        const token = await svc.verifyLinkToken(body?.token);
        const connection = token.connectionId ? await svc.get({ tenantId: token.tenantId, actor: 'link-token' }, token.connectionId) : null;
        return json({ mode: connection ? 'relink' : 'create', expiresAt: token.expiresAt, connection: connection ? { label: connection.label, baseUrl: connection.baseUrl } : null });
      }
      case '/connect/api/check':
        await svc.verifyLinkToken(body?.token);
        return json(await svc.checkDraft(body?.connection));
      case '/connect/api/save':
        return json(await svc.redeemLinkToken(body?.token, body?.connection), 201);
      default:
        return null;
    }
  }

  async function route(request: Request, url: URL): Promise<Response | null> {
    const path = url.pathname;
    if (path === '/unified/openapi.json' && request.method === 'GET') return json(UNIFIED_OPENAPI);
    if (path.startsWith(`${UNIFIED_PREFIX}/`)) return handleUnified(request, url, await connectionFor(request));
    if (path === PROXY_PREFIX || path.startsWith(`${PROXY_PREFIX}/`) || rawPath(request).startsWith(`${PROXY_PREFIX}/`)) return proxyRoute(request, url);
    if (path === '/admin' || path.startsWith('/admin/')) return adminRoute(request, url);
    if (path.startsWith('/api/')) return managementRoute(request, url);
    if (path === '/connect' || path.startsWith('/connect/')) return connectRoute(request, url);
    return null;
  }

  return {
    async onRequest({ request, url, endResponse }) {
      let response: Response | null;
      try {
        response = await route(request, url);
      } catch (err) {
        response = toErrorResponse(err);
        if (!response) {
          logger.error({ err, path: url.pathname }, 'REST route failed (masked)');
          response = errorResponse(500, 'INTERNAL_SERVER_ERROR', 'unexpected error');
        }
      }
      if (response) endResponse(response);
    },
  };
}
