// User: the node, its fields (typed attributes from the install's attribute map), its connections, and
// the `user` / `users` queries.
import type { GraphQLResolveInfo } from 'graphql';
import type { IiqRole, IiqRoleAssignment, IiqUser, RoleAcquired } from '../../iiq/types.ts';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { fingerprint, type CursorCodec } from '../cursor.ts';
import { badUserInput } from '../errors.ts';
import { checkAttributeName, compileUserFilter, userSort, type UserFilterInput } from '../filters.ts';
import { remoteIdFrom } from '../global-id.ts';
import { coerceAttributeValue, customAttributeOrError, discoverSchema, peekSchema, readCustomAttribute, type DiscoveredSchema, type UserAttributeInfo } from '../schema-discovery.ts';
import { buildConnection, Edge, lazyFingerprint, pageRequest, settle, sliceConnection, type ConnectionArgs, type Fingerprint } from '../paging.ts';
import type { RoleCatalogSnapshot } from '../role-catalog.ts';
import { isSelectedMemo, lookupOptions, userDemand } from '../selection.ts';
import { IntFilter, OrderDirection, RoleAcquisition, RoleRef, StringFilter, UserRef, type AssignmentEdgeFields } from './refs.ts';
import { AssignmentEdge, asString, asStringList, resolveRoles, roleFromAssignment } from './shared.ts';

const demandAt = (ctx: GatewayContext, info: GraphQLResolveInfo, path: readonly string[]) =>
  userDemand(info, path, ctx.conn.config.attributeMap, ctx.demandCache);

export const EmailRef = builder.objectRef<IiqUser['emails'][number]>('Email').implement({
  fields: (t) => ({
    value: t.exposeString('value'),
    type: t.exposeString('type', { nullable: true }),
    primary: t.exposeBoolean('primary'),
  }),
});

export const UserConnection = builder.connectionObject({ type: UserRef, name: 'UserConnection' }, { name: 'UserEdge' });

type UserRoleEdgeShape = { cursor: string; node: IiqRole } & AssignmentEdgeFields;

export const UserRoleConnection = builder.connectionObject(
  { type: RoleRef, name: 'UserRoleConnection', description: 'Roles held by a user, with how each is held' },
  {
    name: 'UserRoleEdge',
    fields: (t) => ({
      acquired: t.field({ type: RoleAcquisition, resolve: (edge) => (edge as UserRoleEdgeShape).acquired }),
      application: t.string({ nullable: true, description: 'detected roles: the application of the account', resolve: (edge) => (edge as UserRoleEdgeShape).application }),
      accountName: t.string({ nullable: true, description: 'detected roles: the account (native identity)', resolve: (edge) => (edge as UserRoleEdgeShape).accountName }),
    }),
  },
);

const attr = (user: IiqUser, name: string): unknown => readCustomAttribute(user.customAttributes, name);

type AttributeKind = 'any' | 'string' | 'strings' | 'number' | 'boolean';

const KIND_TYPES: Record<Exclude<AttributeKind, 'any'>, { types: readonly string[] | null; single: boolean; use: string }> = {
  string: { types: ['string', 'integer', 'decimal', 'boolean', 'dateTime', 'binary'], single: true, use: 'attributeString' },
  strings: { types: ['string', 'integer', 'decimal', 'boolean', 'dateTime', 'binary'], single: false, use: 'attributeStrings' },
  number: { types: ['integer', 'decimal'], single: true, use: 'attributeNumber' },
  boolean: { types: ['boolean'], single: true, use: 'attributeBoolean' },
};

function asKind(info: UserAttributeInfo, value: unknown, kind: AttributeKind): unknown {
  if (kind === 'any') return value;
  const type = info.type ?? 'string';
  const rule = KIND_TYPES[kind];
  if (!rule.types?.includes(type) || (rule.single && info.multiValued)) {
    const shape = `${info.multiValued ? 'multi-valued ' : ''}${type === 'complex' || type === 'reference' ? 'identity-typed' : type}`;
    const suggested = info.multiValued && KIND_TYPES.strings.types!.includes(type) ? 'attributeStrings' : 'attribute';
    throw badUserInput(`name: "${info.name}" is a ${shape} attribute, not one ${rule.use} reads: use ${suggested}`, {
      argument: 'name',
      reason: 'ATTRIBUTE_TYPE_MISMATCH',
      attributeType: type,
      multiValued: info.multiValued,
    });
  }
  if (kind === 'strings') return Array.isArray(value) ? value.map(String) : value === null ? [] : [String(value)];
  if (kind === 'string') return value === null ? null : String(value);
  return value;
}

/** Untyped, as before discovery: only when IIQ does not answer /Schemas (the raw value, null when absent). */
function untypedAttribute(user: IiqUser, name: string, kind: AttributeKind): unknown {
  const raw = attr(user, name);
  if (kind === 'string') return asString(raw);
  if (kind === 'strings') return asStringList(raw);
  if (kind === 'number') return typeof raw === 'number' ? raw : null;
  if (kind === 'boolean') return typeof raw === 'boolean' ? raw : null;
  return raw;
}

/**
 * A custom attribute read through the connection's discovered schema (cached per connection: no request per row,
 * and no promise per row once it is at hand).
 */
function typedAttribute(user: IiqUser, rawName: string, kind: AttributeKind, ctx: GatewayContext): unknown {
  const name = checkAttributeName(rawName, 'name');
  const read = (schema: DiscoveredSchema) => {
    const info = customAttributeOrError(schema, name);
    return asKind(info, coerceAttributeValue(info, readCustomAttribute(user.customAttributes, info.name)), kind);
  };
  const schema = peekSchema(ctx.conn.client);
  if (schema) return read(schema);
  return discoverSchema(ctx.conn.client, ctx.signal ? { signal: ctx.signal } : {}).then(read, (err: unknown) => {
    if (ctx.signal?.aborted) throw err;
    ctx.conn.logger.warn({ err: (err as Error).message }, 'IIQ /Schemas unavailable: custom attributes are read untyped');
    return untypedAttribute(user, name, kind);
  });
}

class UserRoleEdge extends AssignmentEdge<IiqRole> {
  constructor(node: IiqRole, offset: number, fp: Fingerprint, codec: CursorCodec, readonly assignment: IiqRoleAssignment) {
    super(node, offset, fp, codec, assignment);
  }
}

/** A user's roles as a connection; nodes from the catalog (null where it lacks them: filled by the caller). */
function userRoles(
  assignments: readonly IiqRoleAssignment[],
  userId: string,
  args: { acquired?: RoleAcquired | null; type?: string | null } & ConnectionArgs,
  ctx: GatewayContext,
  catalog: RoleCatalogSnapshot | null,
  needNodes: boolean,
) {
  const { conn } = ctx;
  const typeOf = (a: IiqRoleAssignment) => a.roleType ?? catalog?.byId.get(a.roleId)?.type?.name ?? null;
  const list =
    args.acquired == null && args.type == null
      ? assignments
      : assignments.filter((a) => (args.acquired == null || a.acquired === args.acquired) && (args.type == null || typeOf(a) === args.type));
  const fp = lazyFingerprint(() => fingerprint({ k: 'userRoles', u: userId, a: args.acquired ?? null, t: args.type ?? null }));
  return sliceConnection(list, args, fp, conn.cursors, conn.limits, (a, offset) => {
    const node = needNodes ? (catalog?.byId.get(a.roleId) ?? null) : null;
    return new UserRoleEdge(node as IiqRole, offset, fp, conn.cursors, a);
  });
}

/** A user's roles, loading them when the user was fetched without (e.g. through a path that did not ask). */
async function rolesOf(user: IiqUser, ctx: GatewayContext): Promise<readonly IiqRoleAssignment[]> {
  if (user.roles) return user.roles;
  const again = await ctx.loaders.userById(user.id, { fields: new Set(), roles: true, key: '|R' });
  return again?.roles ?? [];
}

// Federation entity, keyed by the global id and by userName. References resolve through the request's loaders:
// the N references of one `_entities` call are one batched lookup, as N rows would be.
builder.asEntity(UserRef, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ userName: string }>('userName')],
  resolveReference: (ref, ctx, info) =>
    'id' in ref
      ? ctx.loaders.userById(remoteIdFrom(ref.id, 'User', 'id'), demandAt(ctx, info, []))
      : ctx.loaders.userByName(ref.userName, demandAt(ctx, info, [])),
});

builder.node(UserRef, {
  description: 'An IdentityIQ identity',
  id: { resolve: (user) => user.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'userName' in value && 'customAttributes' in value,
  loadWithoutCache: (id, ctx, info) => ctx.loaders.userById(id, demandAt(ctx, info, [])),
  fields: (t) => ({
    remoteId: t.exposeID('id', { description: 'The IdentityIQ id' }),
    userName: t.exposeString('userName'),
    displayName: t.exposeString('displayName', { nullable: true }),
    formattedName: t.exposeString('formattedName', { nullable: true }),
    givenName: t.exposeString('givenName', { nullable: true }),
    familyName: t.exposeString('familyName', { nullable: true }),
    email: t.exposeString('email', { nullable: true, description: 'The primary (work) email' }),
    emails: t.field({ type: [EmailRef], resolve: (user) => user.emails }),
    active: t.exposeBoolean('active', { nullable: true }),
    userType: t.exposeString('userType', { nullable: true }),
    isManager: t.exposeBoolean('isManager', { nullable: true }),
    riskScore: t.exposeInt('riskScore', { nullable: true, description: 'Composite risk score (absent without a scorecard)' }),
    capabilities: t.exposeStringList('capabilities'),
    lastRefresh: t.field({ type: 'DateTime', nullable: true, resolve: (user) => user.lastRefresh }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (user) => user.created }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (user) => user.lastModified }),
    version: t.exposeString('version', { nullable: true, description: 'Weak ETag of the identity' }),
    raw: t.field({ type: 'JSON', description: 'The SCIM resource as IdentityIQ returned it', resolve: (user) => user.raw }),
    attributes: t.field({
      type: 'JSON',
      description: 'All custom identity attributes (SailPoint extension), names as configured in IdentityIQ',
      resolve: (user) => user.customAttributes,
    }),
    attribute: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'One custom identity attribute by its IdentityIQ name (case-insensitive), typed by the discovered schema (`iiqSchema`): integer/decimal as a number, boolean, dateTime as an ISO-8601 string, identity-typed as an object, multi-valued as a list. A name the schema does not know is a BAD_USER_INPUT error (`reason: UNKNOWN_ATTRIBUTE`, `knownAttributes`).',
      args: { name: t.arg.string({ required: true }) },
      resolve: (user, args, ctx) => typedAttribute(user, args.name, 'any', ctx),
    }),
    attributeString: t.string({
      nullable: true,
      description: 'A single-valued, non-identity custom attribute as a string (numbers, booleans and dates in their JSON/ISO-8601 form)',
      args: { name: t.arg.string({ required: true }) },
      resolve: (user, args, ctx) => typedAttribute(user, args.name, 'string', ctx) as string | null | Promise<string | null>,
    }),
    attributeStrings: t.stringList({
      description: 'A non-identity custom attribute as a list of strings (multi-valued: every value; single-valued: zero or one)',
      args: { name: t.arg.string({ required: true }) },
      resolve: (user, args, ctx) => typedAttribute(user, args.name, 'strings', ctx) as string[] | Promise<string[]>,
    }),
    attributeNumber: t.float({
      nullable: true,
      description: 'A single-valued integer or decimal custom attribute',
      args: { name: t.arg.string({ required: true }) },
      resolve: (user, args, ctx) => typedAttribute(user, args.name, 'number', ctx) as number | null | Promise<number | null>,
    }),
    attributeBoolean: t.boolean({
      nullable: true,
      description: 'A single-valued boolean custom attribute',
      args: { name: t.arg.string({ required: true }) },
      resolve: (user, args, ctx) => typedAttribute(user, args.name, 'boolean', ctx) as boolean | null | Promise<boolean | null>,
    }),
    department: t.string({ nullable: true, resolve: (user, _a, ctx) => asString(attr(user, ctx.conn.config.attributeMap.department)) }),
    jobTitle: t.string({ nullable: true, resolve: (user, _a, ctx) => asString(attr(user, ctx.conn.config.attributeMap.jobTitle)) }),
    location: t.string({ nullable: true, resolve: (user, _a, ctx) => asString(attr(user, ctx.conn.config.attributeMap.location)) }),
    costCenters: t.stringList({ resolve: (user, _a, ctx) => asStringList(attr(user, ctx.conn.config.attributeMap.costCenters)) }),
    employeeId: t.string({ nullable: true, resolve: (user, _a, ctx) => asString(attr(user, ctx.conn.config.attributeMap.employeeId)) }),
    manager: t.field({
      type: UserRef,
      nullable: true,
      resolve: (user, _a, ctx, info) => (user.manager?.id ? ctx.loaders.userById(user.manager.id, demandAt(ctx, info, [])) : null),
    }),
    directReports: t.connection(
      {
        type: UserRef,
        description: 'Identities whose manager this user is, by userName',
        resolve: async (user, args, ctx, info) => {
          const { conn } = ctx;
          const reports = await ctx.loaders.directReports(user.id, demandAt(ctx, info, ['edges', 'node']));
          const fp = lazyFingerprint(() => fingerprint({ k: 'directReports', m: user.id }));
          return sliceConnection(reports, args, fp, conn.cursors, conn.limits, (node, offset) => new Edge(node, offset, fp, conn.cursors));
        },
      },
      UserConnection,
    ),
    roles: t.connection(
      {
        type: RoleRef,
        description: 'Roles held by this user (assigned and detected)',
        args: {
          acquired: t.arg({ type: RoleAcquisition, description: 'only roles held this way' }),
          type: t.arg.string({ description: 'only roles of this role type name (e.g. business, it)' }),
        },
        resolve: (user, args, ctx, info) => {
          const needNodes = isSelectedMemo(info, ['edges', 'node'], ctx.demandCache);
          const catalog = ctx.conn.catalog.peek();
          // synchronous when everything is at hand (warm catalog): no promise per row
          if (user.roles && (catalog || (!needNodes && args.type == null))) {
            const connection = userRoles(user.roles, user.id, args, ctx, catalog, needNodes);
            if (!needNodes || connection.edges.every((e) => e.node)) return connection;
          }
          return (async () => {
            const roles = await rolesOf(user, ctx);
            const snapshot = needNodes || args.type != null ? await ctx.conn.catalog.get() : null;
            const connection = userRoles(roles, user.id, args, ctx, snapshot, needNodes);
            const missing = connection.edges.filter((e) => !e.node);
            if (missing.length) {
              const found = await resolveRoles(ctx, missing.map((e) => e.assignment.roleId), snapshot ?? undefined);
              missing.forEach((edge, i) => {
                edge.node = found[i] ?? roleFromAssignment(edge.assignment);
              });
            }
            return connection;
          })();
        },
      },
      UserRoleConnection,
    ),
  }),
});

export const UserOrderField = builder.enumType('UserOrderField', {
  values: ['USER_NAME', 'DISPLAY_NAME', 'GIVEN_NAME', 'FAMILY_NAME', 'CREATED_AT', 'UPDATED_AT', 'RISK_SCORE'] as const,
});

export const UserOrder = builder.inputType('UserOrder', {
  fields: (t) => ({
    field: t.field({ type: UserOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: true }),
  }),
});

export const AttributeFilter = builder.inputType('AttributeFilter', {
  description: 'Conditions on a custom identity attribute, named as in IdentityIQ',
  fields: (t) => ({
    name: t.string({ required: true }),
    eq: t.string(),
    ne: t.string(),
    startsWith: t.string(),
    contains: t.string(),
    present: t.boolean(),
  }),
});

export const UserFilter = builder.inputRef<UserFilterInput>('UserFilter').implement({
  description: 'Conditions on users; conditions in one object are AND-ed',
  fields: (t) => ({
    userName: t.field({ type: StringFilter }),
    displayName: t.field({ type: StringFilter }),
    givenName: t.field({ type: StringFilter }),
    familyName: t.field({ type: StringFilter }),
    email: t.field({ type: StringFilter }),
    active: t.boolean(),
    managerId: t.id({ description: 'the manager’s User id (global id or IdentityIQ id)' }),
    isManager: t.boolean(),
    riskScore: t.field({ type: IntFilter }),
    updatedSince: t.field({ type: 'DateTime', description: 'modified at or after' }),
    attributes: t.field({ type: [AttributeFilter], description: 'custom identity attributes by name' }),
    and: t.field({ type: [UserFilter] }),
    or: t.field({ type: [UserFilter] }),
    not: t.field({ type: UserFilter }),
  }),
});

builder.queryFields((t) => ({
  user: t.field({
    type: UserRef,
    nullable: true,
    description: 'One user by id (global or IdentityIQ id) or by userName — exactly one of them; null when not found',
    args: { id: t.arg.id(), userName: t.arg.string() },
    resolve: (_root, args, ctx, info) => {
      if ((args.id == null) === (args.userName == null)) throw badUserInput('user takes exactly one of id or userName');
      const demand = demandAt(ctx, info, []);
      if (args.id != null) return ctx.loaders.userById(remoteIdFrom(String(args.id), 'User', 'id'), demand);
      if (!args.userName) throw badUserInput('userName must not be empty', { argument: 'userName' });
      return ctx.loaders.userByName(args.userName, demand);
    },
  }),
  users: t.connection(
    {
      type: UserRef,
      description: 'Users, in userName order unless orderBy says otherwise',
      args: {
        filter: t.arg({ type: UserFilter }),
        orderBy: t.arg({ type: UserOrder }),
      },
      resolve: async (_root, args, ctx, info) => {
        const { conn } = ctx;
        const filter = compileUserFilter(args.filter);
        const sort = userSort(args.orderBy);
        const fp = lazyFingerprint(() => fingerprint({ k: 'users', filter: filter ?? null, sort }));
        const request = pageRequest(args, fp, conn.cursors, conn.limits);
        const call = ctx.signal ? { signal: ctx.signal } : {};
        let total: number | null = null;
        if (request.end === null) total = await conn.client.countUsers(filter, call); // `last` without `before`
        const { start, end } = settle(request, total ?? Number.MAX_SAFE_INTEGER);
        let items: IiqUser[] = [];
        // totals only (count=0) when no edge or cursor is selected
        const needItems = isSelectedMemo(info, ['edges'], ctx.demandCache) || isSelectedMemo(info, ['pageInfo'], ctx.demandCache);
        if (end > start && needItems) {
          const { fields, includeRoles } = lookupOptions(demandAt(ctx, info, ['edges', 'node']));
          const page = await conn.client.listUsers(
            { ...(filter ? { filter } : {}), sort, startIndex: start + 1, count: end - start, ...(fields ? { fields } : {}), ...(includeRoles ? { includeRoles } : {}) },
            call,
          );
          items = page.items;
          total = page.totalResults;
        } else total ??= await conn.client.countUsers(filter, call);
        return buildConnection(items, start, total, fp, conn.cursors, (node, offset) => new Edge(node, offset, fp, conn.cursors));
      },
    },
    UserConnection,
  ),
}));
