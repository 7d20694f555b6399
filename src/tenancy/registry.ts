// Per-connection gateway state (client and its pool, role catalog, membership index, cursor codec, limits),
// built on first use and rebuilt when the connection's target changes. Keyed by connection id, which belongs
// to exactly one tenant: nothing here is shared between connections, so tenants never mix.
import type { GatewayConfig } from '../config.ts';
import type { ConnectionService } from '../connections/service.ts';
import type { ConnectionRecord } from '../connections/types.ts';
import { createIiqClient } from '../iiq/client.ts';
import { createGatewayConnection, type GatewayConnection } from '../graphql/context.ts';
import type { Logger } from '../graphql/logger.ts';
import { watchUpstreamGuard } from '../observability/metrics.ts';
import { ProxyUpstream } from '../rest/proxy.ts';
import { DEFAULT_HARDENING } from '../hardening/config.ts';
import { UpstreamGuards, guardClient, guardProxy } from '../hardening/upstream-guard.ts';
import { attachMirror, mirrorOf } from '../mirror/service.ts';
import { fingerprintOf, type LinkedMirrors } from './mirrors.ts';

interface Entry {
  tenantId: string;
  fingerprint: string;
  lastUsed: number;
  conn: GatewayConnection;
  /** SPC limits read; resolves even when IIQ is down (limits stay as configured) */
  prepared: Promise<void>;
  /** members come from the connection's mirror (its index is the mirror's, not this entry's to stop) */
  mirrored: boolean;
}

export interface RegistryOptions {
  /** state unused this long is dropped (its membership index stops refreshing); default 30 min */
  idleMs?: number;
  /** how often idle and deleted-elsewhere state is looked for; default 60 s */
  sweepIntervalMs?: number;
}

export class ConnectionRegistry {
  private readonly entries = new Map<string, Entry>();
  /** the SCIM pass-through's own pool and token per connection: proxy-only use starts no catalog or index */
  private readonly proxies = new Map<string, { tenantId: string; fingerprint: string; lastUsed: number; upstream: ProxyUpstream }>();
  private closed = false;
  private readonly idleMs: number;
  private readonly timer: NodeJS.Timeout;
  /** per-connection concurrency limit and circuit breaker, shared by the GraphQL/REST client and the proxy */
  readonly guards: UpstreamGuards;
  /** MIRROR=true: every connection's mirror (members and mirror reads come from it) */
  private mirrors: LinkedMirrors | null = null;

  constructor(
    private readonly service: ConnectionService,
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    options: RegistryOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 30 * 60_000;
    this.guards = new UpstreamGuards((config.hardening ?? DEFAULT_HARDENING).upstream);
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'linked connection sweep failed'));
    }, options.sweepIntervalMs ?? 60_000);
    this.timer.unref();
  }

  useMirrors(mirrors: LinkedMirrors): void {
    this.mirrors = mirrors;
  }

  /**
   * Drops state unused for idleMs, and state of connections deleted through another gateway instance (this
   * one only hears of its own deletes). Returns the evicted ids.
   */
  async sweep(now = Date.now()): Promise<string[]> {
    const seen = new Map<string, { tenantId: string; lastUsed: number }>();
    for (const [id, e] of [...this.entries, ...this.proxies]) {
      const prev = seen.get(id);
      seen.set(id, { tenantId: e.tenantId, lastUsed: Math.max(prev?.lastUsed ?? 0, e.lastUsed) });
    }
    const evicted: string[] = [];
    for (const [id, { tenantId, lastUsed }] of seen) {
      if (now - lastUsed > this.idleMs || !(await this.service.store.getConnection(tenantId, id))) {
        await this.evict(id);
        evicted.push(id);
      }
    }
    if (evicted.length) this.logger.info({ evicted: evicted.length }, 'linked connections closed (idle or deleted)');
    return evicted;
  }

  /** The live state for a record the caller has already authorised (tenant-scoped read). */
  async get(record: ConnectionRecord): Promise<GatewayConnection> {
    if (this.closed) throw new Error('the connection registry is closed');
    const fingerprint = fingerprintOf(record);
    let entry = this.entries.get(record.id);
    // a mirror replaced under the same settings (emptied after a target change) is picked up as well
    if (entry && (entry.fingerprint !== fingerprint || (entry.mirrored && this.mirrors && mirrorOf(entry.conn) !== this.mirrors.for(record)))) {
      // synchronously replaced, so concurrent requests never build two states for one connection
      this.entries.delete(record.id);
      void this.closeEntry(entry);
      entry = undefined;
    }
    if (!entry) {
      entry = this.build(record, fingerprint);
      this.entries.set(record.id, entry);
    }
    entry.lastUsed = Date.now();
    await entry.prepared;
    return entry.conn;
  }

  /** The proxy upstream of a record the caller has already authorised; shares the entry's lifetime. */
  proxyFor(record: ConnectionRecord): ProxyUpstream {
    if (this.closed) throw new Error('the connection registry is closed');
    const fingerprint = fingerprintOf(record);
    const current = this.proxies.get(record.id);
    if (current?.fingerprint === fingerprint) {
      current.lastUsed = Date.now();
      return current.upstream;
    }
    if (current) void current.upstream.close();
    const upstream = guardProxy(new ProxyUpstream(this.service.targetOf(record)), this.guards.for(record.id));
    this.proxies.set(record.id, { tenantId: record.tenantId, fingerprint, lastUsed: Date.now(), upstream });
    return upstream;
  }

  private build(record: ConnectionRecord, fingerprint: string): Entry {
    const logger = this.logger;
    const client = guardClient(createIiqClient(this.service.clientOptions(this.service.targetOf(record))), this.guards.for(record.id));
    const config: GatewayConfig = { ...this.config, attributeMap: record.attributeMap ?? this.config.attributeMap };
    // tenant + connection: labels its metrics and keys its read cache
    watchUpstreamGuard(record.id, this.guards.for(record.id));
    const built = createGatewayConnection(client, config, logger, { tenantId: record.tenantId, connectionId: record.id }, { connectionId: record.id, guard: this.guards.for(record.id) });
    // with a mirror, Role.members come from its persistent index (no membership scan of IIQ by this replica), and
    // `X-IIQ-Consistency: mirror`, syncStatus and changes find the connection's mirror through the state
    const mirror = this.mirrors?.for(record);
    const conn = mirror ? { ...built, membership: mirror.index } : built;
    if (mirror) attachMirror(conn, mirror);
    const prepared = (async () => {
      try {
        // never page above the server's maximum (scimSearchMaxResults)
        const spc = await client.serviceProviderConfig();
        if (spc.maxResults > 0 && spc.maxResults < conn.limits.maxSize) {
          conn.limits.maxSize = spc.maxResults;
          conn.limits.defaultSize = Math.min(conn.limits.defaultSize, spc.maxResults);
        }
      } catch (err) {
        logger.warn({ connectionId: record.id, err: (err as Error).message }, 'could not read ServiceProviderConfig of a linked connection; keeping configured page limits');
      }
      conn.membership.start();
    })();
    logger.info({ connectionId: record.id, tenantId: record.tenantId }, 'linked connection opened');
    return { tenantId: record.tenantId, fingerprint, lastUsed: Date.now(), conn, prepared, mirrored: Boolean(mirror) };
  }

  /** Drops a connection's state: stops its index, closes its pool (in-flight requests finish first). */
  async evict(connectionId: string): Promise<void> {
    const proxy = this.proxies.get(connectionId);
    this.proxies.delete(connectionId);
    await proxy?.upstream.close();
    const entry = this.entries.get(connectionId);
    if (!entry) return;
    this.entries.delete(connectionId);
    await this.closeEntry(entry);
  }

  private async closeEntry(entry: Entry): Promise<void> {
    await entry.prepared;
    if (!entry.mirrored) await entry.conn.membership.stop();
    await entry.conn.client.close();
  }

  /** ids with live state (tests, diagnostics) */
  liveIds(): string[] {
    return [...this.entries.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...new Set([...this.entries.keys(), ...this.proxies.keys()])].map((id) => this.evict(id)));
  }
}
