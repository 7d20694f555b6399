// An IiqClient that reads from the mirror: the same interface the schema's loaders, role catalog and REST face
// already use, so a request asking for mirror consistency is served by the whole graph without IIQ. Filters are
// evaluated the way IIQ does (case-insensitive strings, reference §4.3); writes go to the live client.
import type { FilterNode } from '../iiq/filter.ts';
import type {
  CallOptions,
  IiqClient,
  IiqRole,
  IiqUser,
  IterateOptions,
  NotModified,
  Page,
  RoleField,
  RoleQuery,
  UserField,
  UserLookupOptions,
  UserQuery,
} from '../iiq/types.ts';
import type { MirrorStore } from './store.ts';

type Scalar = string | number | boolean | null;

function userValues(u: IiqUser, field: string): Scalar[] {
  switch (field) {
    case 'email':
      return u.emails.length ? u.emails.map((e) => e.value) : [u.email];
    case 'managerId':
      return [u.manager?.id ?? null];
    case 'managerDisplayName':
      return [u.manager?.displayName ?? null];
    case 'capabilities':
      return u.capabilities.length ? u.capabilities : [null];
    default: {
      if (field.startsWith('custom:')) {
        const name = field.slice(7).replace(/\.(value|displayName)$/, '');
        const sub = field.endsWith('.displayName') ? 'displayName' : field.endsWith('.value') ? 'id' : null;
        const key = Object.keys(u.customAttributes).find((k) => k.toLowerCase() === name.toLowerCase());
        const v = key === undefined ? null : u.customAttributes[key];
        const list = Array.isArray(v) ? v : [v];
        return list.map((x) => (x && typeof x === 'object' ? (((x as Record<string, unknown>)[sub ?? 'id'] as Scalar) ?? null) : ((x ?? null) as Scalar)));
      }
      return [((u as unknown as Record<string, unknown>)[field] ?? null) as Scalar];
    }
  }
}

function roleValues(r: IiqRole, field: string): Scalar[] {
  switch (field) {
    case 'type':
      return [r.type?.name ?? null];
    case 'ownerId':
      return [r.owner?.id ?? null];
    case 'ownerDisplayName':
      return [r.owner?.displayName ?? null];
    case 'parentId':
      return r.parentIds.length ? r.parentIds : [null];
    case 'requiredRoleId':
      return r.requiredRoleIds.length ? r.requiredRoleIds : [null];
    case 'permittedRoleId':
      return r.permittedRoleIds.length ? r.permittedRoleIds : [null];
    default:
      return [((r as unknown as Record<string, unknown>)[field] ?? null) as Scalar];
  }
}

const DATE_FIELDS = new Set(['created', 'lastModified', 'lastRefresh']);

function compare(a: Scalar, b: Scalar, dates: boolean): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (dates) return Date.parse(String(a)) - Date.parse(String(b));
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b) ? 0 : String(a) < String(b) ? -1 : 1;
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Evaluates a filter tree against one object; multi-valued attributes match when any value does (RFC 7644 §3.4.2.2). */
export function matches<T>(node: FilterNode<string>, obj: T, values: (o: T, f: string) => Scalar[]): boolean {
  switch (node.op) {
    case 'and':
      return node.children.every((c) => matches(c, obj, values));
    case 'or':
      return node.children.some((c) => matches(c, obj, values));
    case 'not':
      return !matches(node.child, obj, values);
    case 'pr':
      return values(obj, node.attr).some((v) => v !== null && v !== '');
    default: {
      const vs = values(obj, node.attr);
      const dates = DATE_FIELDS.has(node.attr);
      const want = node.value;
      const test = (v: Scalar) => {
        switch (node.op) {
          case 'eq':
            return compare(v, want, dates) === 0;
          case 'ne':
            return compare(v, want, dates) !== 0;
          case 'co':
            return v !== null && String(v).toLowerCase().includes(String(want).toLowerCase());
          case 'sw':
            return v !== null && String(v).toLowerCase().startsWith(String(want).toLowerCase());
          case 'gt':
            return v !== null && compare(v, want, dates) > 0;
          case 'ge':
            return v !== null && compare(v, want, dates) >= 0;
          case 'lt':
            return v !== null && compare(v, want, dates) < 0;
          case 'le':
            return v !== null && compare(v, want, dates) <= 0;
        }
      };
      return node.op === 'ne' ? vs.every(test) : vs.some(test);
    }
  }
}

function sorter<T>(values: (o: T, f: string) => Scalar[], by: string, order: 'ascending' | 'descending' | undefined) {
  const dir = order === 'descending' ? -1 : 1;
  const dates = DATE_FIELDS.has(by);
  return (a: T, b: T) => dir * compare(values(a, by)[0] ?? null, values(b, by)[0] ?? null, dates);
}

function page<T>(items: T[], startIndex: number | undefined, count: number | undefined, fallback: number): Page<T> {
  const start = Math.max(1, Math.floor(startIndex ?? 1)); // 1-based, RFC 7644 §3.4.2.4
  const n = Math.max(0, Math.floor(count ?? fallback));
  return { totalResults: items.length, startIndex: start, items: items.slice(start - 1, start - 1 + n) };
}

/** SQL over the mirror's filter columns (migration 3), `?` placeholders; two-valued (never NULL), so NOT is exact. */
interface SqlFilter {
  sql: string;
  params: unknown[];
}

/** filterable attributes held in columns: case-folded strings (single- or multi-valued) and active */
const FOLDED: Record<string, { col: string; multi: boolean }> = {
  userName: { col: 'name_fold', multi: false },
  displayName: { col: 'display_fold', multi: false },
  email: { col: 'emails_fold', multi: true },
  managerId: { col: 'manager_fold', multi: false },
};

/**
 * Compiles a users filter to SQL when every comparison maps to a filter column — userName / displayName / email
 * / managerId eq, ne, sw and active eq, ne under and / or / not — with exactly the semantics of `matches` (IIQ's
 * case-insensitive comparison; ne is true for a missing value); null when anything does not (the caller then
 * filters in memory, as before).
 */
export function compileUserFilter(node: FilterNode<string>, kind: 'sqlite' | 'postgres'): SqlFilter | null {
  switch (node.op) {
    case 'and':
    case 'or': {
      const parts = node.children.map((c) => compileUserFilter(c, kind));
      if (parts.length === 0 || parts.some((p) => p === null)) return null;
      return { sql: parts.map((p) => `(${p!.sql})`).join(node.op === 'and' ? ' AND ' : ' OR '), params: parts.flatMap((p) => p!.params) };
    }
    case 'not': {
      const inner = compileUserFilter(node.child, kind);
      return inner && { sql: `NOT (${inner.sql})`, params: inner.params };
    }
    case 'pr':
      return null;
    default: {
      const { attr, op, value } = node;
      if (attr === 'active') {
        if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) return null;
        const bit = value ? 1 : 0;
        return op === 'eq' ? { sql: 'active IS NOT NULL AND active = ?', params: [bit] } : { sql: 'active IS NULL OR active <> ?', params: [bit] };
      }
      const target = FOLDED[attr];
      if (!target || typeof value !== 'string' || (op !== 'eq' && op !== 'ne' && op !== 'sw')) return null;
      const v = value.toLowerCase();
      const { col } = target;
      if (target.multi) {
        // "\na\nb\n": any value equals v ⇔ contains "\nv\n"; any value starts with v ⇔ contains "\nv"
        const find = kind === 'postgres' ? `strpos(${col}, ?)` : `instr(${col}, ?)`;
        if (op === 'sw') return { sql: `${col} IS NOT NULL AND ${find} > 0`, params: [`\n${v}`] };
        const any = `${col} IS NOT NULL AND ${find} > 0`;
        return op === 'eq' ? { sql: any, params: [`\n${v}\n`] } : { sql: `NOT (${any})`, params: [`\n${v}\n`] };
      }
      if (op === 'eq') return { sql: `${col} IS NOT NULL AND ${col} = ?`, params: [v] };
      if (op === 'ne') return { sql: `${col} IS NULL OR ${col} <> ?`, params: [v] };
      // starts with: a range the index serves (byte order of UTF-8 = code-point order; "C" collation on
      // PostgreSQL), then the exact prefix test
      return {
        sql: `${col} IS NOT NULL AND ${col} >= ? AND ${col} < ? AND substr(${col}, 1, ?) = ?`,
        params: [v, `${v}\u{10FFFF}`, [...v].length, v],
      };
    }
  }
}

export interface MirrorClientOptions {
  live: IiqClient;
  store: MirrorStore;
  connectionId: string;
  pageSize?: number;
}

/** A read-only view of the mirror as an IiqClient (writes and discovery go live). */
export function createMirrorClient({ live, store, connectionId, pageSize = 100 }: MirrorClientOptions): IiqClient {
  // whole-table snapshots, reloaded when the feed moved (one cheap MAX(seq) per call)
  interface UserSnapshot {
    seq: number;
    list: IiqUser[];
  }
  let users: UserSnapshot | null = null;
  let roles: { seq: number; list: IiqRole[] } | null = null;
  let loadingUsers: Promise<UserSnapshot> | null = null;

  async function allUsers(): Promise<UserSnapshot> {
    const seq = await store.lastSeq(connectionId);
    if (users && users.seq === seq) return users;
    loadingUsers ??= (async () => {
      const list: IiqUser[] = [];
      for await (const u of store.iterateUsers(connectionId)) list.push(u);
      const snap: UserSnapshot = { seq, list };
      users = snap;
      return snap;
    })().finally(() => {
      loadingUsers = null;
    });
    return loadingUsers;
  }
  async function allRoles() {
    const seq = await store.lastSeq(connectionId);
    if (roles && roles.seq === seq) return roles;
    roles = { seq, list: await store.listRoles(connectionId) };
    return roles;
  }
  /**
   * A page of users straight from SQL when the filter compiles and the order is userName's (the default);
   * null otherwise (then the whole-table snapshot is filtered and sorted in memory).
   */
  async function queryUsers(query: Omit<UserQuery, 'startIndex' | 'count'>, page: { offset: number; limit: number | null }) {
    if ((query.sort?.by ?? 'userName') !== 'userName') return null;
    const where = query.filter ? compileUserFilter(query.filter as FilterNode<string>, store.kind) : { sql: '1 = 1', params: [] };
    if (!where) return null;
    return store.queryUsers(connectionId, where, { ...page, descending: query.sort?.order === 'descending' });
  }
  async function selectUsers(query: Omit<UserQuery, 'startIndex' | 'count'>): Promise<IiqUser[]> {
    const { list } = await allUsers();
    const out = query.filter ? list.filter((u) => matches(query.filter as FilterNode<string>, u, userValues)) : [...list];
    return out.sort(sorter(userValues, query.sort?.by ?? 'userName', query.sort?.order));
  }

  // everything not overridden (writes, discovery, anything added to the client later) goes live
  return {
    ...live,
    baseUrl: live.baseUrl,
    serviceProviderConfig: (opts?: CallOptions) => live.serviceProviderConfig(opts),
    async listUsers(query: UserQuery) {
      const startIndex = Math.max(1, Math.floor(query.startIndex ?? 1)); // 1-based, RFC 7644 §3.4.2.4
      const count = Math.max(0, Math.floor(query.count ?? pageSize));
      const fromSql = await queryUsers(query, { offset: startIndex - 1, limit: count });
      if (fromSql) return { totalResults: fromSql.total, startIndex, items: fromSql.users };
      return page(await selectUsers(query), query.startIndex, query.count, pageSize);
    },
    async countUsers(filter?: FilterNode<UserField>) {
      const fromSql = await queryUsers(filter ? { filter } : {}, { offset: 0, limit: 0 });
      return fromSql ? fromSql.total : (await selectUsers(filter ? { filter } : {})).length;
    },
    async *iterateUsers(query: Omit<UserQuery, 'startIndex' | 'count'>, _iter?: IterateOptions, _opts?: CallOptions) {
      // unfiltered: the cached snapshot (a whole-table read per call would cost more than it saves)
      const fromSql = query.filter ? await queryUsers(query, { offset: 0, limit: null }) : null;
      yield* fromSql ? fromSql.users : await selectUsers(query);
    },
    // the lookup's fields and includeRoles choose what is read: a selection of userName + roles reads two columns
    async getUser(id: string, opts?: UserLookupOptions): Promise<IiqUser | null | NotModified> {
      return (await store.getUsersByIds(connectionId, [id], opts))[0] ?? null;
    },
    async getUserByName(userName: string, opts?: UserLookupOptions) {
      return (await store.getUsersByNames(connectionId, [userName], opts))[0] ?? null;
    },
    getUsersByIds: (ids: readonly string[], opts?: UserLookupOptions) => store.getUsersByIds(connectionId, ids, opts),
    getUsersByNames: (names: readonly string[], opts?: UserLookupOptions) => store.getUsersByNames(connectionId, names, opts),
    async listRoles(query: RoleQuery) {
      const { list } = await allRoles();
      const selected = query.filter ? list.filter((r) => matches(query.filter as FilterNode<string>, r, roleValues)) : [...list];
      selected.sort(sorter<IiqRole>(roleValues, (query.sort?.by ?? 'name') as RoleField, query.sort?.order));
      return page(selected, query.startIndex, query.count, pageSize);
    },
    async getRole(id: string) {
      return (await allRoles()).list.find((r) => r.id === id) ?? null;
    },
    async getRoleByName(name: string) {
      return (await allRoles()).list.find((r) => r.name === name) ?? null;
    },
    async listAllRoles() {
      return [...(await allRoles()).list];
    },
    async close() {
      // the live client belongs to the caller
    },
  };
}
