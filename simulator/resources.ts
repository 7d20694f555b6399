// The SCIM resource types: their wire shapes (reference §3), the attributes that can be filtered / sorted
// (reference §4.4, IIQ 7.2 queryClass mappings) and how single resources are looked up.
import type { Store } from './store.ts';
import type {
  SimAccount, SimApplication, SimEntitlement, SimPolicyViolation, SimRole, SimTaskResult, SimUser, SimWorkflow,
} from './types.ts';

export const URN = {
  coreUser: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  sailpointUser: 'urn:ietf:params:scim:schemas:sailpoint:1.0:User',
  role: 'urn:ietf:params:scim:schemas:sailpoint:1.0:Role',
  account: 'urn:ietf:params:scim:schemas:sailpoint:1.0:Account',
  application: 'urn:ietf:params:scim:schemas:sailpoint:1.0:Application',
  entitlement: 'urn:ietf:params:scim:schemas:sailpoint:1.0:Entitlement',
  policyViolation: 'urn:ietf:params:scim:schemas:sailpoint:1.0:PolicyViolation',
  workflow: 'urn:ietf:params:scim:schemas:sailpoint:1.0:Workflow',
  taskResult: 'urn:ietf:params:scim:schemas:sailpoint:1.0:TaskResult',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export function appSchemaUrn(appName: string): string {
  return `urn:ietf:params:scim:schemas:sailpoint:1.0:Application:Schema:${appName}:account`;
}

/** IIQ prints timestamps with millis and the server's offset; ours runs in US Central (no DST, -05:00). */
export function scimDate(ms: number): string {
  return new Date(ms - 5 * 3_600_000).toISOString().replace('Z', '-05:00');
}

export function versionOf(lastModified: number): string {
  return `W/"${lastModified}"`;
}

export interface SerializeContext {
  /** absolute SCIM base, e.g. http://127.0.0.1:8080/identityiq/scim/v2 */
  base: string;
  store: Store;
  /** request-only attributes named in `attributes` by their full URN path */
  wantRoles: boolean;
  wantEntitlements: boolean;
  wantExternalId: boolean;
}

export type Scalar = string | number | boolean | null;
export type AttrKind = 'string' | 'boolean' | 'integer' | 'dateTime' | 'reference';
export type Searchability = 'yes' | 'noMapping' | 'noSearch';

export interface AttrDef<T> {
  /** schema URN the attribute belongs to */
  urn: string;
  /** path inside the schema, e.g. name.familyName */
  path: string;
  kind: AttrKind;
  search: Searchability;
  /** compared case-sensitively (ids) */
  caseExact?: boolean;
  get(item: T, store: Store): Scalar | Scalar[];
}

export interface ResourceType<T> {
  name: string;
  endpoint: string;
  coreUrn: string;
  extensionUrns: string[];
  /** top-level attribute names per schema (for `attributes` / `excludedAttributes` resolution) */
  attributeNames: Record<string, string[]>;
  /** request-only attributes: `urn` -> names; those in extensions are returned only when named by full URN */
  requestOnly: Record<string, string[]>;
  filterable: AttrDef<T>[];
  /** attribute roots that exist but cannot be searched (roles, entitlements, accounts) */
  noSearchRoots: Record<string, string[]>;
  all(store: Store): T[];
  byId(store: Store, id: string): T | undefined;
  byName?(store: Store, name: string): T | undefined;
  idOf(item: T): string;
  lastModifiedOf(item: T): number;
  serialize(item: T, ctx: SerializeContext): Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------------------

function meta(ctx: SerializeContext, endpoint: string, resourceType: string, id: string, created: number, lastModified: number) {
  return {
    created: scimDate(created),
    lastModified: scimDate(lastModified),
    location: `${ctx.base}/${endpoint}/${id}`,
    version: versionOf(lastModified),
    resourceType,
  };
}

function userRef(ctx: SerializeContext, id: string | null): Record<string, string> {
  if (!id) return {};
  const u = ctx.store.userById(id);
  if (!u) {
    // a workgroup owner: referenced like an identity, although GET /Users/{id} answers 404
    const w = ctx.store.workgroupById(id);
    return w ? { value: w.id, displayName: w.name, $ref: `${ctx.base}/Users/${w.id}` } : {};
  }
  const ref: Record<string, string> = { value: u.id };
  if (u.displayName !== null) ref['displayName'] = u.displayName;
  ref['$ref'] = `${ctx.base}/Users/${u.id}`;
  return ref;
}

function roleRef(ctx: SerializeContext, id: string): Record<string, string> {
  const r = ctx.store.roleById(id);
  return { value: id, displayName: r?.displayableName ?? id, $ref: `${ctx.base}/Roles/${id}` };
}

function appRef(ctx: SerializeContext, id: string): Record<string, string> {
  const a = ctx.store.applicationById(id);
  return { value: id, displayName: a?.name ?? id, $ref: `${ctx.base}/Applications/${id}` };
}

function omitNulls(obj: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(obj)) if (obj[k] === null || obj[k] === undefined) delete obj[k];
  return obj;
}

function userDisplayName(store: Store, id: string | null): string | null {
  return id ? (store.userById(id)?.displayName ?? store.workgroupById(id)?.name ?? null) : null;
}

function appName(store: Store, id: string): string | null {
  return store.applicationById(id)?.name ?? null;
}

type Def<T> = Omit<AttrDef<T>, 'urn'>;
const s = <T>(path: string, get: (i: T, st: Store) => Scalar | Scalar[], extra: Partial<Def<T>> = {}): Def<T> => ({ path, kind: 'string', search: 'yes', get, ...extra });
const b = <T>(path: string, get: (i: T, st: Store) => Scalar): Def<T> => ({ path, kind: 'boolean', search: 'yes', get });
const n = <T>(path: string, get: (i: T, st: Store) => Scalar): Def<T> => ({ path, kind: 'integer', search: 'yes', get });
const d = <T>(path: string, get: (i: T, st: Store) => number | null): Def<T> => ({ path, kind: 'dateTime', search: 'yes', get });
const ref = <T>(path: string, get: (i: T, st: Store) => Scalar | Scalar[]): Def<T> => ({ path, kind: 'reference', search: 'yes', caseExact: true, get });
const none = <T>(path: string): Def<T> => ({ path, kind: 'string', search: 'noMapping', get: () => null });
const inSchema = <T>(urn: string, defs: Def<T>[]): AttrDef<T>[] => defs.map((def) => ({ ...def, urn }));
const metaDefs = <T extends { created: number; lastModified: number }>(): Def<T>[] => [
  d('meta.created', (i) => i.created),
  d('meta.lastModified', (i) => i.lastModified),
  none('meta'), none('meta.version'), none('meta.location'), none('meta.resourceType'),
];
const idDef = <T extends { id: string }>(): Def<T> => ({ path: 'id', kind: 'reference', search: 'noMapping', caseExact: true, get: (i) => i.id });
const ownerDefs = <T extends { ownerId: string | null }>(): Def<T>[] => [
  ref('owner.value', (i) => i.ownerId),
  s('owner.displayName', (i, st) => userDisplayName(st, i.ownerId)),
  none('owner'), none('owner.$ref'),
];

// ---------------------------------------------------------------------------------------------------------
// User
// ---------------------------------------------------------------------------------------------------------

export const USER_CUSTOM_STRINGS = ['department', 'jobtitle', 'location', 'region', 'empId'] as const;

export const userResource: ResourceType<SimUser> = {
  name: 'User',
  endpoint: 'Users',
  coreUrn: URN.coreUser,
  extensionUrns: [URN.enterpriseUser, URN.sailpointUser],
  attributeNames: {
    [URN.coreUser]: ['id', 'externalId', 'userName', 'name', 'displayName', 'userType', 'active', 'password', 'emails', 'meta', 'schemas'],
    [URN.enterpriseUser]: ['manager'],
    [URN.sailpointUser]: [
      'capabilities', 'isManager', 'riskScore', 'lastRefresh', 'administrator', 'softwareVersion', 'accounts', 'roles', 'entitlements',
      'department', 'costcenter', 'jobtitle', 'location', 'locationOwner', 'region', 'regionOwner', 'empId',
    ],
  },
  requestOnly: { [URN.coreUser]: ['externalId'], [URN.sailpointUser]: ['roles', 'entitlements'] },
  noSearchRoots: { [URN.sailpointUser]: ['roles', 'entitlements', 'accounts'] },
  filterable: [
    ...inSchema<SimUser>(URN.coreUser, [
      idDef(),
      s('userName', (u) => u.userName),
      s('displayName', (u) => u.displayName),
      s('name.formatted', (u) => u.displayName),
      s('name.familyName', (u) => u.familyName),
      s('name.givenName', (u) => u.givenName),
      s('userType', (u) => u.userType),
      b('active', (u) => u.active),
      s('emails.value', (u) => u.email),
      none('name'), none('emails'), none('emails.type'), none('emails.primary'), none('externalId'), none('password'),
      ...metaDefs<SimUser>(),
    ]),
    ...inSchema<SimUser>(URN.enterpriseUser, [
      ref('manager.value', (u) => u.managerId),
      s('manager.displayName', (u, st) => userDisplayName(st, u.managerId)),
      none('manager'), none('manager.$ref'),
    ]),
    ...inSchema<SimUser>(URN.sailpointUser, [
      s('capabilities', (u) => u.capabilities),
      n('riskScore', (u) => u.riskScore),
      b('isManager', (u) => u.isManager),
      d('lastRefresh', (u) => u.lastRefresh),
      ...USER_CUSTOM_STRINGS.map((k) => s<SimUser>(k, (u) => u[k])),
      s('costcenter', (u) => u.costcenter),
      ref('locationOwner.value', (u) => u.locationOwner),
      s('locationOwner.displayName', (u, st) => userDisplayName(st, u.locationOwner)),
      ref('regionOwner.value', (u) => u.regionOwner),
      s('regionOwner.displayName', (u, st) => userDisplayName(st, u.regionOwner)),
      none('locationOwner'), none('regionOwner'), none('administrator'), none('administrator.value'), none('softwareVersion'),
    ]),
  ],
  all: (st) => st.users,
  byId: (st, id) => st.userById(id),
  byName: (st, name) => st.userByName(name),
  idOf: (u) => u.id,
  lastModifiedOf: (u) => u.lastModified,
  serialize: serializeUser,
};

export function serializeUser(u: SimUser, ctx: SerializeContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    schemas: [URN.sailpointUser, URN.coreUser, URN.enterpriseUser],
    id: u.id,
  };
  if (ctx.wantExternalId && u.externalId !== null) out['externalId'] = u.externalId;
  out['userName'] = u.userName;
  const name = omitNulls({ formatted: u.displayName, familyName: u.familyName, givenName: u.givenName });
  if (Object.keys(name).length > 0) out['name'] = name;
  if (u.displayName !== null) out['displayName'] = u.displayName;
  if (u.userType !== null) out['userType'] = u.userType;
  out['active'] = u.active;
  // exactly one work email; `primary` is the string "true" in real captures (reference §3.1)
  if (u.email !== null) out['emails'] = [{ type: 'work', value: u.email, primary: 'true' }];
  out[URN.enterpriseUser] = { manager: userRef(ctx, u.managerId) };
  const sp: Record<string, unknown> = {
    capabilities: u.capabilities.slice(),
    isManager: u.isManager,
  };
  if (u.riskScore !== null) sp['riskScore'] = u.riskScore;
  if (u.lastRefresh !== null) sp['lastRefresh'] = scimDate(u.lastRefresh);
  sp['administrator'] = userRef(ctx, u.administratorId);
  sp['accounts'] = u.accounts.map((a) => {
    const account = ctx.store.accountById(a.accountId);
    return { displayName: account?.displayName ?? a.nativeIdentity, value: a.accountId, $ref: `${ctx.base}/Accounts/${a.accountId}` };
  });
  if (ctx.wantRoles) {
    sp['roles'] = u.roles.map((r) => {
      const role = ctx.store.roleById(r.roleId);
      const item: Record<string, unknown> = {
        value: r.acquired === 'Assigned' ? 'assignedRoles' : 'detectedRoles',
        display: role?.displayableName ?? r.roleId,
        type: role?.type ?? 'it',
        acquired: r.acquired,
      };
      if (r.application !== undefined) item['application'] = r.application;
      if (r.accountName !== undefined) item['accountName'] = r.accountName;
      item['$ref'] = `${ctx.base}/Roles/${r.roleId}`;
      return item;
    });
  }
  if (ctx.wantEntitlements) {
    const ents: Record<string, unknown>[] = [];
    for (const a of u.accounts) {
      const account = ctx.store.accountById(a.accountId);
      if (!account) continue;
      for (const e of account.entitlements) {
        const cat = ctx.store.entitlementFor(account.applicationId, e.attribute, e.value);
        const item: Record<string, unknown> = {
          value: e.attribute,
          display: e.value,
          type: cat?.type ?? 'Entitlement',
          application: a.application,
          accountName: account.nativeIdentity,
        };
        if (cat) item['$ref'] = `${ctx.base}/Entitlements/${cat.id}`;
        ents.push(item);
      }
    }
    sp['entitlements'] = ents;
  }
  if (u.department !== null) sp['department'] = u.department;
  if (u.costcenter.length > 0) sp['costcenter'] = u.costcenter.slice();
  if (u.jobtitle !== null) sp['jobtitle'] = u.jobtitle;
  if (u.location !== null) sp['location'] = u.location;
  sp['locationOwner'] = userRef(ctx, u.locationOwner);
  if (u.region !== null) sp['region'] = u.region;
  sp['regionOwner'] = userRef(ctx, u.regionOwner);
  if (u.empId !== null) sp['empId'] = u.empId;
  out[URN.sailpointUser] = sp;
  out['meta'] = meta(ctx, 'Users', 'User', u.id, u.created, u.lastModified);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Role
// ---------------------------------------------------------------------------------------------------------

const ROLE_TYPES: Record<SimRole['type'], Record<string, unknown>> = {
  organizational: { name: 'organizational', displayName: 'Organizational', assignmentSelector: false, autoAssignment: false, iiq: false, manualAssignment: false, permits: false, requirements: false },
  business: { name: 'business', displayName: 'Business', assignmentSelector: true, autoAssignment: true, iiq: false, manualAssignment: true, permits: true, requirements: true },
  it: { name: 'it', displayName: 'IT', assignmentSelector: false, autoAssignment: false, iiq: false, manualAssignment: false, permits: false, requirements: false },
};

const roleListDefs = (key: 'inheritance' | 'requirements' | 'permits', ids: (r: SimRole) => string[]): Def<SimRole>[] => [
  ref(`${key}.value`, ids),
  s(`${key}.displayName`, (r, st) => ids(r).map((id) => st.roleById(id)?.displayableName ?? null)),
  none(key), none(`${key}.$ref`),
];

export const roleResource: ResourceType<SimRole> = {
  name: 'Role',
  endpoint: 'Roles',
  coreUrn: URN.role,
  extensionUrns: [],
  attributeNames: {
    [URN.role]: ['id', 'name', 'displayableName', 'descriptions', 'type', 'active', 'activationDate', 'deactivationDate', 'owner', 'inheritance', 'requirements', 'permits', 'classifications', 'meta', 'schemas'],
  },
  requestOnly: {},
  noSearchRoots: { [URN.role]: ['descriptions', 'classifications'] },
  filterable: inSchema<SimRole>(URN.role, [
    idDef(),
    s('name', (r) => r.name),
    s('displayableName', (r) => r.displayableName),
    b('active', (r) => r.active),
    s('type', (r) => r.type),
    s('type.name', (r) => r.type),
    ...ownerDefs<SimRole>(),
    ...roleListDefs('inheritance', (r) => r.parentIds),
    ...roleListDefs('requirements', (r) => r.requirementIds),
    ...roleListDefs('permits', (r) => r.permitIds),
    ...metaDefs<SimRole>(),
  ]),
  all: (st) => st.roles,
  byId: (st, id) => st.roleById(id),
  byName: (st, name) => st.roleByName(name),
  idOf: (r) => r.id,
  lastModifiedOf: (r) => r.lastModified,
  serialize(r, ctx) {
    const out: Record<string, unknown> = {
      schemas: [URN.role],
      id: r.id,
      name: r.name,
      displayableName: r.displayableName,
    };
    if (r.description !== null) out['descriptions'] = [{ locale: 'en_US', value: r.description }];
    out['type'] = { ...ROLE_TYPES[r.type] };
    out['active'] = r.active;
    if (r.ownerId !== null) out['owner'] = userRef(ctx, r.ownerId);
    out['inheritance'] = r.parentIds.map((id) => roleRef(ctx, id));
    out['requirements'] = r.requirementIds.map((id) => roleRef(ctx, id));
    out['permits'] = r.permitIds.map((id) => roleRef(ctx, id));
    if (r.classifications.length > 0) {
      out['classifications'] = r.classifications.map((c) => ({
        source: 'UI', effective: false, classification: { name: c, displayName: c, origin: 'Custom' },
      }));
    }
    out['meta'] = meta(ctx, 'Roles', 'Role', r.id, r.created, r.lastModified);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------------------
// Account
// ---------------------------------------------------------------------------------------------------------

export const accountResource: ResourceType<SimAccount> = {
  name: 'Account',
  endpoint: 'Accounts',
  coreUrn: URN.account,
  extensionUrns: [],
  attributeNames: {
    [URN.account]: ['id', 'nativeIdentity', 'displayName', 'instance', 'uuid', 'password', 'currentPassword', 'active', 'locked', 'lastRefresh', 'lastTargetAggregation', 'manuallyCorrelated', 'hasEntitlements', 'identity', 'application', 'meta', 'schemas'],
  },
  requestOnly: {},
  noSearchRoots: {},
  filterable: inSchema<SimAccount>(URN.account, [
    idDef(),
    s('nativeIdentity', (a) => a.nativeIdentity),
    s('displayName', (a) => a.displayName),
    s('uuid', (a) => a.uuid),
    d('lastRefresh', (a) => a.lastRefresh),
    d('lastTargetAggregation', (a) => a.lastRefresh),
    b('active', (a) => a.active),
    ref('identity.value', (a) => a.identityId),
    s('identity.displayName', (a, st) => userDisplayName(st, a.identityId)),
    ref('application.value', (a) => a.applicationId),
    s('application.displayName', (a, st) => appName(st, a.applicationId)),
    none('identity'), none('application'), none('locked'), none('instance'), none('password'),
    ...metaDefs<SimAccount>(),
  ]),
  all: (st) => st.accounts,
  byId: (st, id) => st.accountById(id),
  idOf: (a) => a.id,
  lastModifiedOf: (a) => a.lastModified,
  serialize(a, ctx) {
    const app = ctx.store.applicationById(a.applicationId);
    const schemaUrn = appSchemaUrn(app?.name ?? a.applicationId);
    const owner = ctx.store.userById(a.identityId);
    const out: Record<string, unknown> = {
      schemas: [URN.account, schemaUrn],
      id: a.id,
      nativeIdentity: a.nativeIdentity,
      displayName: a.displayName,
    };
    if (a.uuid !== null) out['uuid'] = a.uuid;
    out['active'] = a.active;
    out['locked'] = a.locked;
    out['manuallyCorrelated'] = a.manuallyCorrelated;
    out['hasEntitlements'] = a.entitlements.length > 0;
    out['lastRefresh'] = scimDate(a.lastRefresh);
    out['identity'] = owner
      ? { value: owner.id, displayName: owner.displayName ?? owner.userName, userName: owner.userName, $ref: `${ctx.base}/Users/${owner.id}` }
      : {};
    out['application'] = appRef(ctx, a.applicationId);
    const attrs: Record<string, unknown> = {};
    for (const e of a.entitlements) {
      const list = (attrs[e.attribute] as string[] | undefined) ?? [];
      list.push(e.value);
      attrs[e.attribute] = list;
    }
    if (owner?.email) attrs['email'] = owner.email;
    out[schemaUrn] = attrs;
    out['meta'] = meta(ctx, 'Accounts', 'Account', a.id, a.created, a.lastModified);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------------------
// Application, Entitlement, PolicyViolation, Workflow, TaskResult
// ---------------------------------------------------------------------------------------------------------

export const applicationResource: ResourceType<SimApplication> = {
  name: 'Application',
  endpoint: 'Applications',
  coreUrn: URN.application,
  extensionUrns: [],
  attributeNames: { [URN.application]: ['id', 'name', 'descriptions', 'type', 'features', 'owner', 'applicationSchemas', 'meta', 'schemas'] },
  requestOnly: {},
  noSearchRoots: {},
  filterable: inSchema<SimApplication>(URN.application, [
    idDef(),
    s('name', (a) => a.name),
    s('type', (a) => a.type),
    ...ownerDefs<SimApplication>(),
    none('features'), none('descriptions'), none('applicationSchemas'),
    ...metaDefs<SimApplication>(),
  ]),
  all: (st) => st.applications,
  byId: (st, id) => st.applicationById(id),
  byName: (st, name) => st.applicationByName(name),
  idOf: (a) => a.id,
  lastModifiedOf: (a) => a.lastModified,
  serialize(a, ctx) {
    const schema = appSchemaUrn(a.name);
    const out: Record<string, unknown> = {
      schemas: [URN.application],
      id: a.id,
      name: a.name,
      descriptions: [{ locale: 'en_US', value: a.description }],
      type: a.type,
      features: a.features.slice(),
    };
    if (a.ownerId !== null) out['owner'] = userRef(ctx, a.ownerId);
    out['applicationSchemas'] = [{ value: schema, type: 'account', $ref: `${ctx.base}/Schemas/${schema}` }];
    out['meta'] = meta(ctx, 'Applications', 'Application', a.id, a.created, a.lastModified);
    return out;
  },
};

export const entitlementResource: ResourceType<SimEntitlement> = {
  name: 'Entitlement',
  endpoint: 'Entitlements',
  coreUrn: URN.entitlement,
  extensionUrns: [],
  attributeNames: {
    [URN.entitlement]: ['id', 'displayableName', 'type', 'attribute', 'value', 'requestable', 'aggregated', 'descriptions', 'owner', 'application', 'lastRefresh', 'lastTargetAggregation', 'classifications', 'meta', 'schemas'],
  },
  requestOnly: {},
  noSearchRoots: {},
  filterable: inSchema<SimEntitlement>(URN.entitlement, [
    idDef(),
    s('type', (e) => e.type),
    s('displayableName', (e) => e.displayableName),
    s('attribute', (e) => e.attribute),
    s('value', (e) => e.value),
    b('requestable', (e) => e.requestable),
    b('aggregated', () => true),
    d('lastRefresh', (e) => e.lastModified),
    d('lastTargetAggregation', (e) => e.lastModified),
    ...ownerDefs<SimEntitlement>(),
    ref('application.value', (e) => e.applicationId),
    s('application.displayName', (e, st) => appName(st, e.applicationId)),
    none('application'), none('descriptions'),
    ...metaDefs<SimEntitlement>(),
  ]),
  all: (st) => st.entitlements,
  byId: (st, id) => st.entitlementById(id),
  idOf: (e) => e.id,
  lastModifiedOf: (e) => e.lastModified,
  serialize(e, ctx) {
    const out: Record<string, unknown> = {
      schemas: [URN.entitlement],
      id: e.id,
      displayableName: e.displayableName,
      type: e.type,
      attribute: e.attribute,
      value: e.value,
      requestable: e.requestable,
      aggregated: true,
      descriptions: [{ locale: 'en_US', value: e.description }],
    };
    if (e.ownerId !== null) out['owner'] = userRef(ctx, e.ownerId);
    out['application'] = appRef(ctx, e.applicationId);
    out['lastRefresh'] = scimDate(e.lastModified);
    out['meta'] = meta(ctx, 'Entitlements', 'Entitlement', e.id, e.created, e.lastModified);
    return out;
  },
};

export const policyViolationResource: ResourceType<SimPolicyViolation> = {
  name: 'PolicyViolation',
  endpoint: 'PolicyViolations',
  coreUrn: URN.policyViolation,
  extensionUrns: [],
  attributeNames: { [URN.policyViolation]: ['id', 'policyName', 'constraintName', 'description', 'status', 'owner', 'identity', 'meta', 'schemas'] },
  requestOnly: {},
  noSearchRoots: {},
  filterable: inSchema<SimPolicyViolation>(URN.policyViolation, [
    idDef(),
    s('policyName', (p) => p.policyName),
    s('constraintName', (p) => p.constraintName),
    s('status', (p) => p.status),
    ...ownerDefs<SimPolicyViolation>(),
    ref('identity.value', (p) => p.identityId),
    s('identity.displayName', (p, st) => userDisplayName(st, p.identityId)),
    none('identity'), none('description'),
    ...metaDefs<SimPolicyViolation>(),
  ]),
  all: (st) => st.policyViolations.filter((p) => st.userById(p.identityId) !== undefined),
  byId: (st, id) => st.policyViolations.find((p) => p.id === id && st.userById(p.identityId) !== undefined),
  idOf: (p) => p.id,
  lastModifiedOf: (p) => p.lastModified,
  serialize(p, ctx) {
    const out: Record<string, unknown> = {
      schemas: [URN.policyViolation],
      id: p.id,
      policyName: p.policyName,
      constraintName: p.constraintName,
      description: p.description,
      status: p.status,
    };
    if (p.ownerId !== null) out['owner'] = userRef(ctx, p.ownerId);
    out['identity'] = userRef(ctx, p.identityId);
    out['meta'] = meta(ctx, 'PolicyViolations', 'PolicyViolation', p.id, p.created, p.lastModified);
    return out;
  },
};

export const workflowResource: ResourceType<SimWorkflow> = {
  name: 'Workflow',
  endpoint: 'Workflows',
  coreUrn: URN.workflow,
  extensionUrns: [],
  attributeNames: { [URN.workflow]: ['id', 'name', 'type', 'description', 'meta', 'schemas'] },
  requestOnly: {},
  noSearchRoots: {},
  filterable: inSchema<SimWorkflow>(URN.workflow, [idDef(), s('name', (w) => w.name), none('type'), none('description'), ...metaDefs<SimWorkflow>()]),
  all: (st) => st.workflows,
  byId: (st, id) => st.workflows.find((w) => w.id === id),
  byName: (st, name) => st.workflows.find((w) => w.name === name),
  idOf: (w) => w.id,
  lastModifiedOf: (w) => w.lastModified,
  serialize(w, ctx) {
    return {
      schemas: [URN.workflow],
      id: w.id,
      name: w.name,
      type: w.type,
      description: w.description,
      meta: meta(ctx, 'Workflows', 'Workflow', w.id, w.created, w.lastModified),
    };
  },
};

export const taskResultResource: ResourceType<SimTaskResult> = {
  name: 'TaskResult',
  endpoint: 'TaskResults',
  coreUrn: URN.taskResult,
  extensionUrns: [],
  attributeNames: { [URN.taskResult]: ['id', 'name', 'type', 'launcher', 'launched', 'completed', 'completionStatus', 'targetName', 'expiration', 'verified', 'messages', 'meta', 'schemas'] },
  requestOnly: {},
  noSearchRoots: {},
  filterable: inSchema<SimTaskResult>(URN.taskResult, [
    idDef(),
    s('name', (t) => t.name),
    s('targetName', (t) => t.targetName),
    d('completed', (t) => t.completed),
    d('expiration', (t) => t.expiration),
    d('verified', (t) => t.verified),
    none('type'), none('launcher'), none('messages'), none('completionStatus'),
    ...metaDefs<SimTaskResult>(),
  ]),
  all: (st) => st.taskResults,
  byId: (st, id) => st.taskResults.find((t) => t.id === id),
  byName: (st, name) => st.taskResults.find((t) => t.name === name),
  idOf: (t) => t.id,
  lastModifiedOf: (t) => t.lastModified,
  serialize(t, ctx) {
    const out: Record<string, unknown> = {
      schemas: [URN.taskResult],
      id: t.id,
      name: t.name,
      type: t.type,
      launcher: t.launcher,
      launched: scimDate(t.launched),
      completed: scimDate(t.completed),
      completionStatus: t.completionStatus,
    };
    if (t.targetName !== null) out['targetName'] = t.targetName;
    if (t.expiration !== null) out['expiration'] = scimDate(t.expiration);
    if (t.verified !== null) out['verified'] = scimDate(t.verified);
    out['messages'] = t.messages.map((m) => ({ type: 'Error', message: m }));
    out['meta'] = meta(ctx, 'TaskResults', 'TaskResult', t.id, t.created, t.lastModified);
    return out;
  },
};

/** a resource type of any item type (the registry is heterogeneous) */
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous registry
export type AnyResource = ResourceType<any>;
