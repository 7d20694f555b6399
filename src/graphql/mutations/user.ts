// User lifecycle mutations (reference §5: no PATCH, userName immutable, writes run as provisioning plans):
// createUser (with an idempotency key), replaceUser, updateUser (read, merge, PUT with If-Match; one re-read
// and re-merge on 412), setUserActive and deleteUser. Expected failures are typed results (errors plugin);
// inputs are checked with zod (validation plugin) and custom attributes against the discovered /Schemas.
import { z } from 'zod';
import { SqlConnectionStore } from '../../connections/sql-store.ts';
import { MemoryIdempotencyStore, SqlIdempotencyStore, boundIdempotencyStore, requestHash, type IdempotencyStore } from '../../connections/idempotency.ts';
import type { SqlDriver } from '../../connections/sql-store.ts';
import { isIiqError } from '../../iiq/errors.ts';
import type { IiqClient, IiqUser, IiqUserInput } from '../../iiq/types.ts';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { encodeGlobalId, remoteIdFrom } from '../global-id.ts';
import { checkCustomAttributes, discoverSchema, writableCustomAttributes, type DiscoveredSchema } from '../schema-discovery.ts';
import { UserRef } from '../types/refs.ts';
import {
  DuplicateUserNameError,
  IdempotencyInProgressError,
  IdempotencyKeyReuseError,
  NotFoundError,
  USER_WRITE_ERRORS,
  VersionConflictError,
  typedWriteError,
} from '../types/write-errors.ts';

// ---------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const userNameSchema = z.string().trim().min(1, 'userName must not be empty').max(255).regex(NO_CONTROL, 'userName must not contain control characters');
const textSchema = z.string().max(1024).regex(NO_CONTROL, 'must not contain control characters');
const idSchema = z.string().trim().min(1, 'must not be empty').max(512);
const attributesSchema = z.record(z.string().min(1).max(128), z.unknown(), { error: 'attributes must be an object of attribute name → value' });

interface UserFieldsInput {
  userName?: string | null | undefined;
  displayName?: string | null | undefined;
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  email?: string | null | undefined;
  active?: boolean | null | undefined;
  password?: string | null | undefined;
  managerId?: string | null | undefined;
  capabilities?: string[] | null | undefined;
  attributes?: unknown;
}

// Create and replace take the same identity; only their descriptions differ (userName is required in both).
const userInputFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  userName: t.string({ required: true, validate: userNameSchema }),
  displayName: t.string({ validate: textSchema }),
  givenName: t.string({ validate: textSchema }),
  familyName: t.string({ validate: textSchema }),
  email: t.string({ validate: z.email('email must be an email address').max(320) }),
  active: t.boolean(),
  password: t.string({ validate: z.string().min(1).max(1024) }),
  managerId: t.id({ description: 'the manager’s User id (global or IdentityIQ id)', validate: idSchema }),
  capabilities: t.stringList({ validate: z.array(z.string().trim().min(1).max(255)).max(200) }),
  attributes: t.field({ type: 'JSON', description: 'custom identity attributes by name; identity-typed ones take an identity id', validate: attributesSchema }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  description: 'A new IdentityIQ identity; custom identity attributes go in `attributes` (names as in iiqSchema.customUserAttributes)',
  fields: userInputFields,
});

const ReplaceUserInput = builder.inputType('ReplaceUserInput', {
  description: 'The whole identity as it should be (PUT); IIQ changes only the attributes sent',
  fields: userInputFields,
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: 'Changes to an identity; what is not given keeps its value. `attributes` merges by name (null clears one).',
  fields: (t) => ({
    userName: t.string({ description: 'userName is immutable in IdentityIQ: a different value is refused (UserNameImmutableError)', validate: userNameSchema }),
    displayName: t.string({ validate: textSchema }),
    givenName: t.string({ validate: textSchema }),
    familyName: t.string({ validate: textSchema }),
    email: t.string({ validate: z.email('email must be an email address').max(320) }),
    active: t.boolean(),
    password: t.string({ validate: z.string().min(1).max(1024) }),
    managerId: t.id({ validate: idSchema }),
    capabilities: t.stringList({ validate: z.array(z.string().trim().min(1).max(255)).max(200) }),
    attributes: t.field({ type: 'JSON', validate: attributesSchema }),
  }),
});

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

const call = (ctx: GatewayContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** After a write: this request's loaders forget users, the connection's membership index learns of it. */
function written(ctx: GatewayContext, id: string, user: IiqUser | null): void {
  ctx.loaders.forgetUsers();
  ctx.conn.membership.noteUserWritten(id, user);
}

async function customAttributes(ctx: GatewayContext, attributes: unknown): Promise<Record<string, unknown> | undefined> {
  if (attributes === null || attributes === undefined) return undefined;
  const schema = await discoverSchema(ctx.conn.client, call(ctx));
  return checkCustomAttributes(schema, attributes as Record<string, unknown>);
}

function toInput(input: UserFieldsInput & { userName: string }, custom: Record<string, unknown> | undefined): IiqUserInput {
  const out: IiqUserInput = { userName: input.userName.trim() };
  if (input.displayName != null) out.displayName = input.displayName;
  if (input.givenName != null) out.givenName = input.givenName;
  if (input.familyName != null) out.familyName = input.familyName;
  if (input.email != null) out.email = input.email;
  if (input.active != null) out.active = input.active;
  if (input.password != null) out.password = input.password;
  if (input.managerId != null) out.managerId = remoteIdFrom(input.managerId, 'User', 'managerId');
  if (input.capabilities != null) out.capabilities = input.capabilities.map((c) => c.trim());
  if (custom) out.customAttributes = custom;
  return out;
}

/** The identity as IIQ has it, with the patch applied: what a whole-object PUT sends (SailPoint's GET → PUT). */
function merge(current: IiqUser, patch: UserFieldsInput, custom: Record<string, unknown> | undefined, schema: DiscoveredSchema): IiqUserInput {
  const pick = <T>(v: T | null | undefined, fallback: T | null): T | null => (v === undefined || v === null ? fallback : v);
  const out: IiqUserInput = {
    userName: patch.userName?.trim() || current.userName,
    displayName: pick(patch.displayName, current.displayName),
    givenName: pick(patch.givenName, current.givenName),
    familyName: pick(patch.familyName, current.familyName),
    email: pick(patch.email, current.email),
    managerId: patch.managerId != null ? remoteIdFrom(patch.managerId, 'User', 'managerId') : (current.manager?.id ?? null),
    capabilities: patch.capabilities != null ? patch.capabilities.map((c) => c.trim()) : current.capabilities,
    customAttributes: { ...writableCustomAttributes(schema, current.customAttributes), ...(custom ?? {}) },
  };
  const active = patch.active ?? current.active;
  if (active !== null) out.active = active;
  if (patch.password != null) out.password = patch.password;
  return out;
}

/** The identity as IIQ has it now: read past the connection's read cache (a stale version only earns a 412). */
async function currentUser(ctx: GatewayContext, id: string): Promise<IiqUser> {
  const found = await ctx.conn.origin.getUser(id, call(ctx));
  if (!found || 'notModified' in found) throw new NotFoundError('User', id);
  return found;
}

/**
 * Read, merge, PUT with If-Match (IIQ has no PATCH). On 412 someone wrote in between: read and merge once more;
 * a second 412 is a VersionConflictError carrying the version now current.
 */
async function updateMerged(ctx: GatewayContext, id: string, patch: UserFieldsInput): Promise<IiqUser> {
  const custom = await customAttributes(ctx, patch.attributes);
  const schema = await discoverSchema(ctx.conn.client, call(ctx));
  const attempts = 2;
  for (let attempt = 1; ; attempt++) {
    const current = await currentUser(ctx, id);
    const input = merge(current, patch, custom, schema);
    try {
      const user = await ctx.conn.client.replaceUser(id, input, { ...call(ctx), ...(current.version ? { ifMatch: current.version } : {}) });
      written(ctx, id, user);
      return user;
    } catch (err) {
      if (isIiqError(err, 'preconditionFailed')) {
        if (attempt < attempts) continue;
        const now = await ctx.conn.origin.getUser(id, call(ctx)).catch(() => null);
        throw new VersionConflictError(id, now && !('notModified' in now) ? now.version : null, attempts);
      }
      throw typedWriteError(err, { resource: 'User', id, userName: current.userName });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------------------

const memoryStores = new WeakMap<IiqClient, MemoryIdempotencyStore>();
const sqlStores = new WeakMap<SqlDriver, SqlIdempotencyStore>();

/**
 * Linked accounts: the connections store, scoped to the tenant and IIQ; one connection: the store the app opened
 * under DATA_DIR / DATABASE_URL (src/app.ts), per IIQ; memory only for a connection built without one.
 */
function idempotency(ctx: GatewayContext): { store: IdempotencyStore; scope: string } {
  const client = ctx.conn.client;
  const linkedStore = ctx.linked?.service.store;
  if (ctx.linked && linkedStore instanceof SqlConnectionStore) {
    const driver = linkedStore.driver;
    let store = sqlStores.get(driver);
    if (!store) sqlStores.set(driver, (store = new SqlIdempotencyStore(driver)));
    return { store, scope: `${ctx.linked.caller.tenantId}|${client.baseUrl}` };
  }
  const persistent = boundIdempotencyStore(ctx.conn.origin);
  if (persistent) return { store: persistent, scope: client.baseUrl };
  let store = memoryStores.get(client);
  if (!store) memoryStores.set(client, (store = new MemoryIdempotencyStore()));
  return { store, scope: client.baseUrl };
}

const PENDING_WAIT_MS = 5_000;

async function createOnce(ctx: GatewayContext, key: string, input: IiqUserInput, create: () => Promise<IiqUser>): Promise<IiqUser> {
  const { store, scope } = idempotency(ctx);
  // the password is part of the request but never stored, not even hashed alone: it is one field of the hash
  const hash = requestHash(input);
  const deadline = Date.now() + PENDING_WAIT_MS;
  for (;;) {
    const claim = await store.claim(scope, key, hash);
    if (claim.state === 'claimed') break;
    if (claim.requestHash !== hash) throw new IdempotencyKeyReuseError();
    if (claim.state === 'done') {
      // the first result: the identity it created, read now (no second POST)
      const user = await ctx.conn.client.getUser(claim.resultId, call(ctx));
      if (!user || 'notModified' in user) throw new NotFoundError('User', claim.resultId);
      return user;
    }
    if (Date.now() > deadline) throw new IdempotencyInProgressError();
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    const user = await create();
    await store.complete(scope, key, user.id);
    return user;
  } catch (err) {
    await store.release(scope, key).catch(() => undefined);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------------------

const userId = (value: string) => remoteIdFrom(value, 'User', 'id');

builder.mutationFields((t) => ({
  createUser: t.field({
    type: UserRef,
    description: 'Creates an identity (POST /Users, run by IIQ as a provisioning plan). With an idempotencyKey, a replay within 24 hours returns the identity the first request created, without a second POST.',
    errors: {
      types: [...USER_WRITE_ERRORS, IdempotencyKeyReuseError, IdempotencyInProgressError],
      union: { name: 'CreateUserResult' },
      result: { name: 'CreateUserSuccess' },
      dataField: { name: 'user' },
    },
    args: {
      input: t.arg({ type: CreateUserInput, required: true }),
      idempotencyKey: t.arg.string({
        description: 'client-chosen key (8–200 characters); same key and same input within 24 hours = same result',
        validate: z.string().min(8, 'idempotencyKey must have at least 8 characters').max(200).regex(NO_CONTROL),
      }),
    },
    resolve: async (_root, args, ctx) => {
      const custom = await customAttributes(ctx, args.input.attributes);
      const input = toInput(args.input, custom);
      const create = async () => {
        try {
          return await ctx.conn.client.createUser(input, call(ctx));
        } catch (err) {
          throw isIiqError(err, 'conflict') ? new DuplicateUserNameError(input.userName) : typedWriteError(err, { resource: 'User', userName: input.userName });
        }
      };
      const user = args.idempotencyKey ? await createOnce(ctx, args.idempotencyKey, input, create) : await create();
      written(ctx, user.id, user);
      return user;
    },
  }),

  replaceUser: t.field({
    type: UserRef,
    description: 'Replaces an identity (PUT /Users/{id}); with ifMatch (its `version`) only if nobody changed it since',
    errors: { types: [...USER_WRITE_ERRORS], union: { name: 'ReplaceUserResult' }, result: { name: 'ReplaceUserSuccess' }, dataField: { name: 'user' } },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: ReplaceUserInput, required: true }),
      ifMatch: t.arg.string({ description: 'the `version` read before (weak ETag)', validate: z.string().min(1).max(200) }),
    },
    resolve: async (_root, args, ctx) => {
      const id = userId(String(args.id));
      const custom = await customAttributes(ctx, args.input.attributes);
      const input = toInput(args.input, custom);
      try {
        const user = await ctx.conn.client.replaceUser(id, input, { ...call(ctx), ...(args.ifMatch ? { ifMatch: args.ifMatch } : {}) });
        written(ctx, id, user);
        return user;
      } catch (err) {
        if (isIiqError(err, 'preconditionFailed')) {
          const now = await ctx.conn.origin.getUser(id, call(ctx)).catch(() => null);
          throw new VersionConflictError(id, now && !('notModified' in now) ? now.version : null, 1);
        }
        if (isIiqError(err, 'mutability')) {
          const now = await ctx.conn.origin.getUser(id, call(ctx)).catch(() => null);
          throw typedWriteError(err, { resource: 'User', id, userName: now && !('notModified' in now) ? now.userName : '' });
        }
        throw typedWriteError(err, { resource: 'User', id, userName: input.userName });
      }
    },
  }),

  updateUser: t.field({
    type: UserRef,
    description: 'Changes some attributes: reads the identity, merges, and PUTs it with If-Match; on a concurrent change (412) reads and merges once more, then answers VersionConflictError',
    errors: { types: [...USER_WRITE_ERRORS], union: { name: 'UpdateUserResult' }, result: { name: 'UpdateUserSuccess' }, dataField: { name: 'user' } },
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateUserInput, required: true }),
    },
    resolve: (_root, args, ctx) => updateMerged(ctx, userId(String(args.id)), args.input),
  }),

  setUserActive: t.field({
    type: UserRef,
    description: 'Enables (true) or disables (false) an identity, as updateUser does',
    errors: { types: [...USER_WRITE_ERRORS], union: { name: 'SetUserActiveResult' }, result: { name: 'SetUserActiveSuccess' }, dataField: { name: 'user' } },
    args: { id: t.arg.id({ required: true }), active: t.arg.boolean({ required: true }) },
    resolve: (_root, args, ctx) => updateMerged(ctx, userId(String(args.id)), { active: args.active }),
  }),

  deleteUser: t.field({
    type: 'ID',
    description: 'Deletes an identity (IIQ Terminator: irreversible); with ifMatch only if nobody changed it since',
    errors: { types: [NotFoundError, VersionConflictError], union: { name: 'DeleteUserResult' }, result: { name: 'DeleteUserSuccess' }, dataField: { name: 'deletedId' } },
    args: { id: t.arg.id({ required: true }), ifMatch: t.arg.string({ validate: z.string().min(1).max(200) }) },
    resolve: async (_root, args, ctx) => {
      const id = userId(String(args.id));
      try {
        await ctx.conn.client.deleteUser(id, { ...call(ctx), ...(args.ifMatch ? { ifMatch: args.ifMatch } : {}) });
      } catch (err) {
        if (isIiqError(err, 'preconditionFailed')) {
          const now = await ctx.conn.origin.getUser(id, call(ctx)).catch(() => null);
          throw new VersionConflictError(id, now && !('notModified' in now) ? now.version : null, 1);
        }
        throw typedWriteError(err, { resource: 'User', id });
      }
      written(ctx, id, null);
      return encodeGlobalId('User', id);
    },
  }),
}));
