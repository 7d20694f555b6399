// Account (an IIQ Link): the node, `user.accounts`, the `accounts` connection, and the account write
// operations IIQ supports through SCIM (reference §5): enable, disable, unlock.
import type { FilterNode } from '../../iiq/filter.ts';
import type { AccountField, IiqAccount } from '../../iiq/resource-types.ts';
import { isIiqError } from '../../iiq/errors.ts';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import type { StringFilterInput } from '../filters.ts';
import { remoteIdFrom } from '../global-id.ts';
import { entitlementsOfAccount, resourceLoaders } from '../resource-loaders.ts';
import { isSelectedMemo } from '../selection.ts';
import { AccountConnection, AccountRef, ApplicationRef, EntitlementRef, allOf, call, listConnection, stringConditions, userFromRef } from './access-refs.ts';
import { StringFilter, UserRef } from './refs.ts';
import { NotFoundError, UpstreamRejectedError, VersionConflictError, typedWriteError } from './write-errors.ts';

builder.asEntity(AccountRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resourceLoaders(ctx).accountById.load(remoteIdFrom(ref.id, 'Account', 'id')),
});

builder.node(AccountRef, {
  description: 'An account on an application (IIQ Link), correlated to an identity',
  id: { resolve: (a) => a.id },
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'nativeIdentity' in v && 'hasEntitlements' in v,
  loadManyWithoutCache: (ids, ctx) => Promise.all(ids.map((id) => resourceLoaders(ctx).accountById.load(id))),
  fields: (t) => ({
    remoteId: t.exposeID('id', { description: 'The IdentityIQ id' }),
    nativeIdentity: t.exposeString('nativeIdentity', { description: 'The account’s id on the application (e.g. a DN)' }),
    displayName: t.exposeString('displayName', { nullable: true }),
    active: t.exposeBoolean('active', { nullable: true, description: 'false when the account is disabled' }),
    locked: t.exposeBoolean('locked', { nullable: true }),
    manuallyCorrelated: t.exposeBoolean('manuallyCorrelated', { nullable: true }),
    hasEntitlements: t.exposeBoolean('hasEntitlements', { nullable: true }),
    lastRefresh: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.lastRefresh }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.created }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.lastModified }),
    version: t.exposeString('version', { nullable: true, description: 'Weak ETag of the account' }),
    attributes: t.field({ type: 'JSON', description: 'The application schema attributes, names as the application defines them', resolve: (a) => a.attributes }),
    raw: t.field({ type: 'JSON', description: 'The SCIM resource as IdentityIQ returned it', resolve: (a) => a.raw }),
    user: t.field({ type: UserRef, nullable: true, description: 'The identity the account is correlated to', resolve: (a, _args, ctx, info) => userFromRef(a.identity, ctx, info) }),
    application: t.field({
      type: ApplicationRef,
      nullable: true,
      resolve: async (a, _args, ctx) => (a.application ? ((await resourceLoaders(ctx).applications()).get(a.application.id) ?? null) : null),
    }),
    entitlements: t.field({
      type: [EntitlementRef],
      description: 'Entitlements (IIQ ManagedAttributes) this account holds',
      resolve: (a, _args, ctx) => entitlementsOfAccount(ctx, a),
    }),
  }),
});

export interface AccountFilterInput {
  nativeIdentity?: StringFilterInput | null;
  displayName?: StringFilterInput | null;
  active?: boolean | null;
  userId?: string | number | null;
  applicationId?: string | number | null;
  applicationName?: StringFilterInput | null;
}

export const AccountFilter = builder.inputType('AccountFilter', {
  description: 'Conditions on accounts, AND-ed',
  fields: (t) => ({
    nativeIdentity: t.field({ type: StringFilter }),
    displayName: t.field({ type: StringFilter }),
    active: t.boolean(),
    userId: t.id({ description: 'the identity (User id, global or IdentityIQ)' }),
    applicationId: t.id({ description: 'the application (Application id, global or IdentityIQ)' }),
    applicationName: t.field({ type: StringFilter }),
  }),
});

export function compileAccountFilter(input: AccountFilterInput | null | undefined): FilterNode<AccountField> | undefined {
  if (!input) return undefined;
  const parts: FilterNode<AccountField>[] = [
    ...stringConditions('nativeIdentity', input.nativeIdentity, 'filter.nativeIdentity'),
    ...stringConditions('displayName', input.displayName, 'filter.displayName'),
    ...stringConditions('applicationName', input.applicationName, 'filter.applicationName'),
  ];
  if (input.active != null) parts.push({ op: 'eq', attr: 'active', value: input.active });
  if (input.userId != null) parts.push({ op: 'eq', attr: 'userId', value: remoteIdFrom(String(input.userId), 'User', 'filter.userId') });
  if (input.applicationId != null) parts.push({ op: 'eq', attr: 'applicationId', value: remoteIdFrom(String(input.applicationId), 'Application', 'filter.applicationId') });
  return allOf(parts);
}

builder.objectFields(UserRef, (t) => ({
  accounts: t.field({
    type: [AccountRef],
    description: 'The identity’s accounts; the accounts of all users in a list are read in one request',
    resolve: (user, _args, ctx) => resourceLoaders(ctx).accountsByUser.load(user.id),
  }),
}));

builder.queryFields((t) => ({
  accounts: t.connection(
    {
      type: AccountRef,
      description: 'Accounts (IIQ Links), in nativeIdentity order',
      args: { filter: t.arg({ type: AccountFilter }) },
      resolve: (_root, args, ctx, info) =>
        listConnection(ctx, args, 'accounts', compileAccountFilter(args.filter), isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache), (q) =>
          ctx.conn.client.listAccounts(q, call(ctx)),
        ),
    },
    AccountConnection,
  ),
}));

// ---------------------------------------------------------------------------------------------------------
// Account writes: PUT /Accounts/{id} with If-Match (one re-read on 412, like updateUser)
// ---------------------------------------------------------------------------------------------------------

async function changeAccount(ctx: GatewayContext, rawId: string, change: { active?: boolean; unlock?: true }): Promise<IiqAccount> {
  const id = remoteIdFrom(rawId, 'Account', 'id');
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.conn.client.getAccount(id, call(ctx));
    if (!current) throw new NotFoundError('Account', id);
    try {
      const account = await ctx.conn.client.changeAccount(current, change, { ...call(ctx), ...(current.version ? { ifMatch: current.version } : {}) });
      resourceLoaders(ctx).accountById.clear(id).prime(id, account);
      resourceLoaders(ctx).accountsByUser.clearAll();
      return account;
    } catch (err) {
      if (isIiqError(err, 'preconditionFailed')) {
        if (attempt < 2) continue;
        const now = await ctx.conn.client.getAccount(id, call(ctx)).catch(() => null);
        throw new VersionConflictError(id, now?.version ?? null, attempt);
      }
      throw typedWriteError(err, { resource: 'Account', id });
    }
  }
}

const ACCOUNT_ERRORS = [NotFoundError, VersionConflictError, UpstreamRejectedError];

builder.mutationFields((t) => ({
  enableAccount: t.field({
    type: AccountRef,
    description: 'Enables an account on its application (IIQ provisions it)',
    errors: { types: ACCOUNT_ERRORS, union: { name: 'EnableAccountResult' }, result: { name: 'EnableAccountSuccess' }, dataField: { name: 'account' } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => changeAccount(ctx, String(args.id), { active: true }),
  }),
  disableAccount: t.field({
    type: AccountRef,
    description: 'Disables an account on its application (IIQ provisions it)',
    errors: { types: ACCOUNT_ERRORS, union: { name: 'DisableAccountResult' }, result: { name: 'DisableAccountSuccess' }, dataField: { name: 'account' } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => changeAccount(ctx, String(args.id), { active: false }),
  }),
  unlockAccount: t.field({
    type: AccountRef,
    description: 'Unlocks an account (IIQ supports unlocking only, not locking)',
    errors: { types: ACCOUNT_ERRORS, union: { name: 'UnlockAccountResult' }, result: { name: 'UnlockAccountSuccess' }, dataField: { name: 'account' } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => changeAccount(ctx, String(args.id), { unlock: true }),
  }),
}));
