// Role: the node (served from the role catalog), its hierarchy, its members (membership index), and the
// `role` / `roles` queries.
import type { IiqRole, IiqUser } from '../../iiq/types.ts';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { fingerprint } from '../cursor.ts';
import { badUserInput } from '../errors.ts';
import { compileRoleFilter, roleSort, type RoleFilterInput } from '../filters.ts';
import { remoteIdFrom } from '../global-id.ts';
import type { RoleMember } from '../membership-index.ts';
import { buildConnection, Edge, lazyFingerprint, pageRequest, settle, sliceConnection } from '../paging.ts';
import { isSelectedMemo, userDemand } from '../selection.ts';
import { OrderDirection, RoleAcquisition, RoleRef, RoleTypeRef, StringFilter, UserRef, type AssignmentEdgeFields } from './refs.ts';
import { userStub } from '../user-stub.ts';
import { AssignmentEdge, resolveRoles } from './shared.ts';

RoleTypeRef.implement({
  description: 'A role type (IIQ RoleTypeDefinition); the booleans say what roles of this type allow',
  fields: (t) => ({
    name: t.exposeString('name'),
    displayName: t.exposeString('displayName', { nullable: true }),
    manualAssignment: t.exposeBoolean('manualAssignment', { nullable: true }),
    autoAssignment: t.exposeBoolean('autoAssignment', { nullable: true }),
    assignmentSelector: t.exposeBoolean('assignmentSelector', { nullable: true }),
    iiq: t.exposeBoolean('iiq', { nullable: true }),
    permits: t.exposeBoolean('permits', { nullable: true }),
    requirements: t.exposeBoolean('requirements', { nullable: true }),
  }),
});

const LocalizedText = builder.objectRef<IiqRole['descriptions'][number]>('LocalizedText').implement({
  fields: (t) => ({ locale: t.exposeString('locale', { nullable: true }), value: t.exposeString('value') }),
});

export const RoleConnection = builder.connectionObject({ type: RoleRef, name: 'RoleConnection' }, { name: 'RoleEdge' });

type MemberEdgeShape = { cursor: string; node: IiqUser } & AssignmentEdgeFields;

export const RoleMemberConnection = builder.connectionObject(
  {
    type: UserRef,
    name: 'RoleMemberConnection',
    description: 'Holders of a role, from the membership index (IdentityIQ cannot list members)',
    fields: (t) => ({
      indexedAt: t.field({
        type: 'DateTime',
        description: 'When the membership index scan that produced this list completed',
        resolve: (parent) => (parent as unknown as { indexedAt: Date }).indexedAt,
      }),
    }),
  },
  {
    name: 'RoleMemberEdge',
    fields: (t) => ({
      acquired: t.field({ type: RoleAcquisition, resolve: (edge) => (edge as MemberEdgeShape).acquired }),
      application: t.string({ nullable: true, resolve: (edge) => (edge as MemberEdgeShape).application }),
      accountName: t.string({ nullable: true, resolve: (edge) => (edge as MemberEdgeShape).accountName }),
    }),
  },
);

const rolesByIds = async (ctx: GatewayContext, ids: readonly string[]) =>
  (await resolveRoles(ctx, ids)).filter((r): r is IiqRole => r !== null);

function description(role: IiqRole): string | null {
  const d = role.descriptions.find((x) => x.locale === 'en_US') ?? role.descriptions[0];
  return d?.value ?? null;
}

// Federation entity, keyed by the global id and by name; served from the role catalog like every role lookup.
builder.asEntity(RoleRef, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ name: string }>('name')],
  resolveReference: async (ref, ctx) => {
    if ('id' in ref) return (await resolveRoles(ctx, [remoteIdFrom(ref.id, 'Role', 'id')]))[0] ?? null;
    const catalog = await ctx.conn.catalog.get();
    return catalog.byName.get(ref.name) ?? (await ctx.conn.client.getRoleByName(ref.name, ctx.signal ? { signal: ctx.signal } : {}));
  },
});

builder.node(RoleRef, {
  description: 'An IdentityIQ role (bundle)',
  id: { resolve: (role) => role.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'parentIds' in value && 'permittedRoleIds' in value,
  loadManyWithoutCache: async (ids, ctx) => resolveRoles(ctx, ids),
  fields: (t) => ({
    remoteId: t.exposeID('id', { description: 'The IdentityIQ id' }),
    name: t.exposeString('name'),
    displayName: t.exposeString('displayName', { nullable: true }),
    description: t.string({ nullable: true, description: 'The en_US (else first) description; may contain HTML', resolve: description }),
    descriptions: t.field({ type: [LocalizedText], resolve: (role) => role.descriptions }),
    type: t.field({ type: RoleTypeRef, nullable: true, resolve: (role) => role.type }),
    active: t.exposeBoolean('active', { nullable: true }),
    activationDate: t.field({ type: 'DateTime', nullable: true, resolve: (role) => role.activationDate }),
    deactivationDate: t.field({ type: 'DateTime', nullable: true, resolve: (role) => role.deactivationDate }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (role) => role.created }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (role) => role.lastModified }),
    version: t.exposeString('version', { nullable: true }),
    raw: t.field({ type: 'JSON', description: 'The SCIM resource as IdentityIQ returned it', resolve: (role) => role.raw }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      resolve: (role, _a, ctx, info) =>
        role.owner?.id ? ctx.loaders.userById(role.owner.id, userDemand(info, [], ctx.conn.config.attributeMap, ctx.demandCache)) : null,
    }),
    parents: t.field({ type: [RoleRef], description: 'Roles this role inherits from', resolve: (role, _a, ctx) => rolesByIds(ctx, role.parentIds) }),
    requiredRoles: t.field({ type: [RoleRef], resolve: (role, _a, ctx) => rolesByIds(ctx, role.requiredRoleIds) }),
    permittedRoles: t.field({ type: [RoleRef], resolve: (role, _a, ctx) => rolesByIds(ctx, role.permittedRoleIds) }),
    children: t.connection(
      {
        type: RoleRef,
        description: 'Roles that inherit from this role, by name',
        resolve: async (role, args, ctx) => {
          const catalog = await ctx.conn.catalog.get();
          const children = catalog.childrenOf.get(role.id) ?? [];
          const fp = lazyFingerprint(() => fingerprint({ k: 'children', r: role.id }));
          return sliceConnection(children, args, fp, ctx.conn.cursors, ctx.conn.limits, (node, offset) => new Edge(node, offset, fp, ctx.conn.cursors));
        },
      },
      RoleConnection,
    ),
    members: t.connection(
      {
        type: UserRef,
        description: 'Users holding this role (one edge per assignment), by userName; from the membership index',
        args: { acquired: t.arg({ type: RoleAcquisition }) },
        resolve: async (role, args, ctx, info) => {
          const { conn } = ctx;
          const { members, indexedAt } = conn.membership.members(role.id);
          const list = args.acquired == null ? members : members.filter((m) => m.acquired === args.acquired);
          const fp = lazyFingerprint(() => fingerprint({ k: 'members', r: role.id, a: args.acquired ?? null }));
          const connection = sliceConnection(list, args, fp, conn.cursors, conn.limits, (m: RoleMember, offset) =>
            new AssignmentEdge(userStub(m.userId, m.userName), offset, fp, conn.cursors, m),
          );
          const demand = userDemand(info, ['edges', 'node'], conn.config.attributeMap, ctx.demandCache);
          if (demand.roles || demand.fields === 'default' || demand.fields.size > (demand.fields.has('userName') ? 1 : 0)) {
            // more than the index knows: one batched lookup by userName (always filterable, unlike id)
            const users = await Promise.all(connection.edges.map((e) => ctx.loaders.userByName(e.node.userName, demand)));
            const edges = connection.edges.filter((e, i) => {
              const u = users[i];
              if (u) e.node = u;
              return Boolean(u); // deleted since the index was built
            });
            return { ...connection, edges, indexedAt };
          }
          return { ...connection, indexedAt };
        },
      },
      RoleMemberConnection,
    ),
  }),
});

export const RoleOrderField = builder.enumType('RoleOrderField', {
  values: ['NAME', 'DISPLAY_NAME', 'CREATED_AT', 'UPDATED_AT'] as const,
});

export const RoleOrder = builder.inputType('RoleOrder', {
  fields: (t) => ({
    field: t.field({ type: RoleOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: true }),
  }),
});

export const RoleFilter = builder.inputRef<RoleFilterInput>('RoleFilter').implement({
  description: 'Conditions on roles; conditions in one object are AND-ed',
  fields: (t) => ({
    name: t.field({ type: StringFilter }),
    displayName: t.field({ type: StringFilter }),
    type: t.string({ description: 'role type name, e.g. business or it' }),
    active: t.boolean(),
    ownerId: t.id({ description: 'the owner’s User id (global id or IdentityIQ id)' }),
    parentId: t.id({ description: 'a parent Role id (global id or IdentityIQ id)' }),
    and: t.field({ type: [RoleFilter] }),
    or: t.field({ type: [RoleFilter] }),
    not: t.field({ type: RoleFilter }),
  }),
});

builder.queryFields((t) => ({
  role: t.field({
    type: RoleRef,
    nullable: true,
    description: 'One role by id (global or IdentityIQ id) or by name — exactly one of them; null when not found',
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      if ((args.id == null) === (args.name == null)) throw badUserInput('role takes exactly one of id or name');
      if (args.id != null) return (await resolveRoles(ctx, [remoteIdFrom(String(args.id), 'Role', 'id')]))[0] ?? null;
      const catalog = await ctx.conn.catalog.get();
      return catalog.byName.get(args.name!) ?? (await ctx.conn.client.getRoleByName(args.name!, ctx.signal ? { signal: ctx.signal } : {}));
    },
  }),
  roles: t.connection(
    {
      type: RoleRef,
      description: 'Roles, in name order unless orderBy says otherwise',
      args: { filter: t.arg({ type: RoleFilter }), orderBy: t.arg({ type: RoleOrder }) },
      resolve: async (_root, args, ctx, info) => {
        const { conn } = ctx;
        const filter = compileRoleFilter(args.filter);
        const sort = roleSort(args.orderBy);
        const fp = lazyFingerprint(() => fingerprint({ k: 'roles', filter: filter ?? null, sort }));
        const request = pageRequest(args, fp, conn.cursors, conn.limits);
        const call = ctx.signal ? { signal: ctx.signal } : {};
        const base = { ...(filter ? { filter } : {}), sort };
        let total: number | null = null;
        if (request.end === null) total = (await conn.client.listRoles({ ...base, count: 0 }, call)).totalResults;
        const { start, end } = settle(request, total ?? Number.MAX_SAFE_INTEGER);
        let items: IiqRole[] = [];
        // totals only (count=0) when no edge or cursor is selected
        const needItems = isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache);
        if (end > start && needItems) {
          const page = await conn.client.listRoles({ ...base, startIndex: start + 1, count: end - start }, call);
          items = page.items;
          total = page.totalResults;
        } else total ??= (await conn.client.listRoles({ ...base, count: 0 }, call)).totalResults;
        return buildConnection(items, start, total, fp, conn.cursors, (node, offset) => new Edge(node, offset, fp, conn.cursors));
      },
    },
    RoleConnection,
  ),
}));
