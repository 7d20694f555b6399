// Linked accounts over GraphQL: a tenant's IIQ connections and their management (create, update, delete,
// test, link tokens). Credentials go in, never come out: secrets are returned masked.
import { GraphQLError } from 'graphql';
import { ConnectionError, type Caller, type ConnectionService, type ConnectionView } from '../connections/service.ts';
import type { CheckStep, ConnectionCheck } from '../connections/types.ts';
import type { LinkTokenIssued } from '../connections/service.ts';
import { toGraphQLError } from '../tenancy/linked.ts';
import { builder } from './builder.ts';
import type { GatewayContext } from './context.ts';

/** The caller's tenant and the service, or a typed error when linked accounts are off (single-connection mode). */
function linkedOf(ctx: GatewayContext): { caller: Caller; service: ConnectionService } {
  if (!ctx.linked) {
    throw new GraphQLError('linked accounts are not enabled: this gateway serves one connection from its environment (set IIQ_GRAPH_ADMIN_KEY)', {
      extensions: { code: 'LINKED_ACCOUNTS_DISABLED' },
    });
  }
  return ctx.linked;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ConnectionError ? toGraphQLError(err) : err;
  }
}

const ConnectionAuthKind = builder.enumType('ConnectionAuthKind', {
  description: 'How the gateway authenticates to IdentityIQ',
  values: { BASIC: { value: 'basic' }, OAUTH2: { value: 'oauth2', description: 'OAuth 2.0 client credentials' } } as const,
});

const ConnectionStatus = builder.enumType('ConnectionStatus', {
  values: {
    ACTIVE: { value: 'active', description: 'the last check passed' },
    FAILING: { value: 'failing', description: 'the last check failed' },
    UNCHECKED: { value: 'unchecked' },
  } as const,
});

const CheckStepStatus = builder.enumType('ConnectionCheckStepStatus', {
  values: { PASS: { value: 'pass' }, FAIL: { value: 'fail' }, SKIP: { value: 'skip', description: 'not run: an earlier step failed' } } as const,
});

const CheckStepRef = builder.objectRef<CheckStep>('ConnectionCheckStep').implement({
  fields: (t) => ({
    name: t.exposeString('name', { description: 'reachable, tls, serviceProviderConfig, credentials, users or roles' }),
    status: t.field({ type: CheckStepStatus, resolve: (s) => s.status }),
    message: t.exposeString('message'),
    code: t.string({ nullable: true, description: 'upstream HTTP status or transport error code', resolve: (s) => s.code ?? null }),
  }),
});

const ServiceProviderRef = builder.objectRef<NonNullable<ConnectionCheck['serviceProvider']>>('ConnectionServiceProvider').implement({
  fields: (t) => ({
    maxResults: t.exposeInt('maxResults'),
    authenticationSchemes: t.exposeStringList('authenticationSchemes'),
    filterSupported: t.exposeBoolean('filterSupported'),
    sortSupported: t.exposeBoolean('sortSupported'),
  }),
});

const CheckRef = builder.objectRef<ConnectionCheck>('ConnectionCheck').implement({
  description: 'Result of probing a connection: reachable, TLS trusted, ServiceProviderConfig, credentials, Users, Roles',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    checkedAt: t.field({ type: 'DateTime', resolve: (c) => c.checkedAt }),
    durationMs: t.exposeInt('durationMs'),
    steps: t.field({ type: [CheckStepRef], resolve: (c) => c.steps }),
    serviceProvider: t.field({ type: ServiceProviderRef, nullable: true, resolve: (c) => c.serviceProvider }),
    userCount: t.int({ nullable: true, resolve: (c) => c.users?.total ?? null }),
    roleCount: t.int({ nullable: true, resolve: (c) => c.roles?.total ?? null }),
  }),
});

const AuthRef = builder.objectRef<ConnectionView['auth']>('ConnectionAuth').implement({
  description: 'Credentials as stored, secrets masked',
  fields: (t) => ({
    kind: t.field({ type: ConnectionAuthKind, resolve: (a) => a.kind }),
    username: t.string({ nullable: true, resolve: (a) => (a.kind === 'basic' ? a.username : null) }),
    clientId: t.string({ nullable: true, resolve: (a) => (a.kind === 'oauth2' ? a.clientId : null) }),
    tokenUrl: t.string({ nullable: true, resolve: (a) => (a.kind === 'oauth2' ? a.tokenUrl : null) }),
    secret: t.string({ description: 'always masked', resolve: (a) => (a.kind === 'basic' ? a.password : a.clientSecret) }),
  }),
});

const IiqConnectionRef = builder.objectRef<ConnectionView>('IiqConnection').implement({
  description: "A tenant's linked IdentityIQ. Select it per request with the X-Connection-Id header.",
  fields: (t) => ({
    id: t.exposeID('id'),
    label: t.exposeString('label'),
    baseUrl: t.exposeString('baseUrl'),
    auth: t.field({ type: AuthRef, resolve: (c) => c.auth }),
    caBundle: t.string({ nullable: true, resolve: (c) => c.caBundle }),
    proxyUrl: t.string({ nullable: true, description: 'password masked', resolve: (c) => c.proxyUrl }),
    attributeMap: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.attributeMap }),
    status: t.field({ type: ConnectionStatus, resolve: (c) => c.status }),
    lastCheck: t.field({ type: CheckRef, nullable: true, resolve: (c) => c.lastCheck }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
  }),
});

const LinkTokenRef = builder.objectRef<LinkTokenIssued>('LinkToken').implement({
  description: 'A short-lived, single-use link for the connect page',
  fields: (t) => ({
    token: t.exposeString('token'),
    url: t.exposeString('url', { description: 'path of the connect page; prefix with the gateway origin' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (l) => l.expiresAt }),
    connectionId: t.id({ nullable: true, resolve: (l) => l.connectionId }),
  }),
});

const AuthInput = builder.inputType('ConnectionAuthInput', {
  description: 'BASIC needs username and password; OAUTH2 needs clientId and clientSecret (tokenUrl optional)',
  fields: (t) => ({
    kind: t.field({ type: ConnectionAuthKind, required: true }),
    username: t.string(),
    password: t.string(),
    clientId: t.string(),
    clientSecret: t.string(),
    tokenUrl: t.string(),
  }),
});

const connectionInputFields = (required: boolean) => (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<any>, 'InputObject'>) => ({
  label: t.string({ required }),
  baseUrl: t.string({ required, description: 'SCIM base, e.g. https://iiq.example.com/identityiq/scim/v2' }),
  auth: t.field({ type: AuthInput, required }),
  caBundle: t.string({ description: 'PEM; null clears' }),
  proxyUrl: t.string({ description: 'HTTP(S) proxy; null clears' }),
  attributeMap: t.field({ type: 'JSON', description: 'IIQ attribute names behind the typed User fields' }),
});

const CreateInput = builder.inputType('CreateConnectionInput', { fields: connectionInputFields(true) });
const UpdateInput = builder.inputType('UpdateConnectionInput', { description: 'Only the fields given change', fields: connectionInputFields(false) });

/** GraphQL input → service input: absent stays absent, explicit null stays null, auth without unset fields. */
function serviceInput(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (k === 'auth' && v) out.auth = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== null && x !== undefined));
    else out[k] = v;
  }
  return out;
}

builder.queryField('connections', (t) =>
  t.field({
    type: [IiqConnectionRef],
    description: "The calling tenant's linked IdentityIQ connections",
    resolve: (_root, _args, ctx) => guarded(() => { const { caller, service } = linkedOf(ctx); return service.list(caller); }),
  }),
);

builder.mutationField('createConnection', (t) =>
  t.field({
    type: IiqConnectionRef,
    description: 'Stores a connection (credentials encrypted) after checking it; a failed check is stored as status FAILING',
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: (_root, { input }, ctx) => guarded(() => { const { caller, service } = linkedOf(ctx); return service.create(caller, serviceInput(input)); }),
  }),
);

builder.mutationField('updateConnection', (t) =>
  t.field({
    type: IiqConnectionRef,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => guarded(() => { const { caller, service } = linkedOf(ctx); return service.update(caller, String(id), serviceInput(input)); }),
  }),
);

builder.mutationField('deleteConnection', (t) =>
  t.id({
    description: 'Returns the id of the deleted connection',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => guarded(async () => { const { caller, service } = linkedOf(ctx); await service.delete(caller, String(id)); return String(id); }),
  }),
);

builder.mutationField('testConnection', (t) =>
  t.field({
    type: CheckRef,
    description: 'Checks a saved connection now and stores the result',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => guarded(() => { const { caller, service } = linkedOf(ctx); return service.test(caller, String(id)); }),
  }),
);

builder.mutationField('createLinkToken', (t) =>
  t.field({
    type: LinkTokenRef,
    description: "A single-use link to the connect page, for the customer's administrator; with connectionId it re-links that connection",
    args: { connectionId: t.arg.id(), ttlSeconds: t.arg.int({ description: '60..86400, default 900' }) },
    resolve: (_root, args, ctx) =>
      guarded(() => { const { caller, service } = linkedOf(ctx); return service.createLinkToken(caller, { connectionId: args.connectionId == null ? null : String(args.connectionId), ttlSeconds: args.ttlSeconds ?? null }); }),
  }),
);
