// SCIM filter AST (RFC 7644 §3.4.2.2, as IIQ's parser supports it: no `ew`, quoted strings only).
// User input only ever becomes a `value` in this tree; it is never concatenated into a filter string.
// CONTRACT: the types and builders below are the public API; the implementation (stringify, allow-lists,
// anyOf splitting) lives in this file too.
import { IiqError } from './errors.ts';
import type { RoleField, UserField } from './types.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type FilterNode<A extends string = string> =
  | { op: CompareOp; attr: A; value: FilterValue }
  | { op: 'pr'; attr: A }
  | { op: 'and' | 'or'; children: FilterNode<A>[] }
  | { op: 'not'; child: FilterNode<A> };

export const f = {
  eq: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'eq', attr, value }),
  ne: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'ne', attr, value }),
  co: <A extends string>(attr: A, value: string): FilterNode<A> => ({ op: 'co', attr, value }),
  sw: <A extends string>(attr: A, value: string): FilterNode<A> => ({ op: 'sw', attr, value }),
  gt: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'gt', attr, value }),
  ge: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'ge', attr, value }),
  lt: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'lt', attr, value }),
  le: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'le', attr, value }),
  pr: <A extends string>(attr: A): FilterNode<A> => ({ op: 'pr', attr }),
  and: <A extends string>(...children: FilterNode<A>[]): FilterNode<A> => ({ op: 'and', children }),
  or: <A extends string>(...children: FilterNode<A>[]): FilterNode<A> => ({ op: 'or', children }),
  not: <A extends string>(child: FilterNode<A>): FilterNode<A> => ({ op: 'not', child }),
};

// ---------------------------------------------------------------------------------------------------------
// Implementation: allow-lists, stringifier, disjunction splitting
// ---------------------------------------------------------------------------------------------------------

export const URN_CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const URN_ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const URN_SAILPOINT_USER = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User';
export const URN_SAILPOINT_ROLE = 'urn:ietf:params:scim:schemas:sailpoint:1.0:Role';

type FixedUserField = Exclude<UserField, `custom:${string}`>;

/** Logical user field → SCIM filter / sortBy path (filterable set: reference §4.4). */
export const userFilterPaths: Readonly<Record<FixedUserField, string>> = {
  userName: 'userName',
  displayName: 'displayName',
  formattedName: 'name.formatted',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  email: 'emails.value',
  active: 'active',
  userType: 'userType',
  managerId: `${URN_ENTERPRISE_USER}:manager.value`,
  managerDisplayName: `${URN_ENTERPRISE_USER}:manager.displayName`,
  isManager: `${URN_SAILPOINT_USER}:isManager`,
  riskScore: `${URN_SAILPOINT_USER}:riskScore`,
  capabilities: `${URN_SAILPOINT_USER}:capabilities`,
  lastRefresh: `${URN_SAILPOINT_USER}:lastRefresh`,
  created: 'meta.created',
  lastModified: 'meta.lastModified',
};

/** Logical role field → SCIM filter / sortBy path (reference §4.4). */
export const roleFilterPaths: Readonly<Record<RoleField, string>> = {
  name: 'name',
  displayName: 'displayableName',
  active: 'active',
  type: 'type.name',
  ownerId: 'owner.value',
  ownerDisplayName: 'owner.displayName',
  parentId: 'inheritance.value',
  requiredRoleId: 'requirements.value',
  permittedRoleId: 'permits.value',
  created: 'meta.created',
  lastModified: 'meta.lastModified',
};

// IIQ ObjectConfig attribute names; identity-typed ones are filtered through `.value` / `.displayName`.
const CUSTOM_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}(?:\.(?:value|displayName))?$/;

function rejectAttr(attr: string, resource: string): never {
  // The attribute name is a schema identifier chosen by the caller's code, not user data.
  throw new IiqError({
    kind: 'invalidFilter',
    operation: 'buildFilter',
    message: `attribute "${attr.slice(0, 80)}" is not filterable on ${resource} (not in the allow-list)`,
  });
}

/** Resolves a logical user field (`custom:<name>` included) to its SCIM path, or throws invalidFilter. */
export function userAttrPath(field: string): string {
  if (field.startsWith('custom:')) {
    const name = field.slice('custom:'.length);
    if (!CUSTOM_NAME.test(name)) rejectAttr(field, 'User');
    return `${URN_SAILPOINT_USER}:${name}`;
  }
  if (!Object.hasOwn(userFilterPaths, field)) rejectAttr(field, 'User');
  return userFilterPaths[field as FixedUserField];
}

export function roleAttrPath(field: string): string {
  if (!Object.hasOwn(roleFilterPaths, field)) rejectAttr(field, 'Role');
  return roleFilterPaths[field as RoleField];
}

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'gt', 'ge', 'lt', 'le']);

/**
 * A SCIM compValue (RFC 7644 §3.4.2.2: JSON literals). Strings go through JSON.stringify, which escapes
 * `"`, `\` and every control character, so no value can close the literal and inject filter syntax.
 */
export function filterLiteral(value: FilterValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new IiqError({ kind: 'invalidFilter', operation: 'buildFilter', message: 'filter value must be a finite number' });
    }
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  throw new IiqError({ kind: 'invalidFilter', operation: 'buildFilter', message: 'filter value must be a string, number, boolean or null' });
}

/** Renders the AST; `resolve` maps (and allow-list-checks) each attribute to its SCIM path. */
export function stringifyFilter<A extends string>(node: FilterNode<A>, resolve: (attr: A) => string): string {
  return render(node, resolve, false);
}

function render<A extends string>(node: FilterNode<A>, resolve: (attr: A) => string, nested: boolean): string {
  switch (node.op) {
    case 'pr':
      return `${resolve(node.attr)} pr`;
    case 'not':
      // RFC 7644 grammar: "not" "(" valFilter ")"
      return `not (${render(node.child, resolve, false)})`;
    case 'and':
    case 'or': {
      if (!Array.isArray(node.children) || node.children.length === 0) {
        throw new IiqError({ kind: 'invalidFilter', operation: 'buildFilter', message: `"${node.op}" needs at least one operand` });
      }
      if (node.children.length === 1) return render(node.children[0]!, resolve, nested);
      const s = node.children.map((c) => render(c, resolve, true)).join(` ${node.op} `);
      return nested ? `(${s})` : s;
    }
    default: {
      const cmp = node as { op: string; attr: A; value: FilterValue };
      if (!COMPARE_OPS.has(cmp.op)) {
        throw new IiqError({ kind: 'invalidFilter', operation: 'buildFilter', message: `unsupported filter operator "${String(cmp.op).slice(0, 10)}"` });
      }
      return `${resolve(cmp.attr)} ${cmp.op} ${filterLiteral(cmp.value)}`;
    }
  }
}

export const stringifyUserFilter = (node: FilterNode<UserField>): string => stringifyFilter(node, userAttrPath);
export const stringifyRoleFilter = (node: FilterNode<RoleField>): string => stringifyFilter(node, roleAttrPath);

/** Leaves room under the 8 KB URL limit common to servlet containers for base URL, attributes, sortBy, paging. */
export const DEFAULT_MAX_FILTER_URL_LENGTH = 6 * 1024;

export interface AnyOfOptions {
  /** maximum length of one URL-encoded filter; default 6 KB */
  maxEncodedLength?: number;
  /** maximum number of terms per filter (keep ≤ the page size so one page answers one filter) */
  maxTerms?: number;
  /** how the attribute will be rendered, to measure the URL length exactly; default: as given */
  resolve?: (attr: string) => string;
}

/**
 * `attr eq v1 or attr eq v2 ...` split into as many filters as needed so each stays under the URL budget.
 * Duplicate values are dropped. Returns [] for no values.
 */
export function anyOf<A extends string>(attr: A, values: readonly FilterValue[], opts: AnyOfOptions = {}): FilterNode<A>[] {
  const maxLen = opts.maxEncodedLength ?? DEFAULT_MAX_FILTER_URL_LENGTH;
  const maxTerms = Math.max(1, opts.maxTerms ?? 100);
  const path = (opts.resolve ?? ((a: string) => a))(attr);
  const sep = encodeURIComponent(' or ').length;
  const out: FilterNode<A>[] = [];
  let terms: FilterNode<A>[] = [];
  let len = 0;
  const flush = () => {
    if (terms.length === 1) out.push(terms[0]!);
    else if (terms.length > 1) out.push({ op: 'or', children: terms });
    terms = [];
    len = 0;
  };
  const seen = new Set<string>();
  for (const value of values) {
    const literal = filterLiteral(value);
    if (seen.has(literal)) continue;
    seen.add(literal);
    const termLen = encodeURIComponent(`${path} eq ${literal}`).length;
    if (termLen > maxLen) {
      throw new IiqError({ kind: 'invalidFilter', operation: 'buildFilter', message: `one value is too long to fit a filter under ${maxLen} URL characters` });
    }
    if (terms.length > 0 && (len + sep + termLen > maxLen || terms.length >= maxTerms)) flush();
    len += (terms.length ? sep : 0) + termLen;
    terms.push({ op: 'eq', attr, value });
  }
  flush();
  return out;
}
