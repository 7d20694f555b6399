// REST for the mirror, as one Yoga plugin placed before the unified REST face:
//   GET  /unified/user-directory/changes?cursor=&types=user.created,membership.added&limit=   the change feed
//   any  /unified/user-directory/... with `X-IIQ-Consistency: mirror`                         served from the mirror
//   GET  /mirror/status · POST /mirror/sync {kind?}
//   GET|POST /mirror/webhooks · DELETE /mirror/webhooks/:id · GET /mirror/webhooks/:id/deliveries
//   POST /mirror/webhooks/:id/deliveries/:deliveryId/redeliver
//   GET|PUT /mirror/access-rules · GET /mirror/access-report?format=csv|ndjson
// Single-connection mode (loopback, no keys) serves its one mirror. Linked accounts: every route needs a tenant API
// key and serves the mirror of the caller's connection (X-Connection-Id or the tenant's only one) — another
// tenant's connection id is a 404 like an unknown one, so a tenant never reads another tenant's feed.
import { Readable } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import { z } from 'zod';
import type { GatewayConnection } from '../graphql/context.ts';
import type { Logger } from '../graphql/logger.ts';
import { errorResponse, json, readJson, toErrorResponse } from '../rest/http.ts';
import type { LinkedAccounts } from '../tenancy/linked.ts';
import { handleUnified, UNIFIED_PREFIX } from '../rest/unified.ts';
import { AccessMapping } from './access.ts';
import { mirrorForRead, requestedConsistency } from './consistency.ts';
import { EXPORT_FORMATS, exportStream } from './export.ts';
import { mirrorOf, mirrorServedConnection, type ConnectionMirror } from './service.ts';
import { CHANGE_TYPES, type ChangeEvent, type ChangeType } from './types.ts';
import { webhookView } from './webhooks.ts';

export const CHANGES_PATH = `${UNIFIED_PREFIX}/changes`;

const webhookInput = z.object({
  url: z.url().refine((u) => /^https?:\/\//.test(u), 'url must be http(s)'),
  types: z.array(z.enum(CHANGE_TYPES)).optional(),
});

const syncInput = z.object({ kind: z.enum(['full', 'incremental', 'deletions', 'roles']).optional() });

function unifiedChange(e: ChangeEvent) {
  return { id: String(e.seq), cursor: String(e.seq), type: e.type, object_id: e.objectId, occurred_at: e.occurredAt, data: e.data };
}

function need(conn: GatewayConnection | undefined): ConnectionMirror {
  const mirror = conn ? mirrorOf(conn) : undefined;
  if (!mirror) throw Object.assign(new Error('mirror not enabled'), { mirrorResponse: errorResponse(404, 'MIRROR_NOT_ENABLED', 'the directory mirror is not enabled (start with MIRROR=true)') });
  return mirror;
}

export function mirrorRoutes(options: { single?: GatewayConnection | undefined; linked?: LinkedAccounts | undefined; logger: Logger }): Plugin {
  const { logger, linked } = options;

  /** the connection a request reads: the single one, or the authenticated tenant's selected one */
  async function connectionOf(request: Request): Promise<GatewayConnection | undefined> {
    if (!linked) return options.single;
    return (await linked.select(await linked.tenant(request), request)).conn;
  }

  async function changes(url: URL, mirror: ConnectionMirror): Promise<Response> {
    const cursor = url.searchParams.get('cursor') ?? url.searchParams.get('after') ?? '';
    if (cursor !== '' && !/^\d{1,15}$/.test(cursor)) return errorResponse(400, 'BAD_REQUEST', 'cursor must be a value returned as next_cursor');
    const limit = Number(url.searchParams.get('limit') ?? '100');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return errorResponse(400, 'BAD_REQUEST', 'limit must be between 1 and 1000');
    const types = (url.searchParams.get('types') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    const unknown = types.filter((t) => !(CHANGE_TYPES as readonly string[]).includes(t));
    if (unknown.length) return errorResponse(400, 'BAD_REQUEST', `unknown change types: ${unknown.slice(0, 5).join(', ')}`, { allowed: CHANGE_TYPES });
    const after = cursor === '' ? 0 : Number(cursor);
    const events = await mirror.store.listChanges(mirror.connectionId, { after, types: types as ChangeType[], limit });
    const last = events[events.length - 1];
    // next_cursor is always where to resume (an empty page keeps the caller's position)
    return json({ result: events.map(unifiedChange), next_cursor: last ? String(last.seq) : cursor || '0', prev_cursor: null, result_count: events.length });
  }

  async function route(request: Request, url: URL): Promise<Response | null> {
    const path = url.pathname;
    const isMirrorPath = path === '/mirror' || path.startsWith('/mirror/');
    const mirrorRead = path.startsWith(`${UNIFIED_PREFIX}/`) && requestedConsistency(request) === 'mirror';
    if (!isMirrorPath && !mirrorRead && !(path === CHANGES_PATH && request.method === 'GET')) return null;
    const single = await connectionOf(request);
    if (path === CHANGES_PATH && request.method === 'GET') return changes(url, need(single));
    if (mirrorRead && single) {
      const mirror = mirrorForRead(single);
      const res = await handleUnified(request, url, mirrorServedConnection(single, mirror));
      if (res) res.headers.set('x-iiq-data-age', String(Math.round((Date.now() - mirror.syncedAt()!.getTime()) / 1000)));
      return res;
    }
    if (!isMirrorPath) return null;
    const mirror = need(single);
    const s = path.split('/').filter(Boolean).slice(1);
    if (s[0] === 'status' && s.length === 1 && request.method === 'GET') return json(await mirror.status());
    if (s[0] === 'sync' && s.length === 1 && request.method === 'POST') {
      const body = syncInput.safeParse(await readJson(request));
      if (!body.success) return errorResponse(400, 'BAD_REQUEST', 'kind must be full, incremental, deletions or roles');
      // several replicas: runs belong to the lease owner (another replica would run the same work twice)
      if (mirror.lease && !mirror.lease.isOwner()) return errorResponse(409, 'NOT_LEASE_OWNER', 'another replica owns this connection\'s sync runs; send the request to it or wait for its schedule');
      return json({ result: await mirror.runNow(body.data.kind) });
    }
    if (s[0] === 'webhooks') {
      if (s.length === 1 && request.method === 'GET') return json({ result: (await mirror.store.listWebhooks({ tenantId: mirror.tenantId, connectionId: mirror.connectionId })).map(webhookView) });
      if (s.length === 1 && request.method === 'POST') {
        const body = webhookInput.safeParse(await readJson(request));
        if (!body.success) return errorResponse(400, 'BAD_REQUEST', 'url (http or https) is required; types must be change types', { allowed: CHANGE_TYPES });
        // IIQ_GRAPH_ALLOWED_HOSTS: https unless listed, no internal addresses (src/connections/url-policy.ts)
        const refused = await mirror.webhooks.assertUrlAllowed(body.data.url).then(() => null, (err: Error) => err.message);
        if (refused) return errorResponse(400, 'BAD_REQUEST', refused);
        // the secret is shown once, here
        return json(await mirror.store.createWebhook({ tenantId: mirror.tenantId, connectionId: mirror.connectionId, url: body.data.url, types: body.data.types ?? null }), 201);
      }
      const hook = (await mirror.store.listWebhooks({ tenantId: mirror.tenantId })).find((h) => h.id === s[1]);
      if (!hook) return errorResponse(404, 'NOT_FOUND', 'no such webhook');
      if (s.length === 2 && request.method === 'DELETE') {
        await mirror.store.deleteWebhook(mirror.tenantId, hook.id);
        return new Response(null, { status: 204 });
      }
      if (s.length === 3 && s[2] === 'deliveries' && request.method === 'GET') return json({ result: await mirror.store.listDeliveries(hook.id) });
      if (s.length === 5 && s[2] === 'deliveries' && s[4] === 'redeliver' && request.method === 'POST') {
        if (!/^\d+$/.test(s[3]!) || !(await mirror.store.redeliver(hook.id, Number(s[3])))) return errorResponse(404, 'NOT_FOUND', 'no such delivery');
        void mirror.webhooks.poke();
        return json({ status: 'queued' }, 202);
      }
    }
    if (s[0] === 'access-rules' && s.length === 1) {
      if (request.method === 'GET') return json({ result: (await mirror.accessMapping()).rules });
      if (request.method === 'PUT') {
        let mapping: AccessMapping;
        try {
          mapping = AccessMapping.parse(await readJson(request));
        } catch (err) {
          return errorResponse(400, 'BAD_REQUEST', (err as Error).message);
        }
        await mirror.setAccessRules(mapping);
        return json({ result: mapping.rules });
      }
    }
    if (s[0] === 'access-report' && s.length === 1 && request.method === 'GET') {
      const format = url.searchParams.get('format') ?? 'ndjson';
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) return errorResponse(400, 'BAD_REQUEST', 'format must be csv or ndjson');
      mirrorForRead(single!);
      const stream = exportStream('access', format as 'csv' | 'ndjson', {
        users: () => mirror.store.iterateUsers(mirror.connectionId),
        roles: () => mirror.store.listRoles(mirror.connectionId),
        mapping: () => mirror.accessMapping(),
      });
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        headers: { 'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', 'cache-control': 'no-store' },
      });
    }
    return errorResponse(404, 'NOT_FOUND', 'no such mirror route');
  }

  return {
    async onRequest({ request, url, endResponse }) {
      let response: Response | null;
      try {
        response = await route(request, url);
      } catch (err) {
        const mirrorResponse = (err as { mirrorResponse?: Response }).mirrorResponse;
        const code = (err as { extensions?: { code?: string } }).extensions?.code;
        response =
          mirrorResponse ??
          (code === 'MIRROR_NOT_ENABLED' || code === 'MIRROR_NOT_READY' || code === 'BAD_USER_INPUT'
            ? errorResponse(code === 'BAD_USER_INPUT' ? 400 : 503, code, (err as Error).message)
            : toErrorResponse(err));
        if (!response) {
          logger.error({ err, path: url.pathname }, 'mirror route failed (masked)');
          response = errorResponse(500, 'INTERNAL_SERVER_ERROR', 'unexpected error');
        }
      }
      if (response) endResponse(response);
    },
  };
}
