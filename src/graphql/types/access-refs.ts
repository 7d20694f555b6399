// Refs and helpers shared by the access types (Account, Application, Entitlement, PolicyViolation): they
// reference each other and User, so the refs live here to keep the type files free of import cycles.
import type { GraphQLResolveInfo } from 'graphql';
import { f, type FilterNode } from '../../iiq/filter.ts';
import type { IiqAccount, IiqApplication, IiqEntitlement, IiqPolicyViolation } from '../../iiq/resource-types.ts';
import type { IdentityRef, IiqUser, Page } from '../../iiq/types.ts';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { fingerprint } from '../cursor.ts';
import { badUserInput } from '../errors.ts';
import type { StringFilterInput } from '../filters.ts';
import { buildConnection, Edge, lazyFingerprint, pageRequest, settle, type ConnectionArgs } from '../paging.ts';
import { userDemand } from '../selection.ts';

export const AccountRef = builder.objectRef<IiqAccount>('Account');
export const ApplicationRef = builder.objectRef<IiqApplication>('Application');
export const EntitlementRef = builder.objectRef<IiqEntitlement>('Entitlement');
export const PolicyViolationRef = builder.objectRef<IiqPolicyViolation>('PolicyViolation');

export const AccountConnection = builder.connectionObject({ type: AccountRef, name: 'AccountConnection' }, { name: 'AccountEdge' });
export const ApplicationConnection = builder.connectionObject({ type: ApplicationRef, name: 'ApplicationConnection' }, { name: 'ApplicationEdge' });
export const EntitlementConnection = builder.connectionObject({ type: EntitlementRef, name: 'EntitlementConnection' }, { name: 'EntitlementEdge' });
export const PolicyViolationConnection = builder.connectionObject({ type: PolicyViolationRef, name: 'PolicyViolationConnection' }, { name: 'PolicyViolationEdge' });

export const call = (ctx: GatewayContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** An identity reference (owner, account holder) → the User, through the request's batched user loader. */
export function userFromRef(ref: IdentityRef | null, ctx: GatewayContext, info: GraphQLResolveInfo): Promise<IiqUser | null> | null {
  if (!ref?.id) return null;
  return ctx.loaders.userById(ref.id, userDemand(info, [], ctx.conn.config.attributeMap, ctx.demandCache));
}

const MAX_CONDITIONS = 50;

/** StringFilter → conditions (values stay values in the filter tree, never filter syntax). */
export function stringConditions<A extends string>(attr: A, input: StringFilterInput | null | undefined, where: string): FilterNode<A>[] {
  if (!input) return [];
  const out: FilterNode<A>[] = [];
  if (input.eq != null) out.push(f.eq(attr, input.eq));
  if (input.ne != null) out.push(f.ne(attr, input.ne));
  if (input.startsWith != null) out.push(f.sw(attr, input.startsWith));
  if (input.contains != null) out.push(f.co(attr, input.contains));
  if (input.present === true) out.push(f.pr(attr));
  if (input.present === false) out.push(f.not(f.pr(attr)));
  if (!out.length) throw badUserInput(`${where} needs at least one of eq, ne, startsWith, contains, present`, { argument: 'filter' });
  return out;
}

export function allOf<A extends string>(parts: FilterNode<A>[]): FilterNode<A> | undefined {
  if (parts.length > MAX_CONDITIONS) throw badUserInput(`filter has more than ${MAX_CONDITIONS} conditions`, { argument: 'filter' });
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : f.and(...parts);
}

/**
 * A top-level list as a Relay connection over one SCIM list request (offsets map onto 1-based startIndex);
 * totals only (count=0) when no edge is selected.
 */
export async function listConnection<T, F extends string>(
  ctx: GatewayContext,
  args: ConnectionArgs,
  scope: string,
  filter: FilterNode<F> | undefined,
  needItems: boolean,
  list: (q: { filter?: FilterNode<F>; startIndex: number; count: number }) => Promise<Page<T>>,
) {
  const { conn } = ctx;
  const fp = lazyFingerprint(() => fingerprint({ k: scope, filter: filter ?? null }));
  const request = pageRequest(args, fp, conn.cursors, conn.limits);
  const base = filter ? { filter } : {};
  let total: number | null = null;
  if (request.end === null || !needItems) total = (await list({ ...base, startIndex: 1, count: 0 })).totalResults;
  const { start, end } = settle(request, total ?? Number.MAX_SAFE_INTEGER);
  let items: T[] = [];
  if (end > start && needItems) {
    const page = await list({ ...base, startIndex: start + 1, count: end - start });
    items = page.items;
    total = page.totalResults;
  }
  return buildConnection(items, start, total ?? items.length, fp, conn.cursors, (node, offset) => new Edge(node, offset, fp, conn.cursors));
}
