// The mirror of one connection as the gateway uses it: the sync engine on its schedule, the persistent
// membership index, a mirror-reading client, the access mapping and the webhook dispatcher, wired together
// (each committed sync batch updates the index and pokes the webhooks).
import type { GatewayConnection } from '../graphql/context.ts';
import { silentLogger, type Logger } from '../graphql/logger.ts';
import { RoleCatalog } from '../graphql/role-catalog.ts';
import type { IiqClient } from '../iiq/types.ts';
import { AccessMapping } from './access.ts';
import { createMirrorClient } from './client.ts';
import { MirrorMembershipIndex } from './membership.ts';
import type { MirrorStore } from './store.ts';
import { PgLease, type Lease, type LeaseStatus, type PgLeaseGroup } from './lease.ts';
import { MirrorSync, type MirrorSyncOptions } from './sync.ts';
import type { MirrorState, SyncRun } from './types.ts';
import { WebhookDispatcher, type WebhookOptions } from './webhooks.ts';

export interface ConnectionMirrorOptions {
  live: IiqClient;
  store: MirrorStore;
  connectionId: string;
  tenantId: string;
  sync?: Partial<MirrorSyncOptions>;
  webhooks?: Partial<WebhookOptions>;
  /** static mapping (a file); otherwise the rules stored through the API */
  access?: AccessMapping;
  /** run the sync schedule (false: serve an existing mirror, e.g. another process syncs) */
  schedule?: boolean;
  /** deliver webhooks from this process (false: another process of the same SQLite mirror does, cluster mode) */
  deliverWebhooks?: boolean;
  indexPollMs?: number;
  /**
   * Several replicas on one PostgreSQL: the sync schedule and webhook deliveries run only on the replica holding
   * this connection's lease (a PostgreSQL advisory lock); the others serve reads and follow the change feed.
   */
  lease?: { connectionString: string; schema?: string | undefined; pollMs?: number } | { group: PgLeaseGroup };
  /**
   * runs each time this replica becomes the owner, before the schedule starts (linked accounts: a mirror whose
   * connection now points elsewhere is emptied first); false: do not start the work
   */
  onOwner?: () => Promise<boolean>;
  logger?: Logger;
}

export interface MirrorStatus {
  connectionId: string;
  state: 'empty' | 'syncing' | 'ready';
  running: { kind: string; startedAt: Date; fetched: number } | null;
  syncedAt: Date | null;
  ageSeconds: number | null;
  fullSyncedAt: string | null;
  lastIncrementalAt: string | null;
  lastDeletionScanAt: string | null;
  lastRolesAt: string | null;
  watermark: string | null;
  users: number;
  roles: number;
  memberships: number;
  lastCursor: string;
  lastRun: SyncRun | null;
  lastError: string | null;
  /** several replicas: whether this one owns the background work (null: no lease, it always does) */
  lease: LeaseStatus | null;
}

const latest = (...isos: (string | null)[]) => isos.filter((x): x is string => x !== null).sort().pop() ?? null;

export class ConnectionMirror {
  readonly sync: MirrorSync;
  readonly index: MirrorMembershipIndex;
  readonly client: IiqClient;
  readonly webhooks: WebhookDispatcher;
  readonly store: MirrorStore;
  readonly connectionId: string;
  readonly tenantId: string;
  private state: MirrorState | null = null;
  private staticAccess: AccessMapping | null;
  private storedAccess: AccessMapping | null = null;
  readonly lease: Lease | null = null;
  private stopping = false;
  private fence: (() => { name: string; token: number } | undefined) | null = null;
  private statePoll: NodeJS.Timeout | null = null;

  constructor(private readonly options: ConnectionMirrorOptions) {
    this.store = options.store;
    this.connectionId = options.connectionId;
    this.tenantId = options.tenantId;
    this.staticAccess = options.access ?? null;
    this.sync = new MirrorSync(options.live, options.store, options.connectionId, options.sync, options.logger);
    this.client = createMirrorClient({ live: options.live, store: options.store, connectionId: options.connectionId });
    this.index = new MirrorMembershipIndex(options.live, options.store, options.connectionId, () => this.syncedAt(), options.indexPollMs ?? 5000, options.logger ?? silentLogger());
    this.webhooks = new WebhookDispatcher(options.store, options.connectionId, options.webhooks, options.logger);
    this.sync.onChanges((events) => {
      this.index.apply(events);
      void this.webhooks.poke();
    });
    // the data's age (and readiness) follows every run, scheduled or not
    this.sync.onRun(async () => void (await this.refreshState()));
    if (options.lease) {
      const logger = options.logger;
      this.webhooks.setActive(false);
      const callbacks = {
        onAcquired: async () => {
          if (this.stopping) return;
          if (options.onOwner && !(await options.onOwner())) return;
          if (this.stopping || !this.lease?.isOwner()) return;
          this.webhooks.setActive(true);
          this.webhooks.start();
          if (options.schedule !== false) await this.sync.start();
        },
        onLost: async () => {
          this.webhooks.setActive(false);
          await this.sync.stop();
          await this.webhooks.stop();
        },
      };
      const name = `mirror:${options.connectionId}`;
      this.lease = 'group' in options.lease
        ? options.lease.group.lease(name, callbacks)
        : new PgLease({ ...options.lease, name, ...(logger ? { logger } : {}), ...callbacks });
      // fencing: the sync's writes carry the token this replica acquired the lease with (checked in the write
      // transaction); a replica that never held the lease writes unfenced (API writes: access rules)
      const lease = this.lease;
      // webhook claims and results are fenced with the same token as the sync (webhooks.ts)
      if (lease) this.webhooks.setLease(lease);
      this.fence = () => {
        const token = lease.lastToken();
        return token !== null && (lease.isOwner() || this.sync.running()) ? { name: lease.name, token } : undefined;
      };
      registerFence(options.store, options.connectionId, this.fence);
    }
  }

  /** Loads state and the index; starts the schedule and the webhook poller. */
  async start(): Promise<void> {
    await this.refreshState();
    this.index.start();
    await this.index.whenReady().catch(() => undefined);
    if (this.lease) {
      // replicas that do not own the work still follow what the owner commits (data age, readiness)
      this.statePoll = setInterval(() => void this.refreshState().catch(() => undefined), this.options.indexPollMs ?? 5000);
      this.statePoll.unref();
      this.lease.start();
      return;
    }
    if (this.options.deliverWebhooks !== false) this.webhooks.start();
    if (this.options.schedule !== false) await this.sync.start();
    else {
      // another process syncs (cluster mode's worker 1): follow what it commits (data age, readiness)
      this.statePoll = setInterval(() => void this.refreshState().catch(() => undefined), this.options.indexPollMs ?? 5000);
      this.statePoll.unref();
    }
  }

  /** Stops the work (a running sync keeps its checkpoint), then releases the lease so another replica takes over. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.statePoll) clearInterval(this.statePoll);
    this.webhooks.setActive(false);
    await this.sync.stop();
    await this.index.stop();
    await this.webhooks.stop();
    await this.lease?.stop();
    if (this.fence) unregisterFence(this.store, this.connectionId, this.fence);
  }

  /** Runs one sync kind now (or whatever is due) and refreshes the cached state. */
  async runNow(kind?: 'full' | 'incremental' | 'deletions' | 'roles'): Promise<SyncRun[]> {
    try {
      return kind ? [await this.sync.run(kind)] : await this.sync.syncDue();
    } finally {
      await this.refreshState();
    }
  }

  async refreshState(): Promise<MirrorState> {
    this.state = await this.store.getState(this.connectionId);
    return this.state;
  }

  /** when the served data was last brought up to date with IIQ (null before the first complete full sync) */
  syncedAt(): Date | null {
    const s = this.state;
    if (!s?.fullSyncedAt) return null;
    const at = latest(s.fullSyncedAt, s.lastIncrementalAt);
    return at ? new Date(at) : null;
  }

  async status(): Promise<MirrorStatus> {
    const s = await this.refreshState();
    const counts = await this.store.counts(this.connectionId);
    const runs = await this.store.listRuns(this.connectionId, 5);
    const running = this.sync.running();
    const syncedAt = this.syncedAt();
    const lastRun = runs.find((r) => r.status !== 'running') ?? null;
    return {
      connectionId: this.connectionId,
      state: running ? 'syncing' : syncedAt ? 'ready' : 'empty',
      running: running ? { kind: running.kind, startedAt: running.startedAt, fetched: running.counts.fetched } : null,
      syncedAt,
      ageSeconds: syncedAt ? Math.max(0, Math.round((Date.now() - syncedAt.getTime()) / 1000)) : null,
      fullSyncedAt: s.fullSyncedAt,
      lastIncrementalAt: s.lastIncrementalAt,
      lastDeletionScanAt: s.lastDeletionScanAt,
      lastRolesAt: s.lastRolesAt,
      watermark: s.watermark,
      users: counts.users,
      roles: counts.roles,
      memberships: counts.memberships,
      lastCursor: String(counts.lastSeq),
      lastRun,
      lastError: lastRun?.status === 'failed' ? lastRun.error : null,
      lease: this.lease?.status() ?? null,
    };
  }

  /** the file mapping when configured, else the rules stored through the API */
  async accessMapping(): Promise<AccessMapping> {
    if (this.staticAccess) return this.staticAccess;
    this.storedAccess ??= new AccessMapping(await this.store.getAccessRules(this.connectionId));
    return this.storedAccess;
  }

  async setAccessRules(mapping: AccessMapping): Promise<void> {
    await this.store.setAccessRules(this.connectionId, mapping.rules);
    this.storedAccess = mapping;
    if (this.staticAccess) this.staticAccess = mapping;
  }
}


// ---------------------------------------------------------------------------------------------------------
// Fencing per connection: one store (one database) holds many connections' mirrors, each under its own lease.
// A transaction's lock key is its connection id; with a single mirror on the store its fence also covers the
// webhook queue's transactions (keyed by webhook id).
// ---------------------------------------------------------------------------------------------------------

type Fence = () => { name: string; token: number } | undefined;
const storeFences = new WeakMap<MirrorStore, Map<string, Fence>>();

function registerFence(store: MirrorStore, connectionId: string, fence: Fence): void {
  let fences = storeFences.get(store);
  if (!fences) {
    const map = (fences = new Map<string, Fence>());
    storeFences.set(store, map);
    store.setFence((key) => (map.get(key) ?? (map.size === 1 ? map.values().next().value : undefined))?.());
  }
  fences.set(connectionId, fence);
}

function unregisterFence(store: MirrorStore, connectionId: string, fence: Fence): void {
  const fences = storeFences.get(store);
  if (fences?.get(connectionId) === fence) fences.delete(connectionId);
}

// ---------------------------------------------------------------------------------------------------------
// Per-connection attachment: the gateway's connection state knows its mirror without a field of its own
// ---------------------------------------------------------------------------------------------------------

const mirrors = new WeakMap<GatewayConnection, ConnectionMirror>();
const served = new WeakMap<GatewayConnection, GatewayConnection>();

export function attachMirror(conn: GatewayConnection, mirror: ConnectionMirror): void {
  mirrors.set(conn, mirror);
}

export function mirrorOf(conn: GatewayConnection): ConnectionMirror | undefined {
  return mirrors.get(conn);
}

/** The connection state that reads from the mirror (client, role catalog, membership index), one per connection. */
export function mirrorServedConnection(conn: GatewayConnection, mirror: ConnectionMirror): GatewayConnection {
  let derived = served.get(conn);
  if (!derived) {
    // the mirror's catalog changes only when a sync commits: a short TTL keeps it current without a listing
    derived = { ...conn, client: mirror.client, membership: mirror.index, catalog: new RoleCatalog(mirror.client, 2000, conn.logger) };
    served.set(conn, derived);
    mirrors.set(derived, mirror);
  }
  return derived;
}

const standaloneAccess = new WeakMap<GatewayConnection, AccessMapping>();

/** An access mapping without a mirror (User.permissions on live reads). */
export function attachAccess(conn: GatewayConnection, mapping: AccessMapping): void {
  standaloneAccess.set(conn, mapping);
}

/** The mapping behind User.permissions: the mirror's (file or API), else a standalone one, else none. */
export async function accessOf(conn: GatewayConnection): Promise<AccessMapping | null> {
  const mirror = mirrors.get(conn);
  if (mirror) return mirror.accessMapping();
  return standaloneAccess.get(conn) ?? null;
}
