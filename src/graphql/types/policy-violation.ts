// PolicyViolation: the node, `user.policyViolations`, the `policyViolations` connection, and the what-if check
// `checkPolicyViolations` (POST /CheckedPolicyViolations: what a role / entitlement grant would violate).
import { z } from 'zod';
import type { FilterNode } from '../../iiq/filter.ts';
import type { IiqCheckedViolation, PolicyViolationField } from '../../iiq/resource-types.ts';
import { builder } from '../builder.ts';
import type { StringFilterInput } from '../filters.ts';
import { remoteIdFrom } from '../global-id.ts';
import { resourceLoaders } from '../resource-loaders.ts';
import { isSelectedMemo } from '../selection.ts';
import { PolicyViolationConnection, PolicyViolationRef, allOf, call, listConnection, stringConditions, userFromRef } from './access-refs.ts';
import { RoleRef, StringFilter, UserRef } from './refs.ts';
import { resolveRoles } from './shared.ts';
import { NotFoundError, UpstreamRejectedError, typedWriteError } from './write-errors.ts';
import { InputValidationError } from '@pothos/plugin-validation';

const PolicyViolationStatus = builder.enumType('PolicyViolationStatus', {
  values: { OPEN: { value: 'Open' }, MITIGATED: { value: 'Mitigated' }, REMEDIATED: { value: 'Remediated' }, DELEGATED: { value: 'Delegated' } } as const,
});

builder.asEntity(PolicyViolationRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resourceLoaders(ctx).violationById.load(remoteIdFrom(ref.id, 'PolicyViolation', 'id')),
});

builder.node(PolicyViolationRef, {
  description: 'A policy violation IdentityIQ detected (e.g. separation of duties)',
  id: { resolve: (p) => p.id },
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'policyName' in v && 'constraintName' in v && 'identity' in v,
  loadManyWithoutCache: (ids, ctx) => Promise.all(ids.map((id) => resourceLoaders(ctx).violationById.load(id))),
  fields: (t) => ({
    remoteId: t.exposeID('id', { description: 'The IdentityIQ id' }),
    policyName: t.exposeString('policyName', { nullable: true }),
    constraintName: t.exposeString('constraintName', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    status: t.string({ nullable: true, description: 'Open, Mitigated, Remediated or Delegated', resolve: (p) => p.status }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.created }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.lastModified }),
    owner: t.field({ type: UserRef, nullable: true, description: 'The owner of the policy', resolve: (p, _args, ctx, info) => userFromRef(p.owner, ctx, info) }),
    user: t.field({ type: UserRef, nullable: true, description: 'The identity in violation', resolve: (p, _args, ctx, info) => userFromRef(p.identity, ctx, info) }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  policyViolations: t.field({
    type: [PolicyViolationRef],
    description: 'Policy violations of this identity; for a list of users, one request',
    args: { status: t.arg({ type: PolicyViolationStatus, description: 'only violations in this status' }) },
    resolve: async (user, args, ctx) => {
      const all = await resourceLoaders(ctx).violationsByUser.load(user.id);
      return args.status ? all.filter((p) => p.status === args.status) : all;
    },
  }),
}));

interface PolicyViolationFilterInput {
  policyName?: StringFilterInput | null;
  constraintName?: StringFilterInput | null;
  status?: string | null;
  userId?: string | number | null;
}

const PolicyViolationFilter = builder.inputType('PolicyViolationFilter', {
  fields: (t) => ({
    policyName: t.field({ type: StringFilter }),
    constraintName: t.field({ type: StringFilter }),
    status: t.field({ type: PolicyViolationStatus }),
    userId: t.id({ description: 'the identity in violation' }),
  }),
});

function compilePolicyViolationFilter(input: PolicyViolationFilterInput | null | undefined): FilterNode<PolicyViolationField> | undefined {
  if (!input) return undefined;
  const parts: FilterNode<PolicyViolationField>[] = [
    ...stringConditions('policyName', input.policyName, 'filter.policyName'),
    ...stringConditions('constraintName', input.constraintName, 'filter.constraintName'),
  ];
  if (input.status != null) parts.push({ op: 'eq', attr: 'status', value: input.status });
  if (input.userId != null) parts.push({ op: 'eq', attr: 'userId', value: remoteIdFrom(String(input.userId), 'User', 'filter.userId') });
  return allOf(parts);
}

// ---------------------------------------------------------------------------------------------------------
// What-if check
// ---------------------------------------------------------------------------------------------------------

const CheckedViolationRef = builder.objectRef<IiqCheckedViolation>('CheckedPolicyViolation').implement({
  description: 'A violation the requested access would cause (nothing was provisioned)',
  fields: (t) => ({
    policyName: t.exposeString('policyName', { nullable: true }),
    policyType: t.exposeString('policyType', { nullable: true }),
    constraintName: t.exposeString('constraintName', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    leftBundles: t.exposeStringList('leftBundles', { description: 'role names on one side of the constraint' }),
    rightBundles: t.exposeStringList('rightBundles', { description: 'role names on the other side' }),
    roles: t.field({
      type: [RoleRef],
      description: 'the roles of both sides, from the role catalog',
      resolve: async (v, _args, ctx) => {
        const catalog = await ctx.conn.catalog.get();
        return [...v.leftBundles, ...v.rightBundles].flatMap((name) => {
          const role = catalog.byName.get(name);
          return role ? [role] : [];
        });
      },
    }),
  }),
});

const idList = z.array(z.string().trim().min(1).max(512)).max(100, 'at most 100 items');

builder.queryFields((t) => ({
  policyViolations: t.connection(
    {
      type: PolicyViolationRef,
      description: 'Policy violations, in policyName order',
      args: { filter: t.arg({ type: PolicyViolationFilter }) },
      resolve: (_root, args, ctx, info) =>
        listConnection(ctx, args, 'policyViolations', compilePolicyViolationFilter(args.filter), isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache), (q) =>
          ctx.conn.client.listPolicyViolations(q, call(ctx)),
        ),
    },
    PolicyViolationConnection,
  ),
  checkPolicyViolations: t.field({
    type: [CheckedViolationRef],
    description:
      'What-if for just-in-time provisioning: the policy violations granting these roles and entitlements to the user would cause (IIQ CheckedPolicyViolations; nothing is provisioned). Empty: the grant is clean.',
    errors: {
      types: [InputValidationError, NotFoundError, UpstreamRejectedError],
      union: { name: 'CheckPolicyViolationsResult' },
      result: { name: 'CheckPolicyViolationsSuccess' },
      dataField: { name: 'violations' },
    },
    args: {
      userId: t.arg.id({ required: true }),
      addRoles: t.arg.idList({ description: 'Role ids (global or IdentityIQ) to assign', validate: idList }),
      addEntitlements: t.arg.idList({ description: 'Entitlement ids (global or IdentityIQ) to add', validate: idList }),
      policies: t.arg.stringList({ description: 'only these policies (by name); all when absent', validate: z.array(z.string().min(1).max(255)).max(50) }),
    },
    resolve: async (_root, args, ctx) => {
      const userId = remoteIdFrom(String(args.userId), 'User', 'userId');
      const roleIds = (args.addRoles ?? []).map((id) => remoteIdFrom(String(id), 'Role', 'addRoles'));
      const entitlementIds = (args.addEntitlements ?? []).map((id) => remoteIdFrom(String(id), 'Entitlement', 'addEntitlements'));
      const [roles, entitlements] = await Promise.all([
        resolveRoles(ctx, roleIds),
        resourceLoaders(ctx).entitlementById.loadMany(entitlementIds),
      ]);
      roles.forEach((r, i) => {
        if (!r) throw new NotFoundError('Role', roleIds[i]!);
      });
      const apps = entitlementIds.length ? await resourceLoaders(ctx).applications() : new Map();
      const adds = entitlements.map((e, i) => {
        if (e instanceof Error) throw e;
        if (!e || !e.application || e.attribute === null || e.value === null) throw new NotFoundError('Entitlement', entitlementIds[i]!);
        const name = apps.get(e.application.id)?.name ?? e.application.name;
        if (!name) throw new NotFoundError('Application', e.application.id);
        return { application: name, attribute: e.attribute, value: e.value };
      });
      try {
        return await ctx.conn.client.checkPolicyViolations(
          { identity: userId, roles: roles.map((r) => r!.name), entitlements: adds, ...(args.policies?.length ? { policies: args.policies } : {}) },
          call(ctx),
        );
      } catch (err) {
        // IIQ answers 400 for an identity it does not know
        throw typedWriteError(err, { resource: 'User', id: userId });
      }
    },
  }),
}));
