// GraphQL filter / order inputs -> the client's filter AST (src/iiq/filter.ts). User values only ever become
// `value`s in the tree; attribute names come from fixed maps or pass a strict pattern.
import { f, type FilterNode } from '../iiq/filter.ts';
import type { RoleField, SortOrder, UserField } from '../iiq/types.ts';
import { badUserInput } from './errors.ts';
import { remoteIdFrom } from './global-id.ts';

export interface StringFilterInput {
  eq?: string | null | undefined;
  ne?: string | null | undefined;
  startsWith?: string | null | undefined;
  contains?: string | null | undefined;
  present?: boolean | null | undefined;
}

export interface IntFilterInput {
  eq?: number | null | undefined;
  gt?: number | null | undefined;
  ge?: number | null | undefined;
  lt?: number | null | undefined;
  le?: number | null | undefined;
}

export interface AttributeFilterInput extends StringFilterInput {
  name: string;
}

export interface UserFilterInput {
  userName?: StringFilterInput | null | undefined;
  displayName?: StringFilterInput | null | undefined;
  givenName?: StringFilterInput | null | undefined;
  familyName?: StringFilterInput | null | undefined;
  email?: StringFilterInput | null | undefined;
  active?: boolean | null | undefined;
  managerId?: string | null | undefined;
  isManager?: boolean | null | undefined;
  riskScore?: IntFilterInput | null | undefined;
  updatedSince?: string | null | undefined;
  attributes?: readonly AttributeFilterInput[] | null | undefined;
  and?: readonly UserFilterInput[] | null | undefined;
  or?: readonly UserFilterInput[] | null | undefined;
  not?: UserFilterInput | null | undefined;
}

export interface RoleFilterInput {
  name?: StringFilterInput | null | undefined;
  displayName?: StringFilterInput | null | undefined;
  type?: string | null | undefined;
  active?: boolean | null | undefined;
  ownerId?: string | null | undefined;
  parentId?: string | null | undefined;
  and?: readonly RoleFilterInput[] | null | undefined;
  or?: readonly RoleFilterInput[] | null | undefined;
  not?: RoleFilterInput | null | undefined;
}

/** IIQ ObjectConfig attribute names: identifiers. Anything else never reaches a filter or `attributes`. */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function checkAttributeName(name: string, argument: string): string {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw badUserInput(`${argument}: "${name.slice(0, 70)}" is not a valid attribute name (letters, digits, underscore; starting with a letter)`, { argument });
  }
  return name;
}

const MAX_DEPTH = 8;
const MAX_CONDITIONS = 100;

class Budget {
  conditions = 0;
  add(n = 1) {
    this.conditions += n;
    if (this.conditions > MAX_CONDITIONS) throw badUserInput(`filter has more than ${MAX_CONDITIONS} conditions`, { argument: 'filter' });
  }
}

function stringConditions<A extends string>(attr: A, input: StringFilterInput | null | undefined, budget: Budget, where: string): FilterNode<A>[] {
  if (!input) return [];
  const out: FilterNode<A>[] = [];
  if (input.eq != null) out.push(f.eq(attr, input.eq));
  if (input.ne != null) out.push(f.ne(attr, input.ne));
  if (input.startsWith != null) out.push(f.sw(attr, input.startsWith));
  if (input.contains != null) out.push(f.co(attr, input.contains));
  if (input.present === true) out.push(f.pr(attr));
  if (input.present === false) out.push(f.not(f.pr(attr)));
  if (!out.length) throw badUserInput(`${where} needs at least one of eq, ne, startsWith, contains, present`, { argument: 'filter' });
  budget.add(out.length);
  return out;
}

function intConditions<A extends string>(attr: A, input: IntFilterInput | null | undefined, budget: Budget, where: string): FilterNode<A>[] {
  if (!input) return [];
  const out: FilterNode<A>[] = [];
  for (const op of ['eq', 'gt', 'ge', 'lt', 'le'] as const) {
    const v = input[op];
    if (v != null) out.push({ op, attr, value: v });
  }
  if (!out.length) throw badUserInput(`${where} needs at least one of eq, gt, ge, lt, le`, { argument: 'filter' });
  budget.add(out.length);
  return out;
}

function combine<A extends string>(parts: FilterNode<A>[]): FilterNode<A> | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return f.and(...parts);
}

/** Shared and / or / not handling; `own` compiles the typed fields of one level. */
function compileTree<I extends { and?: readonly I[] | null | undefined; or?: readonly I[] | null | undefined; not?: I | null | undefined }, A extends string>(
  input: I,
  own: (input: I, budget: Budget, path: string) => FilterNode<A>[],
  budget: Budget,
  path: string,
  depth: number,
): FilterNode<A> | undefined {
  if (depth > MAX_DEPTH) throw badUserInput(`filter is nested deeper than ${MAX_DEPTH} levels`, { argument: 'filter' });
  const parts = own(input, budget, path);
  if (input.and) {
    if (!input.and.length) throw badUserInput(`${path}.and must not be empty`, { argument: 'filter' });
    for (const [i, child] of input.and.entries()) {
      const c = compileTree(child, own, budget, `${path}.and[${i}]`, depth + 1);
      if (c) parts.push(c);
    }
  }
  if (input.or) {
    if (!input.or.length) throw badUserInput(`${path}.or must not be empty`, { argument: 'filter' });
    const children = input.or.map((child, i) => compileTree(child, own, budget, `${path}.or[${i}]`, depth + 1));
    // an empty alternative matches everything, so the whole `or` does
    if (children.every((c): c is FilterNode<A> => c !== undefined)) parts.push(children.length === 1 ? children[0]! : f.or(...children));
  }
  if (input.not) {
    const c = compileTree(input.not, own, budget, `${path}.not`, depth + 1);
    if (!c) throw badUserInput(`${path}.not needs a condition`, { argument: 'filter' });
    parts.push(f.not(c));
  }
  return combine(parts);
}

export function compileUserFilter(input: UserFilterInput | null | undefined): FilterNode<UserField> | undefined {
  if (!input) return undefined;
  const own = (i: UserFilterInput, budget: Budget, path: string): FilterNode<UserField>[] => {
    const parts: FilterNode<UserField>[] = [
      ...stringConditions<UserField>('userName', i.userName, budget, `${path}.userName`),
      ...stringConditions<UserField>('displayName', i.displayName, budget, `${path}.displayName`),
      ...stringConditions<UserField>('givenName', i.givenName, budget, `${path}.givenName`),
      ...stringConditions<UserField>('familyName', i.familyName, budget, `${path}.familyName`),
      ...stringConditions<UserField>('email', i.email, budget, `${path}.email`),
      ...intConditions<UserField>('riskScore', i.riskScore, budget, `${path}.riskScore`),
    ];
    const single = (node: FilterNode<UserField>) => {
      budget.add();
      parts.push(node);
    };
    if (i.active != null) single(f.eq('active', i.active));
    if (i.isManager != null) single(f.eq('isManager', i.isManager));
    if (i.managerId != null) single(f.eq('managerId', remoteIdFrom(i.managerId, 'User', 'filter.managerId')));
    if (i.updatedSince != null) single(f.ge('lastModified', i.updatedSince));
    for (const [n, attr] of (i.attributes ?? []).entries()) {
      const name = checkAttributeName(attr.name, `${path}.attributes[${n}].name`);
      parts.push(...stringConditions<UserField>(`custom:${name}`, attr, budget, `${path}.attributes[${n}]`));
    }
    return parts;
  };
  return compileTree(input, own, new Budget(), 'filter', 1);
}

export function compileRoleFilter(input: RoleFilterInput | null | undefined): FilterNode<RoleField> | undefined {
  if (!input) return undefined;
  const own = (i: RoleFilterInput, budget: Budget, path: string): FilterNode<RoleField>[] => {
    const parts: FilterNode<RoleField>[] = [
      ...stringConditions<RoleField>('name', i.name, budget, `${path}.name`),
      ...stringConditions<RoleField>('displayName', i.displayName, budget, `${path}.displayName`),
    ];
    const single = (node: FilterNode<RoleField>) => {
      budget.add();
      parts.push(node);
    };
    if (i.type != null) single(f.eq('type', i.type));
    if (i.active != null) single(f.eq('active', i.active));
    if (i.ownerId != null) single(f.eq('ownerId', remoteIdFrom(i.ownerId, 'User', 'filter.ownerId')));
    if (i.parentId != null) single(f.eq('parentId', remoteIdFrom(i.parentId, 'Role', 'filter.parentId')));
    return parts;
  };
  return compileTree(input, own, new Budget(), 'filter', 1);
}

export type UserOrderField = 'USER_NAME' | 'DISPLAY_NAME' | 'GIVEN_NAME' | 'FAMILY_NAME' | 'CREATED_AT' | 'UPDATED_AT' | 'RISK_SCORE';
export type RoleOrderField = 'NAME' | 'DISPLAY_NAME' | 'CREATED_AT' | 'UPDATED_AT';
export type OrderDirection = 'ASC' | 'DESC';

const USER_ORDER: Record<UserOrderField, UserField> = {
  USER_NAME: 'userName',
  DISPLAY_NAME: 'displayName',
  GIVEN_NAME: 'givenName',
  FAMILY_NAME: 'familyName',
  CREATED_AT: 'created',
  UPDATED_AT: 'lastModified',
  RISK_SCORE: 'riskScore',
};

const ROLE_ORDER: Record<RoleOrderField, RoleField> = {
  NAME: 'name',
  DISPLAY_NAME: 'displayName',
  CREATED_AT: 'created',
  UPDATED_AT: 'lastModified',
};

const direction = (d: OrderDirection): SortOrder => (d === 'DESC' ? 'descending' : 'ascending');

/** Always an explicit sort: IIQ adds no ORDER BY otherwise and page boundaries drift (reference §4.2). */
export function userSort(order: { field: UserOrderField; direction: OrderDirection } | null | undefined): { by: UserField; order: SortOrder } {
  return order ? { by: USER_ORDER[order.field], order: direction(order.direction) } : { by: 'userName', order: 'ascending' };
}

export function roleSort(order: { field: RoleOrderField; direction: OrderDirection } | null | undefined): { by: RoleField; order: SortOrder } {
  return order ? { by: ROLE_ORDER[order.field], order: direction(order.direction) } : { by: 'name', order: 'ascending' };
}
