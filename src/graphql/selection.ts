// Selection pushdown: which SCIM attributes a GraphQL selection needs, so IIQ is asked only for those
// (and for roles only when a role field is selected: IIQ returns them only when named by full URN, §4.5).
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode, valueFromASTUntyped } from 'graphql';
import type { AttributeMap } from '../config.ts';
import type { UserField, UserLookupOptions } from '../iiq/types.ts';
import { ATTRIBUTE_NAME } from './filters.ts';

export interface UserDemand {
  /** 'default' = IIQ's default attribute set (needed for `attributes` / `raw`) */
  fields: ReadonlySet<UserField> | 'default';
  roles: boolean;
  /** stable key for loader caches: same key, same upstream shape */
  key: string;
}

function collect(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, types: ReadonlySet<string>, out: FieldNode[]): FieldNode[] {
  if (!set) return out;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (!sel.typeCondition || types.has(sel.typeCondition.name.value)) collect(sel.selectionSet, info, types, out);
    } else {
      const frag = info.fragments[sel.name.value];
      if (frag && types.has(frag.typeCondition.name.value)) collect(frag.selectionSet, info, types, out);
    }
  }
  return out;
}

const ANY = new Set<string>(['*']);
const anyType = { has: () => true } as unknown as ReadonlySet<string>;

/** Field nodes selected at `path` below the current field (e.g. ['edges', 'node']), fragments flattened. */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[], leafTypes: ReadonlySet<string> = ANY): FieldNode[] {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => collect(node.selectionSet, info, anyType, []).filter((f) => f.name.value === name));
  }
  const types = leafTypes === ANY ? anyType : leafTypes;
  return level.flatMap((node) => collect(node.selectionSet, info, types, []));
}

export function isSelected(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => collect(node.selectionSet, info, anyType, []).filter((f) => f.name.value === name));
    if (!level.length) return false;
  }
  return true;
}

const USER_TYPES = new Set(['User', 'Node']);

/** GraphQL User field -> SCIM fields it reads. Fields not listed need nothing beyond id/userName. */
const STATIC_NEEDS: Record<string, readonly UserField[]> = {
  userName: ['userName'],
  displayName: ['displayName'],
  formattedName: ['formattedName'],
  givenName: ['givenName'],
  familyName: ['familyName'],
  email: ['email'],
  emails: ['email'],
  active: ['active'],
  userType: ['userType'],
  manager: ['managerId', 'managerDisplayName'],
  isManager: ['isManager'],
  riskScore: ['riskScore'],
  capabilities: ['capabilities'],
  lastRefresh: ['lastRefresh'],
  createdAt: ['created'],
  updatedAt: ['lastModified'],
  version: ['lastModified'], // meta is always returned, but a userName-only stub has no version
};
const NEEDS_NOTHING = new Set(['id', 'remoteId', '__typename', 'directReports', 'accounts', 'entitlements', 'policyViolations']);
const NEEDS_DEFAULT = new Set(['attributes', 'raw']);
const TYPED_ATTRIBUTES = new Set<keyof AttributeMap>(['department', 'jobTitle', 'location', 'costCenters', 'employeeId']);

export function userDemandFromFields(nodes: readonly FieldNode[], info: GraphQLResolveInfo, attributeMap: AttributeMap): UserDemand {
  const fields = new Set<UserField>();
  let all = false;
  let roles = false;
  for (const node of nodes) {
    const name = node.name.value;
    if (NEEDS_NOTHING.has(name)) continue;
    const fixed = STATIC_NEEDS[name];
    if (fixed) for (const f of fixed) fields.add(f);
    else if (name === 'roles') roles = true;
    else if (NEEDS_DEFAULT.has(name)) all = true;
    else if (TYPED_ATTRIBUTES.has(name as keyof AttributeMap)) fields.add(`custom:${attributeMap[name as keyof AttributeMap]}`);
    else if (name === 'attribute') {
      const arg = node.arguments?.find((a) => a.name.value === 'name');
      const value = arg ? valueFromASTUntyped(arg.value, info.variableValues) : undefined;
      // invalid names are rejected by the field itself; they are never sent upstream
      if (typeof value === 'string' && ATTRIBUTE_NAME.test(value)) fields.add(`custom:${value}`);
    } else all = true; // a field this map does not know: IIQ's defaults are the safe choice
  }
  const sorted = [...fields].sort();
  return {
    fields: all ? 'default' : new Set(sorted),
    roles,
    key: `${all ? '*' : sorted.join(',')}|${roles ? 'R' : ''}`,
  };
}

/** Per-request memo keyed on the field nodes (graphql-js passes the same array for every row of a list). */
export type SelectionCache = WeakMap<readonly FieldNode[], Map<string, unknown>>;

export function memoBySelection<T>(cache: SelectionCache, info: GraphQLResolveInfo, key: string, compute: () => T): T {
  let perField = cache.get(info.fieldNodes);
  if (!perField) cache.set(info.fieldNodes, (perField = new Map()));
  if (perField.has(key)) return perField.get(key) as T;
  const value = compute();
  perField.set(key, value);
  return value;
}

export function userDemand(info: GraphQLResolveInfo, path: readonly string[], attributeMap: AttributeMap, cache: SelectionCache): UserDemand {
  return memoBySelection(cache, info, `demand:${path.join('.')}`, () => userDemandFromFields(selectedFields(info, path, USER_TYPES), info, attributeMap));
}

export function isSelectedMemo(info: GraphQLResolveInfo, path: readonly string[], cache: SelectionCache): boolean {
  return memoBySelection(cache, info, `selected:${path.join('.')}`, () => isSelected(info, path));
}

export function mergeDemands(demands: readonly UserDemand[]): UserDemand {
  let all = false;
  let roles = false;
  const fields = new Set<UserField>();
  for (const d of demands) {
    roles ||= d.roles;
    if (d.fields === 'default') all = true;
    else for (const f of d.fields) fields.add(f);
  }
  const sorted = [...fields].sort();
  return { fields: all ? 'default' : new Set(sorted), roles, key: `${all ? '*' : sorted.join(',')}|${roles ? 'R' : ''}` };
}

export function lookupOptions(demand: UserDemand, signal?: AbortSignal): UserLookupOptions {
  return {
    fields: demand.fields === 'default' ? 'default' : [...demand.fields],
    includeRoles: demand.roles,
    ...(signal ? { signal } : {}),
  };
}

/** Whether a user fetched with `have` can serve `want`. */
export function covers(have: UserDemand, want: UserDemand): boolean {
  if (want.roles && !have.roles) return false;
  if (have.fields === 'default') return true; // custom attributes are all returned by default (reference §3.1)
  if (want.fields === 'default') return false;
  for (const f of want.fields) if (!have.fields.has(f)) return false;
  return true;
}
