// Builds the mirror of the single connection from its configuration (server.ts, CLI).
import type { Logger } from '../graphql/logger.ts';
import type { IiqClient } from '../iiq/types.ts';
import { AccessMapping } from './access.ts';
import type { MirrorConfig } from './config.ts';
import { openMirrorStore } from './open.ts';
import { ConnectionMirror } from './service.ts';

/** The single connection's id and tenant in the mirror tables. */
export const SINGLE_CONNECTION_ID = 'default';

export async function openConnectionMirror(config: MirrorConfig, live: IiqClient, opts: { logger?: Logger; schedule?: boolean; deliverWebhooks?: boolean } = {}): Promise<ConnectionMirror> {
  const access = config.accessMapFile ? AccessMapping.fromFile(config.accessMapFile) : undefined;
  const store = await openMirrorStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  return new ConnectionMirror({
    live,
    store,
    connectionId: SINGLE_CONNECTION_ID,
    tenantId: SINGLE_CONNECTION_ID,
    sync: config.sync,
    ...(access ? { access } : {}),
    schedule: opts.schedule ?? true,
    ...(opts.deliverWebhooks === false ? { deliverWebhooks: false } : {}),
    // PostgreSQL may be shared by several replicas: the scheduled work is owned through a lease
    ...(config.databaseUrl && (opts.schedule ?? true) ? { lease: { connectionString: config.databaseUrl, pollMs: config.leasePollMs } } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}
