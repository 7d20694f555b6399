// Expected failures of writes as typed GraphQL results (errors plugin): each is a class registered as an object
// type implementing `MutationError`. Messages never echo upstream `detail` (IIQ puts user values in it).
import { InputValidationError, type StandardSchemaV1 } from '@pothos/plugin-validation';
import { isIiqError } from '../../iiq/errors.ts';
import { builder } from '../builder.ts';

export abstract class WriteError extends Error {
  abstract readonly code: string;
}

export class NotFoundError extends WriteError {
  readonly code = 'NOT_FOUND';
  constructor(readonly resource: string, readonly id: string) {
    super(`IdentityIQ has no ${resource} with this id`);
  }
}

export class DuplicateUserNameError extends WriteError {
  readonly code = 'DUPLICATE_USER_NAME';
  constructor(readonly userName: string) {
    super('an identity with this userName already exists in IdentityIQ');
  }
}

export class UserNameImmutableError extends WriteError {
  readonly code = 'USER_NAME_IMMUTABLE';
  constructor(readonly userName: string) {
    super("userName cannot be changed in IdentityIQ (SCIM mutability 'immutable')");
  }
}

export class UnknownAttributeError extends WriteError {
  readonly code = 'UNKNOWN_ATTRIBUTE';
  constructor(readonly attribute: string) {
    super(`IdentityIQ's User schema has no attribute "${attribute.slice(0, 128)}"`);
  }
}

export class ReadOnlyAttributeError extends WriteError {
  readonly code = 'READ_ONLY_ATTRIBUTE';
  constructor(readonly attribute: string, readonly mutability: string) {
    super(`attribute "${attribute.slice(0, 128)}" is ${mutability} in IdentityIQ's User schema`);
  }
}

export class AttributeValueError extends WriteError {
  readonly code = 'INVALID_ATTRIBUTE_VALUE';
  constructor(readonly attribute: string, readonly expected: string) {
    super(`attribute "${attribute.slice(0, 128)}" expects ${expected}`);
  }
}

export class VersionConflictError extends WriteError {
  readonly code = 'VERSION_CONFLICT';
  constructor(readonly id: string, readonly currentVersion: string | null, readonly attempts: number) {
    super(`the identity changed in IdentityIQ while it was being written (If-Match failed ${attempts}×); read it again and retry`);
  }
}

export class IdempotencyKeyReuseError extends WriteError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('this idempotency key was already used with a different input');
  }
}

export class IdempotencyInProgressError extends WriteError {
  readonly code = 'IDEMPOTENCY_IN_PROGRESS';
  constructor() {
    super('a request with this idempotency key is still running; retry shortly');
  }
}

export class UpstreamRejectedError extends WriteError {
  readonly code = 'UPSTREAM_REJECTED';
  constructor(readonly status: number | null, readonly scimType: string | null) {
    super(`IdentityIQ rejected the write${status ? ` (HTTP ${status}${scimType ? `, ${scimType}` : ''})` : ''}`);
  }
}

export const MutationErrorRef = builder.interfaceRef<WriteError | InputValidationError>('MutationError').implement({
  description: 'An expected failure of a mutation: a stable code and a message safe to show',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.string({ resolve: (e) => ('code' in e && typeof e.code === 'string' ? e.code : 'VALIDATION') }),
  }),
});


builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [MutationErrorRef],
  fields: (t) => ({ resource: t.exposeString('resource'), id: t.exposeID('id') }),
});
builder.objectType(DuplicateUserNameError, {
  name: 'DuplicateUserNameError',
  description: 'IIQ answered 409 uniqueness: the userName is taken',
  interfaces: [MutationErrorRef],
  fields: (t) => ({ userName: t.exposeString('userName') }),
});
builder.objectType(UserNameImmutableError, {
  name: 'UserNameImmutableError',
  description: "IIQ answered 400 mutability: a userName can't be changed",
  interfaces: [MutationErrorRef],
  fields: (t) => ({ userName: t.exposeString('userName', { description: 'the userName the identity keeps' }) }),
});
builder.objectType(UnknownAttributeError, {
  name: 'UnknownAttributeError',
  description: 'a custom attribute the connection’s discovered User schema (/Schemas) does not have',
  interfaces: [MutationErrorRef],
  fields: (t) => ({ attribute: t.exposeString('attribute') }),
});
builder.objectType(ReadOnlyAttributeError, {
  name: 'ReadOnlyAttributeError',
  interfaces: [MutationErrorRef],
  fields: (t) => ({ attribute: t.exposeString('attribute'), mutability: t.exposeString('mutability') }),
});
builder.objectType(AttributeValueError, {
  name: 'AttributeValueError',
  description: 'a custom attribute value of the wrong type for the discovered schema',
  interfaces: [MutationErrorRef],
  fields: (t) => ({ attribute: t.exposeString('attribute'), expected: t.exposeString('expected') }),
});
builder.objectType(VersionConflictError, {
  name: 'VersionConflictError',
  description: 'If-Match failed (HTTP 412): someone else changed the identity',
  interfaces: [MutationErrorRef],
  fields: (t) => ({
    id: t.exposeID('id'),
    currentVersion: t.exposeString('currentVersion', { nullable: true }),
    attempts: t.exposeInt('attempts'),
  }),
});
builder.objectType(IdempotencyKeyReuseError, { name: 'IdempotencyKeyReuseError', interfaces: [MutationErrorRef], fields: () => ({}) });
builder.objectType(IdempotencyInProgressError, { name: 'IdempotencyInProgressError', interfaces: [MutationErrorRef], fields: () => ({}) });
builder.objectType(UpstreamRejectedError, {
  name: 'UpstreamRejectedError',
  description: 'IIQ refused the write for another reason (e.g. an invalid reference); upstream details are not exposed',
  interfaces: [MutationErrorRef],
  fields: (t) => ({
    status: t.exposeInt('status', { nullable: true }),
    scimType: t.exposeString('scimType', { nullable: true }),
  }),
});

const ValidationIssueRef = builder.objectRef<StandardSchemaV1.Issue>('InputValidationIssue').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    path: t.stringList({ resolve: (issue) => issue.path?.map((p) => String(typeof p === 'object' ? p.key : p)) ?? [] }),
  }),
});

builder.objectType(InputValidationError, {
  name: 'InputValidationError',
  description: 'the input failed validation; nothing was sent to IdentityIQ',
  interfaces: [MutationErrorRef],
  fields: (t) => ({
    code: t.string({ resolve: () => 'VALIDATION' }),
    issues: t.field({ type: [ValidationIssueRef], resolve: (e) => [...e.issues] }),
  }),
});

/** Every error class a write can answer with (typed unions list the ones that apply). */
export const USER_WRITE_ERRORS = [
  InputValidationError,
  NotFoundError,
  DuplicateUserNameError,
  UserNameImmutableError,
  UnknownAttributeError,
  ReadOnlyAttributeError,
  AttributeValueError,
  VersionConflictError,
  UpstreamRejectedError,
] as const;

/** IIQ write failures → typed errors; anything else (unavailable, unauthorized, …) stays a GraphQL error. */
export function typedWriteError(err: unknown, ctx: { resource: string; id?: string; userName?: string }): unknown {
  if (!isIiqError(err)) return err;
  switch (err.kind) {
    case 'conflict':
      return new DuplicateUserNameError(ctx.userName ?? '');
    case 'mutability':
      return new UserNameImmutableError(ctx.userName ?? '');
    case 'notFound':
      return new NotFoundError(ctx.resource, ctx.id ?? '');
    case 'preconditionFailed':
      return new VersionConflictError(ctx.id ?? '', null, 1);
    case 'badRequest':
      return new UpstreamRejectedError(err.status ?? null, err.scimType ?? null);
    default:
      return err;
  }
}
