// The unified REST face (Truto-style "user-directory"): snake_case items, `{ result, next_cursor, prev_cursor,
// result_count }` pages, opaque offset cursors. Served from the same per-connection client, role catalog and
// membership index as GraphQL.
import { f, type FilterNode } from '../iiq/filter.ts';
import type { IiqRole, IiqUser, UserField } from '../iiq/types.ts';
import type { GatewayConnection } from '../graphql/context.ts';
import type { RoleCatalogSnapshot } from '../graphql/role-catalog.ts';
import type { RoleMember } from '../graphql/membership-index.ts';
import { ConnectionError } from '../connections/service.ts';
import { json } from './http.ts';

export const UNIFIED_PREFIX = '/unified/user-directory';

export interface UnifiedUser {
  id: string;
  username: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  emails: { email: string; is_primary: boolean }[];
  status: 'active' | 'inactive' | null;
  roles: { id: string; name: string | null; acquired: string }[];
  created_at: string | null;
  updated_at: string | null;
  remote_data?: Record<string, unknown>;
}

export interface UnifiedRole {
  id: string;
  name: string;
  description: string | null;
  type: string | null;
  status: 'active' | 'inactive' | null;
  created_at: string | null;
  updated_at: string | null;
  remote_data?: Record<string, unknown>;
}

function unifiedUser(u: IiqUser, catalog: RoleCatalogSnapshot | null, remote: boolean): UnifiedUser {
  return {
    id: u.id,
    username: u.userName,
    first_name: u.givenName,
    last_name: u.familyName,
    name: u.displayName ?? u.formattedName,
    emails: u.emails.map((e) => ({ email: e.value, is_primary: e.primary })),
    status: u.active === null ? null : u.active ? 'active' : 'inactive',
    roles: (u.roles ?? []).map((r) => ({ id: r.roleId, name: catalog?.byId.get(r.roleId)?.name ?? r.roleDisplayName, acquired: r.acquired })),
    created_at: u.created,
    updated_at: u.lastModified,
    ...(remote ? { remote_data: u.raw } : {}),
  };
}

function unifiedRole(r: IiqRole, remote: boolean): UnifiedRole {
  return {
    id: r.id,
    name: r.name,
    description: r.descriptions[0]?.value ?? null,
    type: r.type?.name ?? null,
    status: r.active === null ? null : r.active ? 'active' : 'inactive',
    created_at: r.created,
    updated_at: r.lastModified,
    ...(remote ? { remote_data: r.raw } : {}),
  };
}

const bad = (message: string, details: Record<string, unknown> = {}) => new ConnectionError('BAD_USER_INPUT', message, details);

interface PageArgs {
  offset: number;
  limit: number;
}

/** Cursors are opaque: base64url JSON of the offset and the list they page (a cursor of another list is refused). */
function encodeCursor(list: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: list, o: offset })).toString('base64url');
}

function pageArgs(params: URLSearchParams, list: string, conn: GatewayConnection): PageArgs {
  const rawLimit = params.get('limit');
  let limit = conn.limits.defaultSize;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1) throw bad('limit must be a whole number of at least 1');
    limit = Math.min(Number(rawLimit), conn.limits.maxSize);
  }
  const cursor = params.get('next_cursor') ?? params.get('cursor');
  if (!cursor) return { offset: 0, limit };
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { l?: unknown; o?: unknown };
    if (decoded.l === list && typeof decoded.o === 'number' && Number.isInteger(decoded.o) && decoded.o >= 0) return { offset: decoded.o, limit };
  } catch {
    // fall through
  }
  throw bad('next_cursor is not a cursor of this list');
}

function page<T>(list: string, items: T[], args: PageArgs, total: number): Response {
  const next = args.offset + args.limit < total ? encodeCursor(list, args.offset + args.limit) : null;
  const prev = args.offset > 0 ? encodeCursor(list, Math.max(0, args.offset - args.limit)) : null;
  return json({ result: items, next_cursor: next, prev_cursor: prev, result_count: items.length });
}

const remoteOf = (params: URLSearchParams) => params.get('include_remote_data') === 'true';

async function catalogOf(conn: GatewayConnection): Promise<RoleCatalogSnapshot> {
  return conn.catalog.get();
}

async function membersPage(conn: GatewayConnection, roleId: string, list: string, params: URLSearchParams): Promise<Response> {
  const args = pageArgs(params, list, conn);
  const catalog = await catalogOf(conn);
  if (!catalog.byId.has(roleId) && !(await conn.client.getRole(roleId))) throw new ConnectionError('NOT_FOUND', 'no such role');
  const memberIds = distinctUserIds(conn.membership.members(roleId).members);
  const slice = memberIds.slice(args.offset, args.offset + args.limit);
  const users = await conn.client.getUsersByIds(slice, { includeRoles: true });
  // each user once; its `roles` keeps every assignment of the role (e.g. Assigned and Detected)
  const items = users.filter((u): u is IiqUser => u !== null).map((u) => unifiedUser(u, catalog, remoteOf(params)));
  return page(list, items, args, memberIds.length);
}

/**
 * The index lists one entry per assignment, so a user holding a role both assigned and detected appears twice;
 * the members lists page users, so they page the distinct user ids (first occurrence order, stable across pages).
 */
export function distinctUserIds(members: readonly RoleMember[]): string[] {
  return [...new Set(members.map((m) => m.userId))];
}

/** Routes `GET /unified/user-directory/...`; null when the path is not one of them. */
export async function handleUnified(request: Request, url: URL, conn: GatewayConnection): Promise<Response | null> {
  const rest = url.pathname.slice(UNIFIED_PREFIX.length);
  const params = url.searchParams;
  let segments: string[];
  try {
    segments = rest.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    throw bad('the path is not valid percent-encoded UTF-8');
  }
  // ids are opaque IIQ ids: a separator, dot segment or control character is never one (and must not reach IIQ)
  if (segments.some((s) => s.length > 512 || s === '.' || s === '..' || /[/\\\u0000-\u001f\u007f]/.test(s))) throw bad('the path has an invalid id');
  if (request.method !== 'GET') return null;
  const remote = remoteOf(params);

  // /users
  if (segments.length === 1 && segments[0] === 'users') {
    const roleId = params.get('role_id');
    const filters: FilterNode<UserField>[] = [];
    const email = params.get('email');
    const username = params.get('username');
    const updatedAfter = params.get('updated_after');
    if (email) filters.push(f.eq('email', email));
    if (username) filters.push(f.eq('userName', username));
    if (updatedAfter) {
      const t = Date.parse(updatedAfter);
      if (Number.isNaN(t)) throw bad('updated_after must be an ISO-8601 date-time, e.g. 2024-05-01T00:00:00Z');
      filters.push(f.gt('lastModified', new Date(t).toISOString()));
    }
    if (roleId) {
      // IIQ cannot filter users by role (members come from the membership index)
      if (filters.length) throw bad('role_id cannot be combined with email, username or updated_after');
      return membersPage(conn, roleId, `users:role:${roleId}`, params);
    }
    const list = `users:${email ?? ''}:${username ?? ''}:${updatedAfter ?? ''}`;
    const args = pageArgs(params, list, conn);
    const [catalog, result] = await Promise.all([
      catalogOf(conn),
      conn.client.listUsers({
        ...(filters.length ? { filter: filters.length === 1 ? filters[0]! : f.and(...filters) } : {}),
        sort: { by: 'userName', order: 'ascending' },
        startIndex: args.offset + 1, // 1-based, RFC 7644 §3.4.2.4
        count: args.limit,
        includeRoles: true,
      }),
    ]);
    return page(list, result.items.map((u) => unifiedUser(u, catalog, remote)), args, result.totalResults);
  }

  // /users/{id} and /users/{id}/roles
  if (segments[0] === 'users' && (segments.length === 2 || (segments.length === 3 && segments[2] === 'roles'))) {
    const [catalog, user] = await Promise.all([catalogOf(conn), conn.client.getUser(segments[1]!, { includeRoles: true })]);
    if (!user || 'notModified' in user) throw new ConnectionError('NOT_FOUND', 'no such user');
    if (segments.length === 2) return json(unifiedUser(user, catalog, remote));
    const seen = new Set<string>();
    const roles: UnifiedRole[] = [];
    for (const a of user.roles ?? []) {
      if (seen.has(a.roleId)) continue;
      seen.add(a.roleId);
      const role = catalog.byId.get(a.roleId) ?? (await conn.client.getRole(a.roleId));
      if (role) roles.push(unifiedRole(role, remote));
    }
    const list = `user-roles:${user.id}`;
    const args = pageArgs(params, list, conn);
    return page(list, roles.slice(args.offset, args.offset + args.limit), args, roles.length);
  }

  // /roles
  if (segments.length === 1 && segments[0] === 'roles') {
    const args = pageArgs(params, 'roles', conn);
    const catalog = await catalogOf(conn);
    const slice = catalog.roles.slice(args.offset, args.offset + args.limit);
    return page('roles', slice.map((r) => unifiedRole(r, remote)), args, catalog.roles.length);
  }

  // /roles/{id} and /roles/{id}/members
  if (segments[0] === 'roles' && segments.length === 2) {
    const catalog = await catalogOf(conn);
    const role = catalog.byId.get(segments[1]!) ?? (await conn.client.getRole(segments[1]!));
    if (!role) throw new ConnectionError('NOT_FOUND', 'no such role');
    return json(unifiedRole(role, remote));
  }
  if (segments[0] === 'roles' && segments.length === 3 && segments[2] === 'members') {
    return membersPage(conn, segments[1]!, `role-members:${segments[1]}`, params);
  }
  return null;
}
