// Role membership index of one IIQ connection. IIQ cannot list a role's members and cannot filter users by
// role (reference §3.3), so members come from a scan of all users with their roles, refreshed on a schedule.
// Until the first scan completes `members` fails with MEMBERSHIP_INDEX_NOT_READY (never a silent empty list).
import type { IiqClient, IiqUser, RoleAcquired } from '../iiq/types.ts';
import { gatewayError } from './errors.ts';
import type { Logger } from './logger.ts';

export interface RoleMember {
  userId: string;
  userName: string;
  acquired: RoleAcquired;
  application: string | null;
  accountName: string | null;
}

export type MembershipIndexState = 'idle' | 'building' | 'ready' | 'refreshing' | 'failed' | 'stopped';

export interface MembershipIndexStatus {
  state: MembershipIndexState;
  scannedUsers: number;
  totalUsers: number | null;
  startedAt: Date | null;
  indexedAt: Date | null;
  lastError: string | null;
}

interface IndexData {
  byRole: Map<string, RoleMember[]>;
  /** every scanned identity: userName is immutable in IIQ (reference §3.1), so this never goes stale but for deletions */
  userNames: Map<string, string>;
  indexedAt: Date;
  users: number;
}

export interface MembershipIndexOptions {
  refreshIntervalMs: number;
  concurrency: number;
  /** retry delay after a failed scan (capped by refreshIntervalMs) */
  retryDelayMs?: number;
}

export class RoleMembershipIndex {
  private data: IndexData | null = null;
  private state: MembershipIndexState = 'idle';
  private scanned = 0;
  private total: number | null = null;
  private startedAt: Date | null = null;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private readyWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(
    private readonly client: IiqClient,
    private readonly options: MembershipIndexOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the first scan in the background and schedules refreshes; idempotent. */
  start(): void {
    if (this.running || this.timer || this.state === 'stopped') return;
    this.running = this.scan();
  }

  stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    for (const w of this.readyWaiters.splice(0)) w.reject(new Error('membership index stopped'));
    return (this.running ?? Promise.resolve()).catch(() => undefined);
  }

  /** Resolves once data is available (the first scan completed). */
  whenReady(): Promise<void> {
    if (this.data) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  status(): MembershipIndexStatus {
    return {
      state: this.state,
      scannedUsers: this.scanned,
      totalUsers: this.total,
      startedAt: this.startedAt,
      indexedAt: this.data?.indexedAt ?? null,
      lastError: this.lastError,
    };
  }

  /** Members of a role in userName order; throws MEMBERSHIP_INDEX_NOT_READY before the first scan. */
  members(roleId: string): { members: readonly RoleMember[]; indexedAt: Date } {
    if (!this.data) {
      if (this.state === 'idle') this.start(); // nobody called ready(): the first request starts the scan
      const s = this.status();
      throw gatewayError('MEMBERSHIP_INDEX_NOT_READY', 'role members are not available yet: the membership index is being built', {
        progress: {
          state: s.state,
          scannedUsers: s.scannedUsers,
          totalUsers: s.totalUsers,
          startedAt: s.startedAt?.toISOString() ?? null,
          ...(s.lastError ? { lastError: s.lastError } : {}),
        },
      });
    }
    return { members: this.data.byRole.get(roleId) ?? [], indexedAt: this.data.indexedAt };
  }

  /**
   * A write through the gateway: a created or replaced identity (its roles when the write returned them) or a
   * deleted one (null), applied to the current data so members and userNames reflect it before the next scan.
   */
  noteUserWritten(userId: string, user: IiqUser | null): void {
    const data = this.data;
    if (!data) return; // the scan in progress reads IIQ after the write, or before it and the next refresh catches up
    if (user === null || user.roles !== null) {
      for (const [roleId, list] of data.byRole) {
        const kept = list.filter((m) => m.userId !== userId);
        if (kept.length !== list.length) data.byRole.set(roleId, kept);
      }
    }
    if (user === null) {
      data.userNames.delete(userId);
      return;
    }
    data.userNames.set(userId, user.userName);
    for (const r of user.roles ?? []) {
      const list = [...(data.byRole.get(r.roleId) ?? [])];
      const member = { userId, userName: user.userName, acquired: r.acquired, application: r.application, accountName: r.accountName };
      // members stay in userName order, as the scan produced them (IIQ sorts case-insensitively)
      const at = list.findIndex((m) => m.userName.toLowerCase() > user.userName.toLowerCase());
      list.splice(at < 0 ? list.length : at, 0, member);
      data.byRole.set(r.roleId, list);
    }
  }

  /** The userName of an identity seen by the last scan (undefined before the first scan or when unknown). */
  userNameOf(userId: string): string | undefined {
    return this.data?.userNames.get(userId);
  }

  private async scan(): Promise<void> {
    const abort = (this.abort = new AbortController());
    this.state = this.data ? 'refreshing' : 'building';
    this.scanned = 0;
    this.total = null;
    this.startedAt = new Date();
    const started = Date.now();
    let nextDelay = this.options.refreshIntervalMs;
    try {
      this.total = await this.client.countUsers(undefined, { signal: abort.signal });
      const byRole = new Map<string, RoleMember[]>();
      const userNames = new Map<string, string>();
      const users = this.client.iterateUsers(
        { fields: [], includeRoles: true, sort: { by: 'userName', order: 'ascending' } },
        { concurrency: this.options.concurrency },
        { signal: abort.signal },
      );
      for await (const user of users) {
        this.scanned++;
        userNames.set(user.id, user.userName);
        for (const r of user.roles ?? []) {
          let list = byRole.get(r.roleId);
          if (!list) byRole.set(r.roleId, (list = []));
          list.push({ userId: user.id, userName: user.userName, acquired: r.acquired, application: r.application, accountName: r.accountName });
        }
      }
      if (abort.signal.aborted) return;
      this.data = { byRole, userNames, indexedAt: new Date(), users: this.scanned };
      this.state = 'ready';
      this.lastError = null;
      this.logger.info({ users: this.scanned, roles: byRole.size, ms: Date.now() - started }, 'role membership index built');
      for (const w of this.readyWaiters.splice(0)) w.resolve();
    } catch (err) {
      if (abort.signal.aborted) return;
      this.state = this.data ? 'ready' : 'failed'; // a failed refresh keeps serving the previous data
      this.lastError = err instanceof Error ? err.message : 'scan failed';
      this.logger.warn({ err: this.lastError, scanned: this.scanned }, 'role membership index scan failed');
      nextDelay = Math.min(this.options.refreshIntervalMs, this.options.retryDelayMs ?? 30_000);
    } finally {
      this.running = null;
      if (!abort.signal.aborted && (this.state as MembershipIndexState) !== 'stopped') {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.running = this.scan();
        }, nextDelay);
        this.timer.unref();
      }
    }
  }
}
