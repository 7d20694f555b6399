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
      return page(await selectUsers(query), query.startIndex, query.count, pageSize);
    },
    async countUsers(filter?: FilterNode<UserField>) {
      return (await selectUsers(filter ? { filter } : {})).length;
    },
    async *iterateUsers(query: Omit<UserQuery, 'startIndex' | 'count'>, _iter?: IterateOptions, _opts?: CallOptions) {
      yield* await selectUsers(query);
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
