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

export interface LinkedSetup {
  store: ConnectionStore;
  keyring: Keyring;
  adminKey: string;
  config: GatewayConfig;
  logger: Logger;
  /** merged into every upstream client's options (tests: fast retries) */
  clientDefaults?: Partial<IiqClientOptions>;
  linkTokenTtlSeconds?: number;
}

export function createLinkedAccounts(setup: LinkedSetup): LinkedAccounts {
  let registry: ConnectionRegistry | null = null;
  const service = new ConnectionService({
    store: setup.store,
    keyring: setup.keyring,
    clientDefaults: { maxConnections: 8, logger: setup.logger, ...setup.clientDefaults },
    // a changed or deleted connection drops its client, caches and index; the next request rebuilds them
    onChange: (connectionId) => registry?.evict(connectionId),
    ...(setup.linkTokenTtlSeconds ? { linkTokenTtlSeconds: setup.linkTokenTtlSeconds } : {}),
    urlPolicy: OutboundPolicy.parse(setup.config.allowedHosts),
  });
  registry = new ConnectionRegistry(service, setup.config, setup.logger);
  return new LinkedAccounts(service, registry, setup.adminKey);
}
