// HTTP face of the simulator: IIQ's SCIM servlet under {contextRoot}/scim/v2, the OAuth2 token servlet, and an
// optional admin endpoint under /__admin. Handlers build a reply first; faults may then spoil it on the wire.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkPolicyViolations } from './checked-policy-violations.ts';
import { ConcurrencyLimiter, costMs, type Latency } from './cost.ts';
import { resourceTypeOf, schemasOf, serviceProviderConfig } from './discovery.ts';
import { ScimError, errors } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { objectConfigResource } from './objectconfig.ts';
import { project, splitList, wants } from './projection.ts';
import type { ListEngine } from './query.ts';
import type { IdSource } from './random.ts';
import type { RequestLog } from './requests.ts';
import {
  URN, accountResource, applicationResource, entitlementResource, policyViolationResource, roleResource,
  taskResultResource, userResource, versionOf, workflowResource, type AnyResource, type SerializeContext,
} from './resources.ts';
import type { Store } from './store.ts';
import type { FaultSpec } from './types.ts';
import { createAccount, createUser, parseJsonBody, updateAccount, updateUser } from './writes.ts';

export interface ServerConfig {
  contextRoot: string;
  basic: { username: string; password: string };
  oauth: { clientId: string; clientSecret: string; tokenTtlSeconds: number };
  maxResults: number;
  admin: boolean;
  latency: Latency;
  maxConcurrent: number;
  scheme: 'http' | 'https';
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | null;
  /** latency model inputs */
  items: number;
  expanded: boolean;
  /** shape, for the badSchema fault */
  kind: 'list' | 'resource' | 'error' | 'token' | 'other';
}

const SCIM_JSON = 'application/scim+json';
const SCIM_CAPABILITIES = new Set(['SCIMExecutor', 'SystemAdministrator']);
const RESOURCES: Record<string, AnyResource> = {
  Users: userResource,
  Roles: roleResource,
  Accounts: accountResource,
  Applications: applicationResource,
  Entitlements: entitlementResource,
  PolicyViolations: policyViolationResource,
  Workflows: workflowResource,
  TaskResults: taskResultResource,
  ObjectConfigs: objectConfigResource,
};
const WRITABLE = new Set(['Users', 'Accounts']);

function html(status: number, title: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/html;charset=utf-8' },
    body: `<!doctype html><html lang="en"><head><title>HTTP Status ${status} – ${title}</title></head><body><h1>HTTP Status ${status} – ${title}</h1></body></html>`,
    items: 0,
    expanded: false,
    kind: 'other',
  };
}

function scim(status: number, body: unknown, kind: Reply['kind'], extra: Record<string, string> = {}, items = 0, expanded = false): Reply {
  return {
    status,
    headers: { 'content-type': SCIM_JSON, 'cache-control': 'no-store', pragma: 'no-cache', ...extra },
    body: body === null ? null : JSON.stringify(body),
    items,
    expanded,
    kind,
  };
}

function errorReply(e: ScimError): Reply {
  if (e.status === 304) return scim(304, null, 'other');
  return scim(e.status, e.toJSON(), 'error');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // a client that goes away mid-body: settle anyway (a later settle is a no-op)
    req.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

export class SimServer {
  private readonly tokens = new Map<string, number>();
  private readonly limiter: ConcurrencyLimiter;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly cfg: ServerConfig,
    private readonly store: Store,
    private readonly engine: ListEngine,
    private readonly ids: IdSource,
    private readonly faults: FaultInjector,
    private readonly log: RequestLog,
  ) {
    this.limiter = new ConcurrencyLimiter(cfg.maxConcurrent);
  }

  get scimPrefix(): string {
    return `${this.cfg.contextRoot}/scim/v2`;
  }

  /** (re)opens for business after a shutdown, so a closed simulator can listen again */
  resume(): void {
    this.closed = false;
  }

  /** cancels pending latency/delay timers (used by close) */
  shutdown(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const e = new ScimError(500, err instanceof Error ? err.message : String(err));
        this.send(res, errorReply(e));
      } else {
        res.destroy();
      }
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const pathname = url.pathname;
    if (pathname === '/__admin' || pathname.startsWith('/__admin/')) {
      const body = await readBody(req);
      this.send(res, this.cfg.admin ? this.admin(method, pathname, body) : html(404, 'Not Found'));
      return;
    }
    const tokenPath = `${this.cfg.contextRoot}/oauth2/token`;
    let rel: string;
    if (pathname === tokenPath || pathname === `${tokenPath}/`) {
      rel = '/oauth2/token';
    } else if (pathname === this.scimPrefix || pathname.startsWith(`${this.scimPrefix}/`)) {
      rel = pathname.slice(this.scimPrefix.length).split('/').map(decodeSegment).join('/');
      if (rel.length > 1 && rel.endsWith('/')) rel = rel.slice(0, -1); // `/Users/` is used by SailPoint's own clients
      if (rel === '') rel = '/';
    } else {
      await readBody(req);
      this.send(res, html(404, 'Not Found'));
      return;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const at = Date.now();
    const record = (status: number): void => this.log.add({ method, path: rel, query, status, at });
    const body = await readBody(req);

    const fault = this.faults.take(method, rel);
    if (fault?.type === 'reset') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'status' || fault?.type === 'rateLimit') {
      const reply = this.faultReply(fault);
      record(reply.status);
      this.send(res, reply);
      return;
    }
    if (fault?.type === 'delay') await this.sleep(fault.delayMs ?? 0);

    await this.limiter.acquire();
    let reply: Reply;
    try {
      const base = `${this.cfg.scheme}://${req.headers.host ?? '127.0.0.1'}${this.scimPrefix}`;
      try {
        reply = rel === '/oauth2/token' ? this.token(method, req, body) : this.route(method, rel, query, req, body, base);
      } catch (err) {
        if (err instanceof ScimError) reply = errorReply(err);
        else throw err;
      }
      if (rel !== '/oauth2/token') {
        // IIQ's web.xml sets these on everything under /scim/v2/*, errors and container pages included
        reply.headers['cache-control'] ??= 'no-store';
        reply.headers['pragma'] ??= 'no-cache';
      }
      await this.sleep(costMs(this.cfg.latency, reply.items, reply.expanded));
    } finally {
      this.limiter.release();
    }
    if (this.closed || res.destroyed) return;
    if (fault && (fault.type === 'truncate' || fault.type === 'invalidJson' || fault.type === 'badSchema')) {
      this.spoil(res, req, reply, fault, record);
      return;
    }
    record(reply.status);
    this.send(res, reply);
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const headers: Record<string, string | number> = { ...reply.headers };
    if (reply.body !== null) headers['content-length'] = Buffer.byteLength(reply.body);
    res.writeHead(reply.status, headers);
    res.end(reply.body ?? undefined);
  }

  // ---- faults -------------------------------------------------------------------------------------------

  private faultReply(fault: FaultSpec): Reply {
    if (fault.type === 'rateLimit') {
      const reply = scim(429, new ScimError(429, 'Too Many Requests').toJSON(), 'error');
      reply.headers['retry-after'] = fault.retryAfter ?? '1';
      return reply;
    }
    const status = fault.status ?? 500;
    // a load balancer in front of IIQ answers 502/503/504 with its own HTML page; IIQ itself with a SCIM error
    if (status === 502 || status === 503 || status === 504) {
      const titles: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
      return html(status, titles[status] ?? 'Error');
    }
    if (status === 401) return scim(401, errors.unauthorized().toJSON(), 'error');
    return scim(status, new ScimError(status, 'java.lang.RuntimeException: simulated failure').toJSON(), 'error');
  }

  private spoil(res: ServerResponse, req: IncomingMessage, reply: Reply, fault: FaultSpec, record: (s: number) => void): void {
    if (fault.type === 'truncate') {
      const full = Buffer.from(reply.body ?? '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0}', 'utf8');
      record(reply.status);
      res.writeHead(reply.status, { ...reply.headers, 'content-length': full.length });
      res.write(full.subarray(0, Math.floor(full.length / 2)), () => req.socket.destroy());
      return;
    }
    let body: string;
    if (fault.type === 'invalidJson') {
      body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"2c9084ee5576d164015576d271be05f4",';
    } else {
      body = JSON.stringify(badSchemaBody(reply));
    }
    record(200);
    this.send(res, { ...reply, status: 200, body, headers: { ...reply.headers, 'content-type': reply.kind === 'token' ? 'application/json' : SCIM_JSON } });
  }

  // ---- admin ----------------------------------------------------------------------------------------------

  private admin(method: string, path: string, body: string): Reply {
    const json = (status: number, value: unknown): Reply => ({
      status, headers: { 'content-type': 'application/json' }, body: value === null ? null : JSON.stringify(value), items: 0, expanded: false, kind: 'other',
    });
    if (path === '/__admin/faults') {
      if (method === 'GET') return json(200, { faults: this.faults.active() });
      if (method === 'DELETE') {
        this.faults.clear();
        return json(204, null);
      }
      if (method === 'POST') {
        try {
          const parsed: unknown = JSON.parse(body);
          for (const spec of Array.isArray(parsed) ? parsed : [parsed]) this.faults.inject(spec as FaultSpec);
          return json(201, { faults: this.faults.active() });
        } catch (err) {
          return json(400, { error: err instanceof Error ? err.message : String(err) });
        }
      }
      return json(405, { error: 'method not allowed' });
    }
    if (path === '/__admin/requests') {
      if (method === 'GET') {
        const records = this.log.list();
        return json(200, { total: records.length, counters: this.log.counters(), records });
      }
      if (method === 'DELETE') {
        this.log.reset();
        return json(204, null);
      }
      return json(405, { error: 'method not allowed' });
    }
    return json(404, { error: 'not found' });
  }

  // ---- OAuth2 client credentials (reference §1) ------------------------------------------------------------

  private token(method: string, req: IncomingMessage, body: string): Reply {
    const json = (status: number, value: unknown): Reply => ({
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' },
      body: JSON.stringify(value), items: 0, expanded: false, kind: status === 200 ? 'token' : 'error',
    });
    if (method !== 'POST') return { ...html(405, 'Method Not Allowed'), headers: { 'content-type': 'text/html;charset=utf-8', allow: 'POST' } };
    const form = new URLSearchParams(body);
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const auth = req.headers.authorization ?? '';
    if (/^basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        clientId = decoded.slice(0, colon);
        clientSecret = decoded.slice(colon + 1);
      }
    }
    if (clientId !== this.cfg.oauth.clientId || clientSecret !== this.cfg.oauth.clientSecret) {
      return json(401, { error: 'invalid_client', error_description: 'Bad client credentials' });
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported' });
    }
    if (this.tokens.size > 10_000) {
      const now = Date.now();
      for (const [token, expires] of this.tokens) if (expires <= now) this.tokens.delete(token);
    }
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, Date.now() + this.cfg.oauth.tokenTtlSeconds * 1000);
    return json(200, { expires_in: this.cfg.oauth.tokenTtlSeconds, token_type: 'bearer', access_token: accessToken });
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    if (/^bearer /i.test(auth)) {
      const expires = this.tokens.get(auth.slice(7).trim());
      return expires !== undefined && expires > Date.now();
    }
    if (/^basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return false;
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (user === this.cfg.basic.username && password === this.cfg.basic.password) return true;
      // any identity holding SCIMExecutor (or SystemAdministrator); a missing right is a 401 too (reference §6)
      const identity = this.store.userByName(user);
      return !!identity && identity.password !== null && identity.password === password && identity.active &&
        identity.capabilities.some((c) => SCIM_CAPABILITIES.has(c));
    }
    return false;
  }

  // ---- SCIM ------------------------------------------------------------------------------------------------

  private route(method: string, rel: string, query: Record<string, string>, req: IncomingMessage, body: string, base: string): Reply {
    const segs = rel.split('/').slice(1);
    const head = segs[0] ?? '';
    if (head === 'ServiceProviderConfig' && segs.length === 1) {
      if (method !== 'GET') return this.notAllowed('GET');
      return scim(200, serviceProviderConfig(base, this.cfg.maxResults), 'resource');
    }
    // everything else sits behind IIQ's SCIM auth filter, including unknown paths
    if (!this.authorized(req)) throw errors.unauthorized();
    if (head === 'ResourceTypes' || head === 'Schemas') return this.discovery(method, head, segs, query, base);
    if (head === 'CheckedPolicyViolations' && segs.length === 1) {
      if (method !== 'POST') return this.notAllowed('POST');
      return scim(201, checkPolicyViolations(this.store, parseJsonBody(body), base), 'resource', {}, 1);
    }
    const rt = RESOURCES[head];
    if (!rt || segs.length > 2) return html(404, 'Not Found');
    const allow = this.allowed(head, segs.length);
    if (!allow.split(', ').includes(method)) return this.notAllowed(allow);
    const attributes = splitList(query['attributes']);
    const excluded = splitList(query['excludedAttributes']);
    const ctx: SerializeContext = {
      base,
      store: this.store,
      wantRoles: rt === userResource && wants(rt, attributes, URN.sailpointUser, 'roles'),
      wantEntitlements: rt === userResource && wants(rt, attributes, URN.sailpointUser, 'entitlements'),
      wantExternalId: rt === userResource && wants(rt, attributes, URN.coreUser, 'externalId'),
    };
    const expanded = ctx.wantRoles || ctx.wantEntitlements;
    const render = (item: unknown): Record<string, unknown> => project(rt, rt.serialize(item, ctx), attributes, excluded);

    if (segs.length === 1 && method === 'GET') {
      const page = this.engine.list(rt, query);
      if (page.items === null) {
        return scim(200, { totalResults: page.totalResults, schemas: [URN.listResponse] }, 'list');
      }
      const out: Record<string, unknown> = { totalResults: page.totalResults };
      // present only when totalResults > count, and then the requested count (reference §4.2)
      if (page.totalResults > page.count) out['itemsPerPage'] = page.count;
      out['startIndex'] = page.startIndex;
      out['schemas'] = [URN.listResponse];
      out['Resources'] = page.items.map(render);
      return scim(200, out, 'list', {}, page.items.length, expanded);
    }
    if (segs.length === 1 && method === 'POST') {
      const json = parseJsonBody(body);
      const item = head === 'Users' ? createUser(this.store, this.ids, json) : createAccount(this.store, this.ids, json);
      return this.single(201, rt, item, render, 1, expanded);
    }
    const key = segs[1] ?? '';
    const byName = (query['lookupByName'] ?? '').toLowerCase() === 'true';
    const item = byName ? rt.byName?.(this.store, key) : (rt.byId(this.store, key) ?? rt.byName?.(this.store, key));
    if (item === undefined) throw errors.notFound(key);
    const version = versionOf(rt.lastModifiedOf(item));
    if (method === 'GET') {
      const inm = req.headers['if-none-match'];
      if (inm !== undefined && etagMatches(inm, version)) {
        return scim(304, null, 'other', { etag: version, location: `${base}/${rt.endpoint}/${rt.idOf(item)}` });
      }
      return this.single(200, rt, item, render, 1, expanded);
    }
    const im = req.headers['if-match'];
    if (im !== undefined && !etagMatches(im, version)) throw errors.changed(key);
    if (method === 'DELETE') {
      if (head === 'Users') this.store.deleteUser(item);
      else this.store.deleteAccount(item);
      return { ...scim(204, null, 'other'), items: 1 };
    }
    // PUT
    const json = parseJsonBody(body);
    if (head === 'Users') updateUser(this.store, item, json);
    else updateAccount(this.store, item, json);
    return this.single(200, rt, item, render, 1, expanded);
  }

  private single(status: number, rt: AnyResource, item: unknown, render: (i: unknown) => Record<string, unknown>, items: number, expanded: boolean): Reply {
    const body = render(item);
    const meta = body['meta'] as { location?: string; version?: string } | undefined;
    const headers: Record<string, string> = {};
    if (meta?.location) headers['location'] = meta.location;
    if (meta?.version) headers['etag'] = meta.version;
    void rt;
    return scim(status, body, 'resource', headers, items, expanded);
  }

  private allowed(head: string, depth: number): string {
    if (WRITABLE.has(head)) return depth === 1 ? 'GET, POST' : 'GET, PUT, DELETE';
    return 'GET';
  }

  /** JAX-RS answers an unsupported method with the container's own (non-SCIM) 405 page */
  private notAllowed(allow: string): Reply {
    const reply = html(405, 'Method Not Allowed');
    reply.headers['allow'] = allow;
    return reply;
  }

  private discovery(method: string, head: string, segs: string[], query: Record<string, string>, base: string): Reply {
    if (method !== 'GET') return this.notAllowed('GET');
    if (query['filter'] !== undefined) throw errors.filterNotSupported();
    const all = Object.values(RESOURCES);
    const items = head === 'ResourceTypes' ? all.map((rt) => resourceTypeOf(rt, base)) : all.flatMap((rt) => schemasOf(rt, base));
    if (segs.length === 1) {
      return scim(200, { totalResults: items.length, startIndex: 1, schemas: [URN.listResponse], Resources: items }, 'list', {}, items.length);
    }
    const key = segs.slice(1).join('/');
    const found = items.find((i) => i['id'] === key);
    if (!found) throw errors.notFound(key);
    return scim(200, found, 'resource', {}, 1);
  }
}

function etagMatches(header: string, version: string): boolean {
  const strip = (t: string): string => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(version));
}

/** valid JSON that violates the SCIM schema: Resources not an array, totalResults a string, a user without userName */
function badSchemaBody(reply: Reply): unknown {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = reply.body ? (JSON.parse(reply.body) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  if (reply.kind === 'token') return { token_type: 'bearer', expires_in: 'soon' };
  if (reply.kind === 'list' || Array.isArray(parsed['Resources'])) {
    const first = Array.isArray(parsed['Resources']) ? (parsed['Resources'][0] as Record<string, unknown> | undefined) : undefined;
    return { schemas: [URN.listResponse], totalResults: String(parsed['totalResults'] ?? 1), startIndex: 1, Resources: first ?? { id: 42 } };
  }
  const copy: Record<string, unknown> = { ...parsed };
  delete copy['userName'];
  delete copy['name'];
  copy['schemas'] = 'urn:ietf:params:scim:schemas:core:2.0:User';
  copy['id'] = 42;
  return copy;
}
