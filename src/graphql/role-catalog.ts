// The role catalog of one IIQ connection, cached with a TTL. Installs have hundreds to a few thousand roles
// that change rarely, so role lookups, role refs on users, parents / children / requirements / permits are
// served from memory: a cold catalog costs one listing, a warm one nothing.
import type { IiqClient, IiqRole } from '../iiq/types.ts';
import type { Logger } from './logger.ts';

export interface RoleCatalogSnapshot {
  /** sorted by name, as listed upstream */
  readonly roles: readonly IiqRole[];
  readonly byId: ReadonlyMap<string, IiqRole>;
  readonly byName: ReadonlyMap<string, IiqRole>;
  /** parent id -> child roles (IIQ has only `inheritance` = parents on a role, reference §3.3) */
  readonly childrenOf: ReadonlyMap<string, readonly IiqRole[]>;
  readonly loadedAt: Date;
}

export function snapshotOf(roles: readonly IiqRole[], loadedAt = new Date()): RoleCatalogSnapshot {
  const byId = new Map<string, IiqRole>();
  const byName = new Map<string, IiqRole>();
  const childrenOf = new Map<string, IiqRole[]>();
  for (const role of roles) {
    byId.set(role.id, role);
    byName.set(role.name, role);
    for (const parentId of role.parentIds) {
      let list = childrenOf.get(parentId);
      if (!list) childrenOf.set(parentId, (list = []));
      list.push(role);
    }
  }
  return { roles, byId, byName, childrenOf, loadedAt };
}

export class RoleCatalog {
  private snapshot: RoleCatalogSnapshot | null = null;
  private expiresAt = 0;
  private loading: Promise<RoleCatalogSnapshot> | null = null;

  constructor(
    private readonly client: IiqClient,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  /** The cached catalog, loading it once for all concurrent callers when cold or expired. */
  get(): Promise<RoleCatalogSnapshot> {
    if (this.snapshot && Date.now() < this.expiresAt) return Promise.resolve(this.snapshot);
    return (this.loading ??= this.load());
  }

  /** The cached catalog without loading (null when cold or expired). */
  peek(): RoleCatalogSnapshot | null {
    return this.snapshot && Date.now() < this.expiresAt ? this.snapshot : null;
  }

  invalidate(): void {
    this.expiresAt = 0;
  }

  private async load(): Promise<RoleCatalogSnapshot> {
    const started = Date.now();
    try {
      // one listing in practice: large pages (clamped by the client to the server's maxResults)
      const roles = await this.client.listAllRoles({ pageSize: 1000 });
      const snapshot = snapshotOf(roles);
      this.snapshot = snapshot;
      this.expiresAt = Date.now() + this.ttlMs;
      this.logger.debug({ roles: roles.length, ms: Date.now() - started }, 'role catalog loaded');
      return snapshot;
    } finally {
      this.loading = null; // failures are not cached: the next caller tries again
    }
  }
}
