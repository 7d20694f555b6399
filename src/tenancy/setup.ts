// Builds the linked-accounts stack from an open store: service, per-connection registry, request auth.
import type { GatewayConfig } from '../config.ts';
import { Keyring } from '../connections/secrets.ts';
import { ConnectionService } from '../connections/service.ts';
import { OutboundPolicy } from '../connections/url-policy.ts';
import type { ConnectionStore } from '../connections/types.ts';
import type { Logger } from '../graphql/logger.ts';
import type { IiqClientOptions } from '../iiq/types.ts';
import { LinkedAccounts } from './linked.ts';
import { ConnectionRegistry } from './registry.ts';
import type { MirrorConfig } from '../mirror/config.ts';
import { PgLeaseGroup } from '../mirror/lease.ts';
import type { MirrorStore } from '../mirror/store.ts';
import { LinkedMirrors } from './mirrors.ts';

export interface LinkedSetup {
  store: ConnectionStore;
  keyring: Keyring;
  adminKey: string;
  config: GatewayConfig;
  logger: Logger;
  /** merged into every upstream client's options (tests: fast retries) */
  clientDefaults?: Partial<IiqClientOptions>;
  linkTokenTtlSeconds?: number;
  /**
   * MIRROR=true: a mirror per connection in this (opened, migrated) store; on PostgreSQL each replica holds the
   * leases of the connections it owns on one session (`databaseUrl`). The LinkedAccounts close it.
   */
  mirror?: { store: MirrorStore; config: MirrorConfig; databaseUrl?: string | undefined; pgSchema?: string | undefined; reconcileMs?: number; indexPollMs?: number };
}

export function createLinkedAccounts(setup: LinkedSetup): LinkedAccounts {
  let registry: ConnectionRegistry | null = null;
  let mirrors: LinkedMirrors | null = null;
  const service = new ConnectionService({
    store: setup.store,
    keyring: setup.keyring,
    clientDefaults: { maxConnections: 8, logger: setup.logger, ...setup.clientDefaults },
    // a changed or deleted connection drops its client, caches and index; the next request rebuilds them
    // (and its mirror: a deleted one's rows go, a re-targeted one is emptied and synced again)
    onChange: async (connectionId) => {
      await registry?.evict(connectionId);
      await mirrors?.changed(connectionId);
    },
    ...(setup.linkTokenTtlSeconds ? { linkTokenTtlSeconds: setup.linkTokenTtlSeconds } : {}),
    urlPolicy: OutboundPolicy.parse(setup.config.allowedHosts),
  });
  registry = new ConnectionRegistry(service, setup.config, setup.logger);
  const m = setup.mirror;
  if (m) {
    const group = m.store.kind === 'postgres' && m.databaseUrl
      ? new PgLeaseGroup({ connectionString: m.databaseUrl, schema: m.pgSchema, pollMs: m.config.leasePollMs, ...(m.config.maxLeases > 0 ? { maxOwned: m.config.maxLeases } : {}), logger: setup.logger })
      : null;
    mirrors = new LinkedMirrors({
      store: m.store,
      config: m.config,
      service,
      group,
      guards: registry.guards,
      logger: setup.logger,
      ...(m.reconcileMs ? { reconcileMs: m.reconcileMs } : {}),
      ...(m.indexPollMs ? { indexPollMs: m.indexPollMs } : {}),
    });
    registry.useMirrors(mirrors);
  }
  return new LinkedAccounts(service, registry, setup.adminKey, mirrors);
}
