// Linked-accounts mode at the HTTP edge: who is calling (an API key of a tenant, or the admin key) and which
// of the tenant's connections a request uses (X-Connection-Id, or the tenant's only connection).
// A connection id of another tenant is indistinguishable from an unknown one: 404, and no upstream request.
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ConnectionError, notFound, type Caller, type ConnectionService } from '../connections/service.ts';
import type { ConnectionRecord } from '../connections/types.ts';
import { constantTimeEqual } from '../connections/secrets.ts';
import { createRequestContext, type GatewayConnection, type GatewayContext } from '../graphql/context.ts';
import type { LinkedMirrors } from './mirrors.ts';
import type { ConnectionRegistry } from './registry.ts';

export const CONNECTION_HEADER = 'x-connection-id';

export type Principal = { kind: 'admin' } | ({ kind: 'tenant' } & Caller);

export interface Selected {
  record: ConnectionRecord;
  conn: GatewayConnection;
}

/** GraphQL form of a linked-accounts failure; `http.status` sets the response status when thrown before execution. */
export function toGraphQLError(err: ConnectionError, http = false): GraphQLError {
  return new GraphQLError(err.message, {
    extensions: { code: err.code, ...(Object.keys(err.details).length ? { details: err.details } : {}), ...(http ? { http: { status: err.status } } : {}) },
  });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class LinkedAccounts {
  private readonly adminKeyHash: Buffer;

  constructor(
    readonly service: ConnectionService,
    readonly registry: ConnectionRegistry,
    adminKey: string,
    /** MIRROR=true: every connection's mirror (start() opens them; close() stops them) */
    readonly mirrors: LinkedMirrors | null = null,
  ) {
    this.adminKeyHash = sha256(adminKey);
  }

  /** Throws UNAUTHENTICATED unless the request carries `Authorization: Bearer <admin key | API key>`. */
  async authenticate(request: Request): Promise<Principal> {
    const header = request.headers.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new ConnectionError('UNAUTHENTICATED', 'send Authorization: Bearer <API key>');
    const key = m[1]!;
    if (constantTimeEqual(sha256(key), this.adminKeyHash)) return { kind: 'admin' };
    const caller = await this.service.authenticateApiKey(key);
    if (!caller) throw new ConnectionError('UNAUTHENTICATED', 'the API key is not valid (unknown or revoked)');
    return { kind: 'tenant', ...caller };
  }

  async tenant(request: Request): Promise<Caller> {
    const principal = await this.authenticate(request);
    if (principal.kind !== 'tenant') throw new ConnectionError('FORBIDDEN', 'the admin key manages tenants and API keys only; use a tenant API key');
    return { tenantId: principal.tenantId, actor: principal.actor };
  }

  /** The connection record a request names, or the tenant's only one; authorisation happens in the query. */
  async selectRecord(caller: Caller, request: Request): Promise<ConnectionRecord> {
    const requested = request.headers.get(CONNECTION_HEADER)?.trim();
    if (requested) {
      const record = await this.service.store.getConnection(caller.tenantId, requested);
      if (!record) throw notFound();
      return record;
    }
    const all = await this.service.store.listConnections(caller.tenantId);
    if (all.length === 1) return all[0]!;
    throw new ConnectionError(
      'CONNECTION_REQUIRED',
      all.length === 0 ? 'this tenant has no connection yet: create one or send a link token to the customer' : `this tenant has ${all.length} connections: choose one with the X-Connection-Id header`,
    );
  }

  async select(caller: Caller, request: Request): Promise<Selected> {
    const record = await this.selectRecord(caller, request);
    return { record, conn: await this.registry.get(record) };
  }

  /**
   * The GraphQL context: authentication failures and an unknown X-Connection-Id end the request (401/404);
   * with no connection selectable the management fields still work and IIQ fields fail with CONNECTION_REQUIRED.
   */
  async graphqlContext(request: Request): Promise<GatewayContext> {
    let caller: Caller;
    try {
      caller = await this.tenant(request);
    } catch (err) {
      throw err instanceof ConnectionError ? toGraphQLError(err, true) : err;
    }
    const linked = { caller, service: this.service };
    let selected: Selected;
    try {
      selected = await this.select(caller, request);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      if (err.code !== 'CONNECTION_REQUIRED') throw toGraphQLError(err, true);
      // Yoga copies the context object, so the failure sits one level down: any use of the connection throws
      const unavailable = new Proxy({}, {
        get(_target, prop) {
          if (prop === 'then' || typeof prop === 'symbol') return undefined; // not a thenable; inspectable
          throw toGraphQLError(err);
        },
      });
      return {
        conn: unavailable as GatewayConnection,
        loaders: unavailable as GatewayContext['loaders'],
        demandCache: new WeakMap(),
        linked,
      };
    }
    return { ...createRequestContext(selected.conn, request.signal), linked };
  }

  async close(): Promise<void> {
    await this.registry.close();
    await this.mirrors?.close();
  }
}
