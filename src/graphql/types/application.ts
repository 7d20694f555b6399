// Application: the node (all applications are read once per request), its accounts and entitlements as
// connections, and the `applications` connection.
import type { FilterNode } from '../../iiq/filter.ts';
import type { AccountField, ApplicationField, EntitlementField } from '../../iiq/resource-types.ts';
import { builder } from '../builder.ts';
import type { StringFilterInput } from '../filters.ts';
import { remoteIdFrom } from '../global-id.ts';
import { resourceLoaders } from '../resource-loaders.ts';
import { isSelectedMemo } from '../selection.ts';
import { AccountConnection, AccountRef, ApplicationConnection, ApplicationRef, EntitlementConnection, EntitlementRef, allOf, call, listConnection, stringConditions, userFromRef } from './access-refs.ts';
import { StringFilter, UserRef } from './refs.ts';
import { AccountFilter, compileAccountFilter } from './account.ts';
import { EntitlementFilter, compileEntitlementFilter } from './entitlement.ts';

const byId = async (ctx: Parameters<typeof resourceLoaders>[0], id: string) => (await resourceLoaders(ctx).applications()).get(id) ?? null;

builder.asEntity(ApplicationRef, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ name: string }>('name')],
  resolveReference: async (ref, ctx) => {
    const apps = await resourceLoaders(ctx).applications();
    if ('id' in ref) return apps.get(remoteIdFrom(ref.id, 'Application', 'id')) ?? null;
    return [...apps.values()].find((a) => a.name === ref.name) ?? null;
  },
});

builder.node(ApplicationRef, {
  description: 'An application IdentityIQ manages accounts on',
  id: { resolve: (a) => a.id },
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'features' in v && 'name' in v && !('nativeIdentity' in v),
  loadManyWithoutCache: (ids, ctx) => Promise.all(ids.map((id) => byId(ctx, id))),
  fields: (t) => ({
    remoteId: t.exposeID('id', { description: 'The IdentityIQ id' }),
    name: t.exposeString('name'),
    type: t.exposeString('type', { nullable: true, description: 'The connector type, e.g. Active Directory - Direct' }),
    description: t.exposeString('description', { nullable: true }),
    features: t.exposeStringList('features'),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.created }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.lastModified }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (a, _args, ctx, info) => userFromRef(a.owner, ctx, info) }),
    accounts: t.connection(
      {
        type: AccountRef,
        description: 'Accounts on this application, in nativeIdentity order',
        args: { filter: t.arg({ type: AccountFilter }) },
        resolve: (app, args, ctx, info) => {
          const own = compileAccountFilter(args.filter);
          const filter = allOf<AccountField>([{ op: 'eq', attr: 'applicationId', value: app.id }, ...(own ? [own] : [])]);
          return listConnection(ctx, args, `app-accounts:${app.id}`, filter, isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache), (q) =>
            ctx.conn.client.listAccounts(q, call(ctx)),
          );
        },
      },
      AccountConnection,
    ),
    entitlements: t.connection(
      {
        type: EntitlementRef,
        description: 'Entitlements (ManagedAttributes) of this application, in displayName order',
        args: { filter: t.arg({ type: EntitlementFilter }) },
        resolve: (app, args, ctx, info) => {
          const own = compileEntitlementFilter(args.filter);
          const filter = allOf<EntitlementField>([{ op: 'eq', attr: 'applicationId', value: app.id }, ...(own ? [own] : [])]);
          return listConnection(ctx, args, `app-entitlements:${app.id}`, filter, isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache), (q) =>
            ctx.conn.client.listEntitlements(q, call(ctx)),
          );
        },
      },
      EntitlementConnection,
    ),
  }),
});

export interface ApplicationFilterInput {
  name?: StringFilterInput | null;
  type?: StringFilterInput | null;
}

const ApplicationFilter = builder.inputType('ApplicationFilter', {
  fields: (t) => ({ name: t.field({ type: StringFilter }), type: t.field({ type: StringFilter }) }),
});

function compileApplicationFilter(input: ApplicationFilterInput | null | undefined): FilterNode<ApplicationField> | undefined {
  if (!input) return undefined;
  return allOf<ApplicationField>([...stringConditions('name', input.name, 'filter.name'), ...stringConditions('type', input.type, 'filter.type')]);
}

builder.queryFields((t) => ({
  applications: t.connection(
    {
      type: ApplicationRef,
      description: 'Applications, in name order',
      args: { filter: t.arg({ type: ApplicationFilter }) },
      resolve: (_root, args, ctx, info) =>
        listConnection(ctx, args, 'applications', compileApplicationFilter(args.filter), isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache), (q) =>
          ctx.conn.client.listApplications(q, call(ctx)),
        ),
    },
    ApplicationConnection,
  ),
}));
