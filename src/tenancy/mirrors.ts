// The directory mirror in linked-accounts mode: one ConnectionMirror per connection in the store, all in one mirror
// database (tables keyed by connection id). Every replica keeps a mirror object for every connection — reads
// (members, `X-IIQ-Consistency: mirror`, the change feed) come from the shared database whichever replica serves
// them — while the background work of each connection (sync schedule, webhook deliveries) runs on the one replica
// holding that connection's lease (PostgreSQL: advisory locks on one session per replica, lease.ts PgLeaseGroup;
// SQLite is one process's file, which owns everything).
//
// Lifecycle: at start and every `reconcileMs` the store's connections are listed (bounded concurrency); a new one
// gets a mirror, a deleted one loses it (rows removed, lease released and its token row dropped), and one whose
// client changed (credentials, CA: same directory) gets a new client over the same rows. A changed target
// (base URL or attribute map: possibly another directory) empties the mirror, done once by the lease owner (so
// writes stay fenced) before its full sync; every replica then reloads its membership index.
import { createHash } from 'node:crypto';
import type { ConnectionService } from '../connections/service.ts';
import type { ConnectionRecord } from '../connections/types.ts';
import type { Logger } from '../graphql/logger.ts';
import { createIiqClient } from '../iiq/client.ts';
import type { IiqClient } from '../iiq/types.ts';
import { guardClient, type UpstreamGuards } from '../hardening/upstream-guard.ts';
import type { MirrorConfig } from '../mirror/config.ts';
import type { PgLeaseGroup } from '../mirror/lease.ts';
import { ConnectionMirror } from '../mirror/service.ts';
import { clearConnectionMirror, mirrorTargetOf, recordMirrorTarget, type MirrorStore } from '../mirror/store.ts';
import { SyncLimiter } from '../mirror/sync.ts';

/** connections whose mirrors are opened at once when a replica starts or reconciles */
export const MIRROR_START_CONCURRENCY = 8;

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('base64url');

/** What makes a client different: where it goes, how it authenticates, what it trusts, how it maps attributes. */
export function fingerprintOf(record: ConnectionRecord): string {
  return sha([record.baseUrl, record.secret, record.caBundle, record.attributeMap]);
}

/** What the mirrored data depends on: the directory and the attribute mapping (not the credentials). */
export function mirrorTargetHash(record: ConnectionRecord): string {
  return sha([record.baseUrl, record.attributeMap]);
}

interface Entry {
  tenantId: string;
  fingerprint: string;
  target: string;
  mirror: ConnectionMirror;
  client: IiqClient;
  started: Promise<void>;
  /** the rows may still be another target's: reload once the owner has emptied them */
  awaitingReset: boolean;
}

export interface LinkedMirrorsOptions {
  store: MirrorStore;
  config: MirrorConfig;
  service: ConnectionService;
  /** PostgreSQL: the replica's lease session (null: SQLite, this process owns every connection's work) */
  group: PgLeaseGroup | null;
  /** the connection's concurrency limit and circuit breaker (shared with its request traffic) */
  guards: UpstreamGuards;
  logger: Logger;
  /** how often the store's connections are compared with the open mirrors; default config.reconcileMs */
  reconcileMs?: number;
  /** mirror index / state poll (tests: shorter) */
  indexPollMs?: number;
}

const tagged = (l: Logger, fields: object): Logger => ({
  info: (o, m) => l.info({ ...fields, ...o }, m),
  warn: (o, m) => l.warn({ ...fields, ...o }, m),
  error: (o, m) => l.error({ ...fields, ...o }, m),
  debug: (o, m) => l.debug({ ...fields, ...o }, m),
});

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export class LinkedMirrors {
  private readonly entries = new Map<string, Entry>();
  /** sync runs of all connections on this replica share these slots (MIRROR_MAX_CONCURRENT_SYNCS) */
  readonly limiter: SyncLimiter;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private reconciling: Promise<void> | null = null;

  constructor(private readonly options: LinkedMirrorsOptions) {
    this.limiter = new SyncLimiter(options.config.maxConcurrentSyncs);
  }

  get store(): MirrorStore {
    return this.options.store;
  }

  /** Opens a mirror for every connection in the store, then keeps the set current. */
  async start(): Promise<void> {
    this.options.group?.start();
    // scheduled first: a store that cannot be read now is tried again at the next interval
    const every = this.options.reconcileMs ?? this.options.config.reconcileMs;
    const attempt = () => this.reconcile().catch((err: unknown) => {
      this.options.logger.warn({ err: (err as Error).message }, 'mirror reconcile failed; trying again at the next interval');
      throw err;
    });
    this.timer = setInterval(() => void attempt().catch(() => undefined), every);
    this.timer.unref();
    await attempt();
  }

  /** The mirror of a connection the caller is authorised for (opened now if this replica has not seen it yet). */
  for(record: ConnectionRecord): ConnectionMirror {
    return this.ensure(record).mirror;
  }

  /** the open mirror of a connection id, if any (diagnostics, tests) */
  current(connectionId: string): ConnectionMirror | undefined {
    return this.entries.get(connectionId)?.mirror;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Compares the store's connections with the open mirrors: opens, replaces and removes. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    if (this.closed) return;
    const records: ConnectionRecord[] = [];
    for (const t of await this.options.service.store.listTenants()) records.push(...(await this.options.service.store.listConnections(t.id)));
    const live = new Set(records.map((r) => r.id));
    await eachLimited(records, MIRROR_START_CONCURRENCY, async (r) => {
      const entry = this.ensure(r);
      await entry.started;
      if (entry.awaitingReset && (await mirrorTargetOf(this.store, r.id)) === entry.target) await this.reopen(r.id);
    });
    await eachLimited([...this.entries.keys()].filter((id) => !live.has(id)), MIRROR_START_CONCURRENCY, (id) => this.remove(id));
  }

  /** A connection changed or was deleted through this replica (the connection service's onChange). */
  async changed(connectionId: string): Promise<void> {
    const entry = this.entries.get(connectionId);
    if (!entry) return void (await this.reconcile());
    const record = await this.options.service.store.getConnection(entry.tenantId, connectionId);
    if (!record) await this.remove(connectionId);
    else await this.ensure(record).started;
  }

  private ensure(record: ConnectionRecord): Entry {
    if (this.closed) throw new Error('the linked mirrors are closed');
    const fingerprint = fingerprintOf(record);
    const current = this.entries.get(record.id);
    if (current?.fingerprint === fingerprint) return current;
    const entry = this.open(record, fingerprint, current ? current.started.then(() => this.closeEntry(current)) : Promise.resolve());
    this.entries.set(record.id, entry);
    return entry;
  }

  private open(record: ConnectionRecord, fingerprint: string, after: Promise<void>): Entry {
    const { service, store, config, logger, group } = this.options;
    const target = mirrorTargetHash(record);
    const client = guardClient(createIiqClient(service.clientOptions(service.targetOf(record))), this.options.guards.for(record.id));
    const connectionId = record.id;
    const log = tagged(logger, { connectionId, tenantId: record.tenantId });
    const entry: Entry = { tenantId: record.tenantId, fingerprint, target, client, awaitingReset: false, started: Promise.resolve(), mirror: null as unknown as ConnectionMirror };
    entry.mirror = new ConnectionMirror({
      live: client,
      store,
      connectionId,
      tenantId: record.tenantId,
      sync: { ...config.sync, limiter: this.limiter, startJitterMs: Math.min(config.sync.incrementalIntervalMs, 10_000) },
      ...(this.options.indexPollMs ? { indexPollMs: this.options.indexPollMs } : {}),
      ...(group ? { lease: { group } } : {}),
      // webhook URLs of linked connections are held to the same IIQ_GRAPH_ALLOWED_HOSTS as their IIQ URLs
      webhooks: { urlPolicy: service.urlPolicy },
      logger: log,
      onOwner: () => this.takeOwnership(entry, connectionId),
    });
    entry.started = (async () => {
      await after.catch(() => undefined);
      const stored = await mirrorTargetOf(store, connectionId);
      entry.awaitingReset = stored !== null && stored !== target;
      // SQLite: this process is the owner (a mirror being replaced does not start)
      if (!group && !(await this.takeOwnership(entry, connectionId))) return;
      await entry.mirror.start();
      log.info({ lease: Boolean(group) }, 'linked connection mirror opened');
    })().catch((err: unknown) => log.error({ err: (err as Error).message }, 'linked connection mirror failed to start'));
    return entry;
  }

  /**
   * The owner's first step: a connection deleted or changed meanwhile is not synced (the next reconcile replaces
   * it); rows of another target are emptied (fenced by this owner's token) and every mirror object reloads.
   */
  private async takeOwnership(entry: Entry, connectionId: string): Promise<boolean> {
    try {
      return await this.prepareOwned(entry, connectionId);
    } catch (err) {
      // never hold a lease without doing its work: a fresh object releases it and competes again
      this.options.logger.warn({ connectionId, err: (err as Error).message }, 'linked connection mirror could not take over its work; reopening it');
      void this.reopen(connectionId).catch(() => undefined);
      return false;
    }
  }

  private async prepareOwned(entry: Entry, connectionId: string): Promise<boolean> {
    if (this.entries.get(connectionId) !== entry) return false;
    const fresh = await this.options.service.store.getConnection(entry.tenantId, connectionId);
    if (!fresh || fingerprintOf(fresh) !== entry.fingerprint) {
      void this.reconcile();
      return false;
    }
    const stored = await mirrorTargetOf(this.store, connectionId);
    if (stored === entry.target) return true;
    if (stored === null) {
      // first start (or a mirror from before targets were recorded): the rows are this target's
      await recordMirrorTarget(this.store, connectionId, entry.target);
      return true;
    }
    this.options.logger.warn({ connectionId }, 'linked connection now points elsewhere: its mirror is emptied and fully synced again');
    await clearConnectionMirror(this.store, connectionId, { target: entry.target });
    // the membership index of this object was loaded from the old rows: a fresh object takes over (and the lease)
    void this.reopen(connectionId);
    return false;
  }

  /** Replaces a connection's mirror object by a new one over the same client settings (fresh index and state). */
  private async reopen(connectionId: string): Promise<void> {
    const current = this.entries.get(connectionId);
    if (!current || this.closed) return;
    const record = await this.options.service.store.getConnection(current.tenantId, connectionId);
    if (!record || this.entries.get(connectionId) !== current) return;
    const entry = this.open(record, fingerprintOf(record), current.started.then(() => this.closeEntry(current)));
    this.entries.set(connectionId, entry);
    await entry.started;
  }

  /** A deleted connection: its mirror stops, its rows go, its lease is released and forgotten. */
  private async remove(connectionId: string): Promise<void> {
    const entry = this.entries.get(connectionId);
    if (entry) {
      this.entries.delete(connectionId);
      await entry.started;
      await this.closeEntry(entry);
    }
    await clearConnectionMirror(this.store, connectionId);
    await this.options.group?.forget(`mirror:${connectionId}`);
    this.options.logger.info({ connectionId }, 'linked connection mirror removed (connection deleted)');
  }

  private async closeEntry(entry: Entry): Promise<void> {
    await entry.mirror.stop().catch(() => undefined);
    await entry.client.close().catch(() => undefined);
  }

  /** Stops every mirror (running syncs keep their checkpoints) and ends the lease session. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.reconciling?.catch(() => undefined);
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => {
      await e.started;
      await this.closeEntry(e);
    }));
    await this.options.group?.stop();
    await this.store.close();
  }
}
