// The mirror of one or more IIQ connections, on SQLite or PostgreSQL: users (the whole IiqUser, raw SCIM JSON
// included), the role catalog, membership edges, the change feed, sync runs and state, webhooks and their
// deliveries. Every write that changes mirrored data appends its change events in the same transaction, so the
// feed can never miss or repeat a change (a crashed batch rolls back both).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { userStub } from '../graphql/user-stub.ts';
import type { IiqRole, IiqRoleAssignment, IiqUser, RoleAcquired } from '../iiq/types.ts';
import type { MirrorDb, MirrorQueries, Row } from './db.ts';
import {
  emptyCounts,
  type ChangeEvent,
  type ChangeType,
  type DeliveryStatus,
  type MembershipEdge,
  type MirrorState,
  type RunStatus,
  type SyncCounts,
  type SyncKind,
  type SyncRun,
  type Webhook,
  type WebhookDelivery,
} from './types.ts';

const AUTO_ID = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' } as const;

/** Versioned, append-only (own `mirror_` namespace beside the connection store's tables). Never edit an applied one. */
export const MIRROR_MIGRATIONS: { version: number; name: string; sql: string[] }[] = [
  {
    version: 1,
    name: 'users, roles, memberships, changes, runs, state, webhooks, deliveries, access rules',
    sql: [
      `CREATE TABLE mirror_users (
        connection_id TEXT NOT NULL, id TEXT NOT NULL, user_name TEXT NOT NULL, last_modified TEXT,
        hash TEXT NOT NULL, data TEXT NOT NULL, seen_run INTEGER, synced_at TEXT NOT NULL,
        PRIMARY KEY (connection_id, id))`,
      `CREATE INDEX mirror_users_name ON mirror_users (connection_id, user_name)`,
      `CREATE TABLE mirror_roles (
        connection_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL, data TEXT NOT NULL,
        synced_at TEXT NOT NULL, PRIMARY KEY (connection_id, id))`,
      // '' stands for "none" in application / account_name: primary-key columns cannot be NULL in PostgreSQL
      `CREATE TABLE mirror_memberships (
        connection_id TEXT NOT NULL, user_id TEXT NOT NULL, role_id TEXT NOT NULL, acquired TEXT NOT NULL,
        application TEXT NOT NULL, account_name TEXT NOT NULL, user_name TEXT NOT NULL,
        PRIMARY KEY (connection_id, user_id, role_id, acquired, application, account_name))`,
      `CREATE INDEX mirror_memberships_role ON mirror_memberships (connection_id, role_id)`,
      `CREATE TABLE mirror_changes (
        seq {{AUTO_ID}}, connection_id TEXT NOT NULL, type TEXT NOT NULL, object_id TEXT NOT NULL,
        occurred_at TEXT NOT NULL, data TEXT NOT NULL)`,
      `CREATE INDEX mirror_changes_conn ON mirror_changes (connection_id, seq)`,
      `CREATE TABLE mirror_runs (
        id {{AUTO_ID}}, connection_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        started_at TEXT NOT NULL, ended_at TEXT, counts TEXT NOT NULL, error TEXT)`,
      `CREATE INDEX mirror_runs_conn ON mirror_runs (connection_id, id)`,
      `CREATE TABLE mirror_state (connection_id TEXT PRIMARY KEY, data TEXT NOT NULL)`,
      `CREATE TABLE mirror_webhooks (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, connection_id TEXT NOT NULL, url TEXT NOT NULL,
        secret TEXT NOT NULL, types TEXT, created_at TEXT NOT NULL, last_seq INTEGER NOT NULL)`,
      `CREATE TABLE mirror_webhook_deliveries (
        id {{AUTO_ID}}, webhook_id TEXT NOT NULL REFERENCES mirror_webhooks(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, type TEXT NOT NULL, attempts INTEGER NOT NULL, status TEXT NOT NULL,
        response_status INTEGER, error TEXT, next_attempt_at TEXT, created_at TEXT NOT NULL, delivered_at TEXT)`,
      `CREATE INDEX mirror_deliveries_due ON mirror_webhook_deliveries (status, next_attempt_at)`,
      `CREATE TABLE mirror_access_rules (
        connection_id TEXT NOT NULL, position INTEGER NOT NULL, role TEXT NOT NULL, permissions TEXT NOT NULL,
        PRIMARY KEY (connection_id, position))`,
    ],
  },
  {
    version: 2,
    name: 'case-folded userName index (IIQ matches userName case-insensitively)',
    sql: [`CREATE INDEX mirror_users_lname ON mirror_users (connection_id, (LOWER(user_name)))`],
  },
  {
    version: 3,
    name: 'filter columns: userName / displayName / emails / managerId case-folded as IIQ compares them, active',
    // filled on write (and once for existing rows by migrate); {{C}}: code-point order on PostgreSQL too
    sql: [
      `ALTER TABLE mirror_users ADD COLUMN name_fold TEXT{{C}}`,
      `ALTER TABLE mirror_users ADD COLUMN display_fold TEXT{{C}}`,
      `ALTER TABLE mirror_users ADD COLUMN emails_fold TEXT`,
      `ALTER TABLE mirror_users ADD COLUMN manager_fold TEXT`,
      `ALTER TABLE mirror_users ADD COLUMN active INTEGER`,
      `CREATE INDEX mirror_users_name_fold ON mirror_users (connection_id, name_fold, user_name)`,
      `CREATE INDEX mirror_users_display_fold ON mirror_users (connection_id, display_fold)`,
      `CREATE INDEX mirror_users_manager_fold ON mirror_users (connection_id, manager_fold)`,
    ],
  },
];

/**
 * The filter columns of a user (migration 3): strings folded with JavaScript's toLowerCase — the comparison the
 * in-memory filter makes (IIQ compares case-insensitively) — so SQL and memory agree beyond ASCII; emails as
 * "\n"-delimited list ("\na\nb\n"), so "any value equals / starts with" is one substring test.
 */
export function filterColumnsOf(u: IiqUser): [string, string | null, string | null, string | null, number | null] {
  const emails = (u.emails.length ? u.emails.map((e) => e.value) : [u.email]).filter((v): v is string => typeof v === 'string');
  return [
    u.userName.toLowerCase(),
    u.displayName?.toLowerCase() ?? null,
    emails.length ? `\n${emails.map((e) => e.toLowerCase()).join('\n')}\n` : null,
    u.manager?.id?.toLowerCase() ?? null,
    u.active === null || u.active === undefined ? null : u.active ? 1 : 0,
  ];
}
const FILTER_COLUMNS = 'name_fold, display_fold, emails_fold, manager_fold, active';

const CHUNK = 400;
const num = (v: unknown): number => Number(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const nowIso = () => new Date().toISOString();

/** Stable content hash: only real changes become events (an incremental pass re-reads the skew window). */
function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

const edgeKey = (e: { roleId: string; acquired: string; application: string | null; accountName: string | null }) =>
  `${e.roleId}\u0000${e.acquired}\u0000${e.application ?? ''}\u0000${e.accountName ?? ''}`;

function edgesOf(user: IiqUser): MembershipEdge[] {
  const seen = new Set<string>();
  const out: MembershipEdge[] = [];
  for (const r of user.roles ?? []) {
    const e = { userId: user.id, userName: user.userName, roleId: r.roleId, acquired: r.acquired, application: r.application, accountName: r.accountName };
    const k = edgeKey(e);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  }
  return out;
}

function toEdge(r: Row): MembershipEdge {
  return {
    userId: String(r.user_id),
    userName: String(r.user_name),
    roleId: String(r.role_id),
    acquired: String(r.acquired) as RoleAcquired,
    application: r.application === '' ? null : strOrNull(r.application),
    accountName: r.account_name === '' ? null : strOrNull(r.account_name),
  };
}

function toChange(r: Row): ChangeEvent {
  return {
    seq: num(r.seq),
    connectionId: String(r.connection_id),
    type: String(r.type) as ChangeType,
    objectId: String(r.object_id),
    occurredAt: String(r.occurred_at),
    data: JSON.parse(String(r.data)) as Record<string, unknown>,
  };
}

function toRun(r: Row): SyncRun {
  return {
    id: num(r.id),
    connectionId: String(r.connection_id),
    kind: String(r.kind) as SyncKind,
    status: String(r.status) as RunStatus,
    startedAt: String(r.started_at),
    endedAt: strOrNull(r.ended_at),
    counts: JSON.parse(String(r.counts)) as SyncCounts,
    error: strOrNull(r.error),
  };
}

function toWebhook(r: Row): Webhook {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    connectionId: String(r.connection_id),
    url: String(r.url),
    secret: String(r.secret),
    types: r.types === null || r.types === undefined ? null : (JSON.parse(String(r.types)) as ChangeType[]),
    createdAt: String(r.created_at),
    lastSeq: num(r.last_seq),
  };
}

function toDelivery(r: Row): WebhookDelivery {
  return {
    id: num(r.id),
    webhookId: String(r.webhook_id),
    seq: num(r.seq),
    type: String(r.type) as ChangeType,
    attempts: num(r.attempts),
    status: String(r.status) as DeliveryStatus,
    responseStatus: r.response_status === null || r.response_status === undefined ? null : num(r.response_status),
    error: strOrNull(r.error),
    nextAttemptAt: strOrNull(r.next_attempt_at),
    createdAt: String(r.created_at),
    deliveredAt: strOrNull(r.delivered_at),
  };
}

/** What a user lookup has to return (the client's UserLookupOptions): all of it, or some fields and the roles. */
export interface MirrorUserShape {
  fields?: readonly string[] | 'default' | undefined;
  includeRoles?: boolean | undefined;
}

/** fields the user row holds in columns of its own */
const COLUMN_FIELDS = new Set(['userName', 'lastModified']);
const isNarrow = (shape: MirrorUserShape | undefined): boolean => Array.isArray(shape?.fields) && shape.fields.every((f) => COLUMN_FIELDS.has(f));

/** a lookup row: the stored JSON, or the narrow columns (roles as JSON text, NULL when not asked for) */
function userOfRow(r: Row): IiqUser {
  if (r.data !== undefined) return JSON.parse(String(r.data)) as IiqUser;
  return {
    ...userStub(String(r.id), String(r.user_name)),
    roles: r.roles === null || r.roles === undefined ? null : (JSON.parse(String(r.roles)) as IiqRoleAssignment[]),
    lastModified: strOrNull(r.last_modified),
  };
}

const EMPTY_STATE: MirrorState = { watermark: null, fullSyncedAt: null, lastIncrementalAt: null, lastDeletionScanAt: null, lastRolesAt: null, fullSync: null };

/** Top-level attributes whose value changed (names only: events carry no attribute values beyond names and ids). */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const skip = new Set(['raw', 'version', 'lastModified']);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export interface ApplyResult {
  counts: SyncCounts;
  /** membership edges added / removed by this write, in feed order (for the in-memory index) */
  events: ChangeEvent[];
}

export class MirrorStore {
  constructor(readonly db: MirrorDb) {}

  /** see MirrorDb.setFence (PostgreSQL only; SQLite is one machine's file) */
  setFence(fence: (lockKey: string) => { name: string; token: number } | undefined): void {
    this.db.setFence?.(fence);
  }

  get kind(): 'sqlite' | 'postgres' {
    return this.db.kind;
  }

  async migrate(): Promise<void> {
    await this.db.run(`CREATE TABLE IF NOT EXISTS mirror_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    await this.db.tx(async (q) => {
      const done = new Set((await q.all('SELECT version FROM mirror_migrations')).map((r) => num(r.version)));
      for (const m of MIRROR_MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const sql of m.sql) await q.run(sql.replaceAll('{{AUTO_ID}}', AUTO_ID[this.db.kind]).replaceAll('{{C}}', this.db.kind === 'postgres' ? ' COLLATE "C"' : ''));
        await q.run('INSERT INTO mirror_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, nowIso()]);
      }
    }, 'migrations');
    await this.fillFilterColumns();
  }

  /** rows written before migration 3 get their filter columns (name_fold is never NULL once filled) */
  private async fillFilterColumns(): Promise<void> {
    for (;;) {
      const rows = await this.db.all('SELECT connection_id, id, data FROM mirror_users WHERE name_fold IS NULL LIMIT 500');
      if (rows.length === 0) return;
      await this.db.tx(async (q) => {
        for (const r of rows) {
          await q.run(`UPDATE mirror_users SET name_fold = ?, display_fold = ?, emails_fold = ?, manager_fold = ?, active = ? WHERE connection_id = ? AND id = ?`, [
            ...filterColumnsOf(JSON.parse(String(r.data)) as IiqUser), r.connection_id, r.id,
          ]);
        }
      }, 'migrations');
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---------------------------------------------------------------------------------------------------------
  // State and runs
  // ---------------------------------------------------------------------------------------------------------

  async getState(connectionId: string, q: MirrorQueries = this.db): Promise<MirrorState> {
    const rows = await q.all('SELECT data FROM mirror_state WHERE connection_id = ?', [connectionId]);
    return rows[0] ? { ...EMPTY_STATE, ...(JSON.parse(String(rows[0].data)) as Partial<MirrorState>) } : { ...EMPTY_STATE };
  }

  async patchState(connectionId: string, patch: Partial<MirrorState>, q?: MirrorQueries): Promise<MirrorState> {
    const write = async (tq: MirrorQueries) => {
      const next = { ...(await this.getState(connectionId, tq)), ...patch };
      await tq.run(
        `INSERT INTO mirror_state (connection_id, data) VALUES (?, ?) ON CONFLICT (connection_id) DO UPDATE SET data = excluded.data`,
        [connectionId, JSON.stringify(next)],
      );
      return next;
    };
    return q ? write(q) : this.db.tx(write, connectionId);
  }

  async startRun(connectionId: string, kind: SyncKind): Promise<SyncRun> {
    const startedAt = nowIso();
    const rows = await this.db.all(
      `INSERT INTO mirror_runs (connection_id, kind, status, started_at, counts) VALUES (?, ?, 'running', ?, ?) RETURNING id`,
      [connectionId, kind, startedAt, JSON.stringify(emptyCounts())],
    );
    return { id: num(rows[0]!.id), connectionId, kind, status: 'running', startedAt, endedAt: null, counts: emptyCounts(), error: null };
  }

  async finishRun(runId: number, status: Exclude<RunStatus, 'running'>, counts: SyncCounts, error: string | null): Promise<void> {
    await this.db.run('UPDATE mirror_runs SET status = ?, ended_at = ?, counts = ?, error = ? WHERE id = ?', [status, nowIso(), JSON.stringify(counts), error, runId]);
  }

  /** A run left 'running' by a process that died is closed as failed when the next engine starts. */
  async abandonRunning(connectionId: string): Promise<number> {
    return this.db.run(`UPDATE mirror_runs SET status = 'failed', ended_at = ?, error = 'interrupted (process stopped)' WHERE connection_id = ? AND status = 'running'`, [nowIso(), connectionId]);
  }

  async listRuns(connectionId: string, limit = 20): Promise<SyncRun[]> {
    return (await this.db.all('SELECT * FROM mirror_runs WHERE connection_id = ? ORDER BY id DESC LIMIT ?', [connectionId, limit])).map(toRun);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Users and memberships
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Upserts a batch of users with their membership edges, appends the change events, and applies `state`
   * (the checkpoint) — one transaction. A user fetched without roles (`roles: null`) keeps its edges.
   */
  async applyUsers(connectionId: string, users: readonly IiqUser[], opts: { runId?: number; state?: Partial<MirrorState> } = {}): Promise<ApplyResult> {
    const counts = emptyCounts();
    counts.fetched = users.length;
    if (users.length === 0 && !opts.state) return { counts, events: [] };
    return this.db.tx(async (q) => {
      const at = nowIso();
      const events: ChangeEvent[] = [];
      const existing = new Map<string, { hash: string; data: Record<string, unknown> }>();
      const oldEdges = new Map<string, MembershipEdge[]>();
      for (const part of chunks(users.map((u) => u.id))) {
        for (const r of await q.all(`SELECT id, hash, data FROM mirror_users WHERE connection_id = ? AND id IN (${placeholders(part.length)})`, [connectionId, ...part])) {
          existing.set(String(r.id), { hash: String(r.hash), data: JSON.parse(String(r.data)) as Record<string, unknown> });
        }
        for (const r of await q.all(`SELECT * FROM mirror_memberships WHERE connection_id = ? AND user_id IN (${placeholders(part.length)})`, [connectionId, ...part])) {
          const e = toEdge(r);
          let list = oldEdges.get(e.userId);
          if (!list) oldEdges.set(e.userId, (list = []));
          list.push(e);
        }
      }
      for (const user of users) {
        const before = existing.get(user.id);
        // a user listed without roles keeps the roles it had in the mirror
        const stored: IiqUser = user.roles === null && before ? { ...user, roles: (before.data.roles as IiqUser['roles']) ?? null } : user;
        const json = JSON.stringify(stored); // once: hashed and stored (large users: halves the allocation)
        const hash = createHash('sha256').update(json).digest('base64url');
        if (!before) {
          counts.created++;
          await q.run(
            `INSERT INTO mirror_users (connection_id, id, user_name, last_modified, hash, data, seen_run, synced_at, ${FILTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (connection_id, id) DO UPDATE SET user_name = excluded.user_name, last_modified = excluded.last_modified, hash = excluded.hash, data = excluded.data, seen_run = excluded.seen_run, synced_at = excluded.synced_at,
             name_fold = excluded.name_fold, display_fold = excluded.display_fold, emails_fold = excluded.emails_fold, manager_fold = excluded.manager_fold, active = excluded.active`,
            [connectionId, user.id, user.userName, user.lastModified, hash, json, opts.runId ?? null, at, ...filterColumnsOf(stored)],
          );
          events.push(await this.appendChange(q, connectionId, 'user.created', user.id, { id: user.id, userName: user.userName }, at));
        } else if (before.hash !== hash) {
          counts.updated++;
          await q.run('UPDATE mirror_users SET user_name = ?, last_modified = ?, hash = ?, data = ?, seen_run = ?, synced_at = ?, name_fold = ?, display_fold = ?, emails_fold = ?, manager_fold = ?, active = ? WHERE connection_id = ? AND id = ?', [
            user.userName, user.lastModified, hash, json, opts.runId ?? null, at, ...filterColumnsOf(stored), connectionId, user.id,
          ]);
          const changed = changedFields(before.data, stored as unknown as Record<string, unknown>);
          events.push(await this.appendChange(q, connectionId, 'user.updated', user.id, { id: user.id, userName: user.userName, changed }, at));
        } else {
          counts.unchanged++;
          if (opts.runId !== undefined) await q.run('UPDATE mirror_users SET seen_run = ? WHERE connection_id = ? AND id = ?', [opts.runId, connectionId, user.id]);
        }
        if (user.roles === null) continue;
        const was = new Map((oldEdges.get(user.id) ?? []).map((e) => [edgeKey(e), e]));
        const now = new Map(edgesOf(user).map((e) => [edgeKey(e), e]));
        for (const [k, e] of was) {
          if (now.has(k)) continue;
          counts.membershipsRemoved++;
          await q.run('DELETE FROM mirror_memberships WHERE connection_id = ? AND user_id = ? AND role_id = ? AND acquired = ? AND application = ? AND account_name = ?', [
            connectionId, e.userId, e.roleId, e.acquired, e.application ?? '', e.accountName ?? '',
          ]);
          events.push(await this.appendChange(q, connectionId, 'membership.removed', `${e.userId}/${e.roleId}`, { ...e }, at));
        }
        for (const [k, e] of now) {
          if (was.has(k)) continue;
          counts.membershipsAdded++;
          await q.run('INSERT INTO mirror_memberships (connection_id, user_id, role_id, acquired, application, account_name, user_name) VALUES (?, ?, ?, ?, ?, ?, ?)', [
            connectionId, e.userId, e.roleId, e.acquired, e.application ?? '', e.accountName ?? '', e.userName,
          ]);
          events.push(await this.appendChange(q, connectionId, 'membership.added', `${e.userId}/${e.roleId}`, { ...e }, at));
        }
      }
      if (opts.state) await this.patchState(connectionId, opts.state, q);
      return { counts, events };
    }, connectionId);
  }

  /** Removes users (and their edges) confirmed deleted upstream; events: membership.removed…, user.deleted. */
  async deleteUsers(connectionId: string, ids: readonly string[]): Promise<ApplyResult> {
    const counts = emptyCounts();
    if (ids.length === 0) return { counts, events: [] };
    return this.db.tx(async (q) => {
      const at = nowIso();
      const events: ChangeEvent[] = [];
      for (const part of chunks(ids)) {
        const users = await q.all(`SELECT id, user_name FROM mirror_users WHERE connection_id = ? AND id IN (${placeholders(part.length)})`, [connectionId, ...part]);
        const edges = (await q.all(`SELECT * FROM mirror_memberships WHERE connection_id = ? AND user_id IN (${placeholders(part.length)})`, [connectionId, ...part])).map(toEdge);
        await q.run(`DELETE FROM mirror_memberships WHERE connection_id = ? AND user_id IN (${placeholders(part.length)})`, [connectionId, ...part]);
        await q.run(`DELETE FROM mirror_users WHERE connection_id = ? AND id IN (${placeholders(part.length)})`, [connectionId, ...part]);
        const byUser = new Map<string, MembershipEdge[]>();
        for (const e of edges) {
          let list = byUser.get(e.userId);
          if (!list) byUser.set(e.userId, (list = []));
          list.push(e);
        }
        for (const u of users) {
          const id = String(u.id);
          for (const e of byUser.get(id) ?? []) {
            counts.membershipsRemoved++;
            events.push(await this.appendChange(q, connectionId, 'membership.removed', `${e.userId}/${e.roleId}`, { ...e }, at));
          }
          counts.deleted++;
          events.push(await this.appendChange(q, connectionId, 'user.deleted', id, { id, userName: String(u.user_name) }, at));
        }
      }
      return { counts, events };
    }, connectionId);
  }

  private async appendChange(q: MirrorQueries, connectionId: string, type: ChangeType, objectId: string, data: Record<string, unknown>, at: string): Promise<ChangeEvent> {
    const rows = await q.all('INSERT INTO mirror_changes (connection_id, type, object_id, occurred_at, data) VALUES (?, ?, ?, ?, ?) RETURNING seq', [
      connectionId, type, objectId, at, JSON.stringify(data),
    ]);
    return { seq: num(rows[0]!.seq), connectionId, type, objectId, occurredAt: at, data };
  }

  async userIds(connectionId: string): Promise<Set<string>> {
    return new Set((await this.db.all('SELECT id FROM mirror_users WHERE connection_id = ?', [connectionId])).map((r) => String(r.id)));
  }

  /** ids of users a full sync run has not seen (deletion candidates once the run completed) */
  async unseenBy(connectionId: string, runId: number): Promise<string[]> {
    return (await this.db.all('SELECT id FROM mirror_users WHERE connection_id = ? AND (seen_run IS NULL OR seen_run <> ?)', [connectionId, runId])).map((r) => String(r.id));
  }

  /**
   * Users by id. With a `shape` whose fields the user row's own columns hold (userName, lastModified), only those
   * columns and the roles are read — not the whole stored JSON (≈ 6 KB a user on a realistic directory).
   */
  async getUsersByIds(connectionId: string, ids: readonly string[], shape?: MirrorUserShape): Promise<(IiqUser | null)[]> {
    const found = new Map<string, IiqUser>();
    const cols = this.userColumns(shape);
    for (const part of chunks([...new Set(ids)])) {
      for (const r of await this.db.all(`SELECT ${cols} FROM mirror_users WHERE connection_id = ? AND id IN (${placeholders(part.length)})`, [connectionId, ...part])) {
        const u = userOfRow(r);
        found.set(u.id, u);
      }
    }
    return ids.map((id) => found.get(id) ?? null);
  }

  /**
   * Exact userName first; IIQ compares userName case-insensitively, so a unique case-folded match is used
   * otherwise. `shape` as in getUsersByIds.
   */
  async getUsersByNames(connectionId: string, names: readonly string[], shape?: MirrorUserShape): Promise<(IiqUser | null)[]> {
    const cols = this.userColumns(shape);
    if (names.length === 1) {
      // the common case (one user(userName) per request): one statement run, no maps
      const name = names[0]!;
      const rows = await this.db.all(`SELECT ${cols} FROM mirror_users WHERE connection_id = ? AND LOWER(user_name) IN (?)`, [connectionId, name.toLowerCase()]);
      const exact = rows.find((r) => r.user_name === name);
      return [exact ? userOfRow(exact) : rows.length === 1 ? userOfRow(rows[0]!) : null];
    }
    const lowered = [...new Set(names.map((n) => n.toLowerCase()))];
    const byLower = new Map<string, IiqUser[]>();
    for (const part of chunks(lowered)) {
      for (const r of await this.db.all(`SELECT ${cols} FROM mirror_users WHERE connection_id = ? AND LOWER(user_name) IN (${placeholders(part.length)})`, [connectionId, ...part])) {
        const u = userOfRow(r);
        const k = u.userName.toLowerCase();
        byLower.set(k, [...(byLower.get(k) ?? []), u]);
      }
    }
    return names.map((n) => {
      const candidates = byLower.get(n.toLowerCase()) ?? [];
      return candidates.find((u) => u.userName === n) ?? (candidates.length === 1 ? candidates[0]! : null);
    });
  }

  /** the select list for a lookup: the whole JSON, or the narrow columns plus the roles (extracted by the database) */
  private userColumns(shape: MirrorUserShape | undefined): string {
    if (!isNarrow(shape)) return 'user_name, data';
    if (!shape?.includeRoles) return 'id, user_name, last_modified, NULL AS roles';
    return `id, user_name, last_modified, ${this.db.kind === 'postgres' ? `(data::json)->>'roles'` : `json_extract(data, '$.roles')`} AS roles`;
  }

  /**
   * Users matching `where` (SQL over the filter columns, `?` placeholders: see compileUserFilter in client.ts), in
   * the order IIQ sorts userName — case-folded, ties by the exact name (descending keeps the ties ascending, as a
   * stable sort does) — one page from `offset`; `total` counts every match.
   */
  async queryUsers(
    connectionId: string,
    where: { sql: string; params: readonly unknown[] },
    page: { offset: number; limit: number | null; descending?: boolean },
  ): Promise<{ total: number; users: IiqUser[] }> {
    const cond = `connection_id = ? AND (${where.sql})`;
    const params = [connectionId, ...where.params];
    const total = num((await this.db.all(`SELECT COUNT(*) AS n FROM mirror_users WHERE ${cond}`, params))[0]?.n ?? 0);
    if (page.limit === 0 || page.offset >= total) return { total, users: [] };
    const order = page.descending ? 'name_fold DESC, user_name' : 'name_fold, user_name';
    const collate = this.db.kind === 'postgres' ? ' COLLATE "C"' : '';
    const rows = await this.db.all(
      `SELECT data FROM mirror_users WHERE ${cond} ORDER BY ${order}${collate} LIMIT ? OFFSET ?`,
      [...params, page.limit ?? total, page.offset],
    );
    return { total, users: rows.map((r) => JSON.parse(String(r.data)) as IiqUser) };
  }

  /** every mirrored user, userName order (code-point order, the same on both databases) */
  async *iterateUsers(connectionId: string, batch = 1000): AsyncGenerator<IiqUser, void, undefined> {
    // keyset on id (stable under concurrent writes), then sorted per batch is not enough for a global order:
    // the mirror is read whole and sorted once; fine at the sizes one gateway serves (100k users ≈ 100 MB JSON)
    const all: IiqUser[] = [];
    let after = '';
    for (;;) {
      const rows = await this.db.all('SELECT id, data FROM mirror_users WHERE connection_id = ? AND id > ? ORDER BY id LIMIT ?', [connectionId, after, batch]);
      for (const r of rows) all.push(JSON.parse(String(r.data)) as IiqUser);
      if (rows.length < batch) break;
      after = String(rows[rows.length - 1]!.id);
    }
    all.sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0));
    yield* all;
  }

  async counts(connectionId: string): Promise<{ users: number; roles: number; memberships: number; lastSeq: number }> {
    const one = async (sql: string) => num((await this.db.all(sql, [connectionId]))[0]?.n ?? 0);
    return {
      users: await one('SELECT COUNT(*) AS n FROM mirror_users WHERE connection_id = ?'),
      roles: await one('SELECT COUNT(*) AS n FROM mirror_roles WHERE connection_id = ?'),
      memberships: await one('SELECT COUNT(*) AS n FROM mirror_memberships WHERE connection_id = ?'),
      lastSeq: await this.lastSeq(connectionId),
    };
  }

  /** all membership edges and the feed position they reflect (one transaction: a consistent snapshot) */
  async membershipSnapshot(connectionId: string): Promise<{ edges: MembershipEdge[]; userNames: Map<string, string>; lastSeq: number }> {
    return this.db.tx(async (q) => {
      const seq = num((await q.all('SELECT COALESCE(MAX(seq), 0) AS n FROM mirror_changes WHERE connection_id = ?', [connectionId]))[0]?.n ?? 0);
      const edges = (await q.all('SELECT * FROM mirror_memberships WHERE connection_id = ?', [connectionId])).map(toEdge);
      const userNames = new Map((await q.all('SELECT id, user_name FROM mirror_users WHERE connection_id = ?', [connectionId])).map((r) => [String(r.id), String(r.user_name)] as const));
      return { edges, userNames, lastSeq: seq };
    });
  }

  async membersOf(connectionId: string, roleId: string): Promise<MembershipEdge[]> {
    return (await this.db.all('SELECT * FROM mirror_memberships WHERE connection_id = ? AND role_id = ?', [connectionId, roleId])).map(toEdge);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Roles
  // ---------------------------------------------------------------------------------------------------------

  /** Replaces the role catalog with a complete listing: role.created / role.updated / role.deleted events. */
  async replaceRoles(connectionId: string, roles: readonly IiqRole[], state?: Partial<MirrorState>): Promise<ApplyResult> {
    return this.db.tx(async (q) => {
      const at = nowIso();
      const counts = emptyCounts();
      counts.fetched = roles.length;
      const events: ChangeEvent[] = [];
      const before = new Map((await q.all('SELECT id, name, hash FROM mirror_roles WHERE connection_id = ?', [connectionId])).map((r) => [String(r.id), { name: String(r.name), hash: String(r.hash) }] as const));
      for (const role of roles) {
        const hash = hashOf(role);
        const was = before.get(role.id);
        before.delete(role.id);
        if (was && was.hash === hash) {
          counts.unchanged++;
          continue;
        }
        await q.run(
          `INSERT INTO mirror_roles (connection_id, id, name, hash, data, synced_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (connection_id, id) DO UPDATE SET name = excluded.name, hash = excluded.hash, data = excluded.data, synced_at = excluded.synced_at`,
          [connectionId, role.id, role.name, hash, JSON.stringify(role), at],
        );
        if (was) counts.updated++;
        else counts.created++;
        events.push(await this.appendChange(q, connectionId, was ? 'role.updated' : 'role.created', role.id, { id: role.id, name: role.name }, at));
      }
      for (const [id, was] of before) {
        counts.deleted++;
        await q.run('DELETE FROM mirror_roles WHERE connection_id = ? AND id = ?', [connectionId, id]);
        events.push(await this.appendChange(q, connectionId, 'role.deleted', id, { id, name: was.name }, at));
      }
      if (state) await this.patchState(connectionId, state, q);
      return { counts, events };
    }, connectionId);
  }

  async listRoles(connectionId: string): Promise<IiqRole[]> {
    const roles = (await this.db.all('SELECT data FROM mirror_roles WHERE connection_id = ?', [connectionId])).map((r) => JSON.parse(String(r.data)) as IiqRole);
    return roles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Change feed
  // ---------------------------------------------------------------------------------------------------------

  async lastSeq(connectionId: string): Promise<number> {
    return num((await this.db.all('SELECT COALESCE(MAX(seq), 0) AS n FROM mirror_changes WHERE connection_id = ?', [connectionId]))[0]?.n ?? 0);
  }

  async listChanges(connectionId: string, opts: { after?: number; types?: readonly ChangeType[] | null; limit?: number } = {}): Promise<ChangeEvent[]> {
    const types = opts.types?.length ? opts.types : null;
    const rows = await this.db.all(
      `SELECT * FROM mirror_changes WHERE connection_id = ? AND seq > ?${types ? ` AND type IN (${placeholders(types.length)})` : ''} ORDER BY seq LIMIT ?`,
      [connectionId, opts.after ?? 0, ...(types ?? []), opts.limit ?? 100],
    );
    return rows.map(toChange);
  }

  /** Drops events older than `before`, except those a webhook delivery still waits for; returns how many. */
  async pruneChanges(connectionId: string, before: Date): Promise<number> {
    return this.db.run(
      `DELETE FROM mirror_changes WHERE connection_id = ? AND occurred_at < ? AND seq NOT IN (SELECT seq FROM mirror_webhook_deliveries WHERE status = 'pending')`,
      [connectionId, before.toISOString()],
    );
  }

  async countChanges(connectionId: string, opts: { after?: number; types?: readonly ChangeType[] | null } = {}): Promise<number> {
    const types = opts.types?.length ? opts.types : null;
    const rows = await this.db.all(
      `SELECT COUNT(*) AS n FROM mirror_changes WHERE connection_id = ? AND seq > ?${types ? ` AND type IN (${placeholders(types.length)})` : ''}`,
      [connectionId, opts.after ?? 0, ...(types ?? [])],
    );
    return num(rows[0]?.n ?? 0);
  }

  async getChange(seq: number): Promise<ChangeEvent | null> {
    const rows = await this.db.all('SELECT * FROM mirror_changes WHERE seq = ?', [seq]);
    return rows[0] ? toChange(rows[0]) : null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Webhooks
  // ---------------------------------------------------------------------------------------------------------

  /** A new endpoint receives events from now on (its position starts at the feed's end). */
  async createWebhook(input: { tenantId: string; connectionId: string; url: string; types?: ChangeType[] | null; secret?: string }): Promise<Webhook> {
    const hook: Webhook = {
      id: `wh_${randomUUID()}`,
      tenantId: input.tenantId,
      connectionId: input.connectionId,
      url: input.url,
      secret: input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`,
      types: input.types?.length ? input.types : null,
      createdAt: nowIso(),
      lastSeq: await this.lastSeq(input.connectionId),
    };
    await this.db.run('INSERT INTO mirror_webhooks (id, tenant_id, connection_id, url, secret, types, created_at, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      hook.id, hook.tenantId, hook.connectionId, hook.url, hook.secret, hook.types ? JSON.stringify(hook.types) : null, hook.createdAt, hook.lastSeq,
    ]);
    return hook;
  }

  async listWebhooks(filter: { tenantId?: string; connectionId?: string } = {}): Promise<Webhook[]> {
    const rows = await this.db.all('SELECT * FROM mirror_webhooks ORDER BY created_at, id');
    return rows.map(toWebhook).filter((h) => (filter.tenantId === undefined || h.tenantId === filter.tenantId) && (filter.connectionId === undefined || h.connectionId === filter.connectionId));
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    await this.db.run('DELETE FROM mirror_webhook_deliveries WHERE webhook_id IN (SELECT id FROM mirror_webhooks WHERE id = ? AND tenant_id = ?)', [id, tenantId]);
    return (await this.db.run('DELETE FROM mirror_webhooks WHERE id = ? AND tenant_id = ?', [id, tenantId])) > 0;
  }

  /**
   * Queues a delivery per new matching event and advances the endpoint's position (one transaction); returns
   * how many events it looked at (0 = the endpoint has caught up with the feed).
   */
  async enqueueDeliveries(hook: Webhook, limit = 500): Promise<number> {
    return this.db.tx(async (q) => {
      const cur = await q.all('SELECT last_seq FROM mirror_webhooks WHERE id = ?', [hook.id]);
      if (!cur[0]) return 0;
      const after = num(cur[0].last_seq);
      const rows = await q.all('SELECT seq, type FROM mirror_changes WHERE connection_id = ? AND seq > ? ORDER BY seq LIMIT ?', [hook.connectionId, after, limit]);
      if (rows.length === 0) return 0;
      const at = nowIso();
      for (const r of rows) {
        if (hook.types && !hook.types.includes(String(r.type) as ChangeType)) continue;
        await q.run(`INSERT INTO mirror_webhook_deliveries (webhook_id, seq, type, attempts, status, next_attempt_at, created_at) VALUES (?, ?, ?, 0, 'pending', ?, ?)`, [
          hook.id, num(r.seq), String(r.type), at, at,
        ]);
      }
      await q.run('UPDATE mirror_webhooks SET last_seq = ? WHERE id = ?', [num(rows[rows.length - 1]!.seq), hook.id]);
      return rows.length;
    }, `webhook:${hook.id}`);
  }

  /** An endpoint's pending deliveries, oldest event first (due or not: a later event waits for an earlier one). */
  async pendingDeliveries(webhookId: string, limit = 100): Promise<WebhookDelivery[]> {
    const rows = await this.db.all(`SELECT * FROM mirror_webhook_deliveries WHERE webhook_id = ? AND status = 'pending' ORDER BY seq, id LIMIT ?`, [webhookId, limit]);
    return rows.map(toDelivery);
  }

  /** Pending deliveries due now, oldest event first. */
  async dueDeliveries(now: Date, limit = 100): Promise<WebhookDelivery[]> {
    const rows = await this.db.all(`SELECT * FROM mirror_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY seq, id LIMIT ?`, [now.toISOString(), limit]);
    return rows.map(toDelivery);
  }

  async recordAttempt(id: number, result: { status: DeliveryStatus; responseStatus: number | null; error: string | null; nextAttemptAt: string | null }): Promise<void> {
    await this.db.run(
      `UPDATE mirror_webhook_deliveries SET attempts = attempts + 1, status = ?, response_status = ?, error = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ?`,
      [result.status, result.responseStatus, result.error, result.nextAttemptAt, result.status === 'delivered' ? nowIso() : null, id],
    );
  }

  async listDeliveries(webhookId: string, limit = 100): Promise<WebhookDelivery[]> {
    return (await this.db.all('SELECT * FROM mirror_webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?', [webhookId, limit])).map(toDelivery);
  }

  /** Redelivery: the delivery goes back to pending, due now (attempt count kept for the log). */
  async redeliver(webhookId: string, deliveryId: number): Promise<boolean> {
    return (await this.db.run(`UPDATE mirror_webhook_deliveries SET status = 'pending', next_attempt_at = ?, error = NULL WHERE id = ? AND webhook_id = ?`, [nowIso(), deliveryId, webhookId])) > 0;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Access rules (role name or pattern -> vendor permissions)
  // ---------------------------------------------------------------------------------------------------------

  async setAccessRules(connectionId: string, rules: readonly { role: string; permissions: readonly string[] }[]): Promise<void> {
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM mirror_access_rules WHERE connection_id = ?', [connectionId]);
      let position = 0;
      for (const r of rules) await q.run('INSERT INTO mirror_access_rules (connection_id, position, role, permissions) VALUES (?, ?, ?, ?)', [connectionId, position++, r.role, JSON.stringify(r.permissions)]);
    }, connectionId);
  }

  async getAccessRules(connectionId: string): Promise<{ role: string; permissions: string[] }[]> {
    return (await this.db.all('SELECT role, permissions FROM mirror_access_rules WHERE connection_id = ? ORDER BY position', [connectionId])).map((r) => ({
      role: String(r.role),
      permissions: JSON.parse(String(r.permissions)) as string[],
    }));
  }
}

// -------------------------------------------------------------------------------------------------------------
// Linked accounts: one mirror per connection in one database (tenancy/mirrors.ts). Kept apart from the read
// and sync methods above.
// -------------------------------------------------------------------------------------------------------------

/** what a connection's mirror was synced from (a hash of its target), stored beside the sync state */
export async function mirrorTargetOf(store: MirrorStore, connectionId: string): Promise<string | null> {
  const rows = await store.db.all('SELECT data FROM mirror_state WHERE connection_id = ?', [connectionId]);
  const target = rows[0] ? (JSON.parse(String(rows[0].data)) as { target?: unknown }).target : undefined;
  return typeof target === 'string' ? target : null;
}

const CONNECTION_DATA_TABLES = ['mirror_memberships', 'mirror_users', 'mirror_roles', 'mirror_changes', 'mirror_runs', 'mirror_state'] as const;

/**
 * Empties a connection's mirror in one transaction (locked and fenced like a sync batch). `reset`: the connection
 * now points elsewhere — the data goes, the tenant's webhooks and access rules stay, and the new target is recorded
 * so the next sync starts a full pass. Without it (the connection was deleted) webhooks, their deliveries and the
 * access rules go too.
 */
export async function clearConnectionMirror(store: MirrorStore, connectionId: string, reset?: { target: string }): Promise<void> {
  await store.db.tx(async (q) => {
    for (const table of CONNECTION_DATA_TABLES) await q.run(`DELETE FROM ${table} WHERE connection_id = ?`, [connectionId]);
    if (reset) {
      await q.run('INSERT INTO mirror_state (connection_id, data) VALUES (?, ?)', [connectionId, JSON.stringify({ target: reset.target })]);
      return;
    }
    await q.run('DELETE FROM mirror_webhook_deliveries WHERE webhook_id IN (SELECT id FROM mirror_webhooks WHERE connection_id = ?)', [connectionId]);
    await q.run('DELETE FROM mirror_webhooks WHERE connection_id = ?', [connectionId]);
    await q.run('DELETE FROM mirror_access_rules WHERE connection_id = ?', [connectionId]);
  }, connectionId);
}

/** records the target of a mirror synced before targets were recorded (or first started) without touching its data */
export async function recordMirrorTarget(store: MirrorStore, connectionId: string, target: string): Promise<void> {
  await store.patchState(connectionId, { target } as Partial<MirrorState>);
}
