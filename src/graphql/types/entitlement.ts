// Entitlement (an IIQ ManagedAttribute): the node, `user.entitlements` (each with the account that holds it and
// its application), the `entitlements` connection, and role classifications.
import type { FilterNode } from '../../iiq/filter.ts';
import type { EntitlementField, IiqAccount, IiqEntitlement } from '../../iiq/resource-types.ts';
import { builder } from '../builder.ts';
import type { StringFilterInput } from '../filters.ts';
import { remoteIdFrom } from '../global-id.ts';
import { entitlementsOfAccount, resourceLoaders } from '../resource-loaders.ts';
import { isSelectedMemo } from '../selection.ts';
import { AccountRef, ApplicationRef, EntitlementConnection, EntitlementRef, allOf, call, listConnection, stringConditions, userFromRef } from './access-refs.ts';
import { RoleRef, StringFilter, UserRef } from './refs.ts';

builder.asEntity(EntitlementRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resourceLoaders(ctx).entitlementById.load(remoteIdFrom(ref.id, 'Entitlement', 'id')),
});

builder.node(EntitlementRef, {
  description: 'An entitlement (IIQ ManagedAttribute): a group, role or permission on an application',
  id: { resolve: (e) => e.id },
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'requestable' in v && 'attribute' in v,
  loadManyWithoutCache: (ids, ctx) => Promise.all(ids.map((id) => resourceLoaders(ctx).entitlementById.load(id))),
  fields: (t) => ({
    remoteId: t.exposeID('id', { description: 'The IdentityIQ id' }),
    displayName: t.exposeString('displayName', { nullable: true }),
    type: t.exposeString('type', { nullable: true, description: 'Entitlement or Permission' }),
    attribute: t.exposeString('attribute', { nullable: true, description: 'The account attribute that carries it, e.g. memberOf' }),
    value: t.exposeString('value', { nullable: true, description: 'The value on the account, e.g. a group DN' }),
    description: t.exposeString('description', { nullable: true }),
    requestable: t.exposeBoolean('requestable', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.created }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.lastModified }),
    raw: t.field({ type: 'JSON', resolve: (e) => e.raw }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (e, _args, ctx, info) => userFromRef(e.owner, ctx, info) }),
    application: t.field({
      type: ApplicationRef,
      nullable: true,
      resolve: async (e, _args, ctx) => (e.application ? ((await resourceLoaders(ctx).applications()).get(e.application.id) ?? null) : null),
    }),
  }),
});

/** One entitlement held by a user: through which account, on which application. */
interface UserEntitlementShape {
  entitlement: IiqEntitlement;
  account: IiqAccount;
}

const UserEntitlementRef = builder.objectRef<UserEntitlementShape>('UserEntitlement').implement({
  description: 'An entitlement a user holds, with the account that holds it (alert enrichment: who has what, where)',
  fields: (t) => ({
    entitlement: t.field({ type: EntitlementRef, resolve: (x) => x.entitlement }),
    account: t.field({ type: AccountRef, resolve: (x) => x.account }),
    application: t.field({
      type: ApplicationRef,
      nullable: true,
      resolve: async (x, _args, ctx) => (x.account.application ? ((await resourceLoaders(ctx).applications()).get(x.account.application.id) ?? null) : null),
    }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  entitlements: t.field({
    type: [UserEntitlementRef],
    description: 'Entitlements held through the identity’s accounts; for a list of users: one request for their accounts, one for the entitlements',
    resolve: async (user, _args, ctx) => {
      const accounts = await resourceLoaders(ctx).accountsByUser.load(user.id);
      const lists = await Promise.all(accounts.map(async (account) => (await entitlementsOfAccount(ctx, account)).map((entitlement) => ({ entitlement, account }))));
      return lists.flat();
    },
  }),
}));

// Role classifications (IIQ 8.x): `{ classification: { name, displayName } }` items, or plain names
builder.objectField(RoleRef, 'classifications', (t) =>
  t.stringList({
    description: 'Classification names of the role (IIQ 8.x)',
    resolve: (role) => {
      const raw = role.raw['classifications'];
      if (!Array.isArray(raw)) return [];
      return raw.flatMap((c: unknown) => {
        if (typeof c === 'string') return [c];
        if (typeof c !== 'object' || c === null) return [];
        const inner = (c as { classification?: { name?: unknown; displayName?: unknown } }).classification;
        const name = inner?.name ?? inner?.displayName ?? (c as { name?: unknown; display?: unknown }).name ?? (c as { display?: unknown }).display;
        return typeof name === 'string' ? [name] : [];
      });
    },
  }),
);

export interface EntitlementFilterInput {
  displayName?: StringFilterInput | null;
  value?: StringFilterInput | null;
  attribute?: StringFilterInput | null;
  type?: StringFilterInput | null;
  requestable?: boolean | null;
  applicationId?: string | number | null;
  applicationName?: StringFilterInput | null;
  ownerId?: string | number | null;
}

export const EntitlementFilter = builder.inputType('EntitlementFilter', {
  description: 'Conditions on entitlements, AND-ed',
  fields: (t) => ({
    displayName: t.field({ type: StringFilter }),
    value: t.field({ type: StringFilter }),
    attribute: t.field({ type: StringFilter }),
    type: t.field({ type: StringFilter }),
    requestable: t.boolean(),
    applicationId: t.id(),
    applicationName: t.field({ type: StringFilter }),
    ownerId: t.id(),
  }),
});

export function compileEntitlementFilter(input: EntitlementFilterInput | null | undefined): FilterNode<EntitlementField> | undefined {
  if (!input) return undefined;
  const parts: FilterNode<EntitlementField>[] = [
    ...stringConditions('displayName', input.displayName, 'filter.displayName'),
    ...stringConditions('value', input.value, 'filter.value'),
    ...stringConditions('attribute', input.attribute, 'filter.attribute'),
    ...stringConditions('type', input.type, 'filter.type'),
    ...stringConditions('applicationName', input.applicationName, 'filter.applicationName'),
  ];
  if (input.requestable != null) parts.push({ op: 'eq', attr: 'requestable', value: input.requestable });
  if (input.applicationId != null) parts.push({ op: 'eq', attr: 'applicationId', value: remoteIdFrom(String(input.applicationId), 'Application', 'filter.applicationId') });
  if (input.ownerId != null) parts.push({ op: 'eq', attr: 'ownerId', value: remoteIdFrom(String(input.ownerId), 'User', 'filter.ownerId') });
  return allOf(parts);
}

builder.queryFields((t) => ({
  entitlements: t.connection(
    {
      type: EntitlementRef,
      description: 'Entitlements (ManagedAttributes), in displayName order',
      args: { filter: t.arg({ type: EntitlementFilter }) },
      resolve: (_root, args, ctx, info) =>
        listConnection(ctx, args, 'entitlements', compileEntitlementFilter(args.filter), isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache), (q) =>
          ctx.conn.client.listEntitlements(q, call(ctx)),
        ),
    },
    EntitlementConnection,
  ),
}));
