// Small helpers shared by the type files.
import type { IiqRole, IiqRoleAssignment, IiqUser } from '../../iiq/types.ts';
import type { GatewayContext } from '../context.ts';
import type { CursorCodec } from '../cursor.ts';
import { Edge, type Fingerprint } from '../paging.ts';
import type { RoleCatalogSnapshot } from '../role-catalog.ts';
import type { AssignmentEdgeFields } from './refs.ts';

/** Roles by id: the catalog first, then (rarely) a lookup of roles created since the catalog was cached. */
export async function resolveRoles(ctx: GatewayContext, ids: readonly string[], catalog?: RoleCatalogSnapshot): Promise<(IiqRole | null)[]> {
  const snapshot = catalog ?? (await ctx.conn.catalog.get());
  const missing = ids.filter((id) => !snapshot.byId.has(id));
  const fetched = missing.length ? await ctx.loaders.roleById.loadMany(missing) : [];
  const extra = new Map<string, IiqRole | null>();
  missing.forEach((id, i) => {
    const r = fetched[i];
    if (r instanceof Error) throw r;
    extra.set(id, r ?? null);
  });
  return ids.map((id) => snapshot.byId.get(id) ?? extra.get(id) ?? null);
}

/** A role the catalog does not know and IIQ no longer returns: what the user's record says about it. */
export function roleFromAssignment(a: IiqRoleAssignment): IiqRole {
  return {
    id: a.roleId,
    name: a.roleDisplayName ?? a.roleId,
    displayName: a.roleDisplayName,
    descriptions: [],
    type: a.roleType ? { name: a.roleType, displayName: null, manualAssignment: null, autoAssignment: null, assignmentSelector: null, iiq: null, permits: null, requirements: null } : null,
    active: null,
    owner: null,
    parentIds: [],
    requiredRoleIds: [],
    permittedRoleIds: [],
    activationDate: null,
    deactivationDate: null,
    created: null,
    lastModified: null,
    version: null,
    raw: {},
  };
}

export function asString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length ? asString(value[0]) : null;
  return null;
}

export function asStringList(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(asString).filter((v): v is string => v !== null);
  const s = asString(value);
  return s === null ? [] : [s];
}

/** An edge carrying how a role is held (UserRoleEdge, RoleMemberEdge). */
export class AssignmentEdge<N> extends Edge<N> implements AssignmentEdgeFields {
  readonly acquired: IiqRoleAssignment['acquired'];
  readonly application: string | null;
  readonly accountName: string | null;
  constructor(node: N, offset: number, fp: Fingerprint, codec: CursorCodec, a: AssignmentEdgeFields) {
    super(node, offset, fp, codec);
    this.acquired = a.acquired;
    this.application = a.application;
    this.accountName = a.accountName;
  }
}
