// The role membership index served from the mirror: loaded once from the mirror's edges (persistent — a restart
// needs no upstream scan), then kept current incrementally from the change feed (membership.* and user.*
// events, in cursor order). Same interface as the in-memory scanner it replaces (graphql/membership-index.ts).
import type { IiqClient } from '../iiq/types.ts';
import { gatewayError } from '../graphql/errors.ts';
import type { Logger } from '../graphql/logger.ts';
import { RoleMembershipIndex, type MembershipIndexState, type MembershipIndexStatus, type RoleMember } from '../graphql/membership-index.ts';
import type { MirrorStore } from './store.ts';
import type { ChangeEvent, MembershipEdge } from './types.ts';

const FEED_TYPES = ['membership.added', 'membership.removed', 'user.created', 'user.deleted'] as const;

const memberKey = (m: { userId: string; acquired: string; application: string | null; accountName: string | null }) =>
  `${m.userId}\u0000${m.acquired}\u0000${m.application ?? ''}\u0000${m.accountName ?? ''}`;

export class MirrorMembershipIndex extends RoleMembershipIndex {
  private byRole = new Map<string, Map<string, RoleMember>>();
  private sorted = new Map<string, RoleMember[]>();
  private names = new Map<string, string>();
  private lastSeq = 0;
  private loaded = false;
  private mirrorState: MembershipIndexState = 'idle';
  private loading: Promise<void> | null = null;
  private poll: NodeJS.Timeout | null = null;
  private error: string | null = null;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(
    client: IiqClient,
    private readonly store: MirrorStore,
    private readonly connectionId: string,
    /** when the mirror was last brought up to date (the data's age) */
    private readonly syncedAt: () => Date | null,
    private readonly pollMs: number,
    logger: Logger,
  ) {
    super(client, { refreshIntervalMs: pollMs, concurrency: 1 }, logger);
  }

  override start(): void {
    if (this.loading || this.mirrorState === 'stopped') return;
    this.mirrorState = 'building';
    this.loading = this.load();
  }

  override stop(): Promise<void> {
    this.mirrorState = 'stopped';
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    for (const w of this.waiters.splice(0)) w.reject(new Error('membership index stopped'));
    return (this.loading ?? Promise.resolve()).catch(() => undefined);
  }

  override whenReady(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    this.start();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  override status(): MembershipIndexStatus {
    return {
      state: this.mirrorState,
      scannedUsers: this.names.size,
      totalUsers: this.loaded ? this.names.size : null,
      startedAt: null,
      indexedAt: this.loaded ? this.syncedAt() : null,
      lastError: this.error,
    };
  }

  override members(roleId: string): { members: readonly RoleMember[]; indexedAt: Date } {
    const indexedAt = this.loaded ? this.syncedAt() : null;
    if (!this.loaded || !indexedAt) {
      this.start();
      throw gatewayError('MEMBERSHIP_INDEX_NOT_READY', 'role members are not available yet: the mirror has not completed a full sync', {
        progress: { state: this.mirrorState, scannedUsers: this.names.size, totalUsers: null, startedAt: null },
      });
    }
    let list = this.sorted.get(roleId);
    if (!list) {
      list = [...(this.byRole.get(roleId)?.values() ?? [])].sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0));
      this.sorted.set(roleId, list);
    }
    return { members: list, indexedAt };
  }

  override userNameOf(userId: string): string | undefined {
    return this.names.get(userId);
  }

  /** Applies feed events past the index's position (events of this process's sync arrive here directly). */
  apply(events: readonly ChangeEvent[]): void {
    if (!this.loaded) return; // the snapshot load reads them
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      if (e.type === 'membership.added' || e.type === 'membership.removed') {
        const edge = e.data as unknown as MembershipEdge;
        let role = this.byRole.get(edge.roleId);
        if (e.type === 'membership.added') {
          if (!role) this.byRole.set(edge.roleId, (role = new Map()));
          role.set(memberKey(edge), { userId: edge.userId, userName: edge.userName, acquired: edge.acquired, application: edge.application, accountName: edge.accountName });
        } else {
          role?.delete(memberKey(edge));
        }
        this.sorted.delete(edge.roleId);
      } else if (e.type === 'user.created') {
        this.names.set(String(e.data.id), String(e.data.userName));
      } else if (e.type === 'user.deleted') {
        this.names.delete(String(e.data.id));
      }
    }
  }

  /** Reads the feed from the index's position (another process may be the one syncing). */
  async catchUp(): Promise<void> {
    if (!this.loaded) return;
    for (;;) {
      const page = await this.store.listChanges(this.connectionId, { after: this.lastSeq, types: FEED_TYPES, limit: 1000 });
      this.apply(page);
      if (page.length < 1000) return;
    }
  }

  private async load(): Promise<void> {
    try {
      const snap = await this.store.membershipSnapshot(this.connectionId);
      for (const e of snap.edges) {
        let role = this.byRole.get(e.roleId);
        if (!role) this.byRole.set(e.roleId, (role = new Map()));
        role.set(memberKey(e), { userId: e.userId, userName: e.userName, acquired: e.acquired, application: e.application, accountName: e.accountName });
      }
      this.names = snap.userNames;
      this.lastSeq = snap.lastSeq;
      this.loaded = true;
      this.mirrorState = 'ready';
      for (const w of this.waiters.splice(0)) w.resolve();
      this.poll = setInterval(() => {
        this.catchUp().catch((err: unknown) => {
          this.error = err instanceof Error ? err.message : String(err);
        });
      }, this.pollMs);
      this.poll.unref();
    } catch (err) {
      this.mirrorState = 'failed';
      this.error = err instanceof Error ? err.message : String(err);
      this.loading = null;
      for (const w of this.waiters.splice(0)) w.reject(err);
    }
  }
}
