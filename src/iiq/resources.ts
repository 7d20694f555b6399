// IIQ's other resources (reference §3.4, §5): Accounts (read and enable / disable / unlock), Applications,
// Entitlements, PolicyViolations, /Schemas + /ResourceTypes, and POST /CheckedPolicyViolations.
// Built on the same transport (http.ts) and filter tree (filter.ts) as users and roles; wired in client.ts.
import { z } from 'zod';
import { IiqError, invalidResponse, issuesFrom } from './errors.ts';
import { stringifyFilter, type FilterNode } from './filter.ts';
import type { IiqHttp } from './http.ts';
import { iteratePages } from './paging.ts';
import type {
  AccountChange,
  AccountField,
  ApplicationField,
  AppRef,
  EntitlementField,
  IiqAccount,
  IiqApplication,
  IiqCheckedViolation,
  IiqEntitlement,
  IiqPolicyViolation,
  IiqResourceClient,
  IiqResourceType,
  IiqSchemaAttribute,
  IiqSchemaDoc,
  PolicyCheckRequest,
  PolicyViolationField,
  ResourceQuery,
} from './resource-types.ts';
import { scimAccountSchema } from './schemas/account.ts';
import { scimApplicationSchema } from './schemas/application.ts';
import { refToIdentity, type ScimRef } from './schemas/common.ts';
import { scimResourceTypeSchema, scimSchemaSchema, type ScimSchemaAttribute } from './schemas/discovery.ts';
import { scimEntitlementSchema } from './schemas/entitlement.ts';
import { scimListResponseSchema } from './schemas/list.ts';
import { scimPolicyViolationSchema } from './schemas/policyViolation.ts';
import type { CallOptions, Page } from './types.ts';

const URN_ACCOUNT = 'urn:ietf:params:scim:schemas:sailpoint:1.0:Account';
const URN_APP_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:sailpoint:1.0:Application:Schema:';
const URN_CHECKED = 'urn:ietf:params:scim:schemas:sailpoint:1.0:CheckedPolicyViolation';
/** The application IIQ uses for role assignments in a provisioning plan. */
const IIQ_APPLICATION = 'IIQ';

/** Logical field → SCIM filter / sortBy path (filterable sets: reference §4.4). */
export const accountFilterPaths: Readonly<Record<AccountField, string>> = {
  nativeIdentity: 'nativeIdentity',
  displayName: 'displayName',
  active: 'active',
  userId: 'identity.value',
  userDisplayName: 'identity.displayName',
  applicationId: 'application.value',
  applicationName: 'application.displayName',
  lastRefresh: 'lastRefresh',
  created: 'meta.created',
  lastModified: 'meta.lastModified',
};
export const applicationFilterPaths: Readonly<Record<ApplicationField, string>> = {
  name: 'name',
  type: 'type',
  ownerId: 'owner.value',
  created: 'meta.created',
  lastModified: 'meta.lastModified',
};
export const entitlementFilterPaths: Readonly<Record<EntitlementField, string>> = {
  displayName: 'displayableName',
  type: 'type',
  attribute: 'attribute',
  value: 'value',
  requestable: 'requestable',
  ownerId: 'owner.value',
  applicationId: 'application.value',
  applicationName: 'application.displayName',
  created: 'meta.created',
  lastModified: 'meta.lastModified',
};
export const policyViolationFilterPaths: Readonly<Record<PolicyViolationField, string>> = {
  policyName: 'policyName',
  constraintName: 'constraintName',
  status: 'status',
  ownerId: 'owner.value',
  userId: 'identity.value',
  userDisplayName: 'identity.displayName',
  created: 'meta.created',
  lastModified: 'meta.lastModified',
};

function pathResolver<F extends string>(paths: Readonly<Record<F, string>>, resource: string) {
  return (field: F): string => {
    if (!Object.hasOwn(paths, field)) {
      throw new IiqError({ kind: 'invalidFilter', operation: 'buildFilter', message: `attribute "${String(field).slice(0, 80)}" is not filterable on ${resource}` });
    }
    return paths[field];
  };
}

const appRef = (ref: ScimRef | undefined): AppRef | null => {
  const r = refToIdentity(ref);
  return r ? { id: r.id, name: r.displayName } : null;
};

const description = (d: { locale?: string | null | undefined; value: string }[] | undefined): string | null =>
  (d?.find((x) => x.locale === 'en_US') ?? d?.[0])?.value ?? null;

export function toIiqAccount(json: unknown, operation: string, path: PropertyKey[] = []): IiqAccount {
  const parsed = scimAccountSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'an Account failed validation', { issues: issuesFrom(parsed.error.issues, path) });
  const a = parsed.data;
  const raw = json as Record<string, unknown>;
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(URN_APP_SCHEMA_PREFIX) && typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(attributes, v);
  }
  const identity = refToIdentity(a.identity);
  const userName = typeof a.identity?.['userName'] === 'string' ? (a.identity['userName'] as string) : null;
  return {
    id: a.id,
    nativeIdentity: a.nativeIdentity,
    displayName: a.displayName ?? null,
    active: a.active ?? null,
    locked: a.locked ?? null,
    lastRefresh: a.lastRefresh ?? null,
    manuallyCorrelated: a.manuallyCorrelated ?? null,
    hasEntitlements: a.hasEntitlements ?? null,
    identity: identity ? { ...identity, userName } : null,
    application: appRef(a.application),
    attributes,
    created: a.meta?.created ?? null,
    lastModified: a.meta?.lastModified ?? null,
    version: a.meta?.version ?? null,
    raw,
  };
}

export function toIiqApplication(json: unknown, operation: string, path: PropertyKey[] = []): IiqApplication {
  const parsed = scimApplicationSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'an Application failed validation', { issues: issuesFrom(parsed.error.issues, path) });
  const a = parsed.data;
  return {
    id: a.id,
    name: a.name,
    type: a.type ?? null,
    description: description(a.descriptions),
    features: a.features ?? [],
    owner: refToIdentity(a.owner),
    created: a.meta?.created ?? null,
    lastModified: a.meta?.lastModified ?? null,
    raw: json as Record<string, unknown>,
  };
}

export function toIiqEntitlement(json: unknown, operation: string, path: PropertyKey[] = []): IiqEntitlement {
  const parsed = scimEntitlementSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'an Entitlement failed validation', { issues: issuesFrom(parsed.error.issues, path) });
  const e = parsed.data;
  return {
    id: e.id,
    displayName: e.displayableName ?? null,
    type: e.type ?? null,
    attribute: e.attribute ?? null,
    value: e.value ?? null,
    description: description(e.descriptions),
    requestable: e.requestable ?? null,
    owner: refToIdentity(e.owner),
    application: appRef(e.application),
    created: e.meta?.created ?? null,
    lastModified: e.meta?.lastModified ?? null,
    raw: json as Record<string, unknown>,
  };
}

export function toIiqPolicyViolation(json: unknown, operation: string, path: PropertyKey[] = []): IiqPolicyViolation {
  const parsed = scimPolicyViolationSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'a PolicyViolation failed validation', { issues: issuesFrom(parsed.error.issues, path) });
  const p = parsed.data;
  return {
    id: p.id,
    policyName: p.policyName ?? null,
    constraintName: p.constraintName ?? null,
    description: p.description ?? null,
    status: p.status ?? null,
    owner: refToIdentity(p.owner),
    identity: refToIdentity(p.identity),
    created: p.meta?.created ?? null,
    lastModified: p.meta?.lastModified ?? null,
    raw: json as Record<string, unknown>,
  };
}

function toSchemaAttribute(a: ScimSchemaAttribute): IiqSchemaAttribute {
  return {
    name: a.name,
    type: a.type ?? null,
    multiValued: a.multiValued ?? false,
    mutability: a.mutability ?? null,
    returned: a.returned ?? null,
    required: a['required'] === true,
    subAttributes: (a.subAttributes ?? []).map(toSchemaAttribute),
  };
}

const checkedResponseSchema = z.looseObject({
  violations: z
    .array(
      z.looseObject({
        policyName: z.string().optional(),
        policyType: z.string().optional(),
        constraintName: z.string().optional(),
        description: z.string().optional(),
        leftBundles: z.array(z.string()).optional(),
        rightBundles: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

export interface ResourceDeps {
  /** page size clamped to the server's maxResults */
  clampCount(count: number | undefined, opts: CallOptions): Promise<number>;
}

const validId = (id: string) => id.length > 0 && id !== '.' && id !== '..';

export function createResourceMethods(http: IiqHttp, deps: ResourceDeps): IiqResourceClient {
  function parseList<T>(operation: string, json: unknown, item: (json: unknown, operation: string, path: PropertyKey[]) => T): Page<T> {
    const parsed = scimListResponseSchema.safeParse(json);
    if (!parsed.success) throw invalidResponse(operation, 'the ListResponse failed validation', { issues: issuesFrom(parsed.error.issues) });
    return {
      totalResults: parsed.data.totalResults,
      startIndex: parsed.data.startIndex ?? 1,
      items: (parsed.data.Resources ?? []).map((r, i) => item(r, operation, ['Resources', i])),
    };
  }

  /** A list endpoint: filter tree → string, sortBy always sent, 1-based startIndex, count clamped. */
  function lister<F extends string, T>(endpoint: string, paths: Readonly<Record<F, string>>, defaultSort: F, item: (json: unknown, operation: string, path: PropertyKey[]) => T) {
    const resolve = pathResolver(paths, endpoint);
    const operation = `list${endpoint}`;
    const fetchPage = async (filter: string | undefined, sortBy: string, sortOrder: string | undefined, startIndex: number, count: number, opts: CallOptions): Promise<Page<T>> => {
      const query = { filter, sortBy, sortOrder, startIndex, count };
      const res = await http.request({ operation, method: 'GET', path: `/${endpoint}`, query, signal: opts.signal, requestId: opts.requestId });
      return parseList(operation, res.json, item);
    };
    const list = async (q: ResourceQuery<F>, opts: CallOptions = {}): Promise<Page<T>> => {
      const count = await deps.clampCount(q.count, opts);
      // IIQ adds no ORDER BY without sortBy (reference §4.2)
      return fetchPage(q.filter ? stringifyFilter(q.filter, resolve) : undefined, resolve(q.sort?.by ?? defaultSort), q.sort?.order, Math.max(1, Math.floor(q.startIndex ?? 1)), count, opts);
    };
    const listAll = async (filter: FilterNode<F> | undefined, opts: CallOptions = {}): Promise<T[]> => {
      const f = filter ? stringifyFilter(filter, resolve) : undefined;
      const pageSize = Math.max(1, await deps.clampCount(1000, opts));
      const out: T[] = [];
      for await (const x of iteratePages((start, count, signal) => fetchPage(f, resolve(defaultSort), undefined, start, count, { ...opts, signal }), { pageSize, signal: opts.signal })) out.push(x);
      return out;
    };
    return { list, listAll };
  }

  function getter<T>(endpoint: string, item: (json: unknown, operation: string) => T) {
    const operation = `get${endpoint.replace(/s$/, '')}`;
    return async (id: string, opts: CallOptions = {}): Promise<T | null> => {
      if (!validId(id)) return null;
      const res = await http.request({ operation, method: 'GET', path: `/${endpoint}/${encodeURIComponent(id)}`, passStatuses: [404], signal: opts.signal, requestId: opts.requestId });
      if (res.status === 404) return null;
      const found = item(res.json, operation);
      // /{idOrName} endpoints may resolve a name; an id lookup answers for that id only
      return (found as { id: string }).id === id ? found : null;
    };
  }

  const accounts = lister<AccountField, IiqAccount>('Accounts', accountFilterPaths, 'nativeIdentity', toIiqAccount);
  const applications = lister<ApplicationField, IiqApplication>('Applications', applicationFilterPaths, 'name', toIiqApplication);
  const entitlements = lister<EntitlementField, IiqEntitlement>('Entitlements', entitlementFilterPaths, 'displayName', toIiqEntitlement);
  const violations = lister<PolicyViolationField, IiqPolicyViolation>('PolicyViolations', policyViolationFilterPaths, 'policyName', toIiqPolicyViolation);

  async function changeAccount(account: IiqAccount, change: AccountChange, opts: CallOptions & { ifMatch?: string } = {}): Promise<IiqAccount> {
    const operation = 'changeAccount';
    // IIQ keeps identity and application immutable and requires them in the body (reference §3.4, §5)
    const body: Record<string, unknown> = { schemas: [URN_ACCOUNT], id: account.id, nativeIdentity: account.nativeIdentity };
    if (account.identity) body.identity = { value: account.identity.id };
    if (account.application) body.application = { value: account.application.id };
    if (change.active !== undefined) body.active = change.active;
    if (change.unlock) body.locked = false;
    const res = await http.request({
      operation,
      method: 'PUT',
      path: `/Accounts/${encodeURIComponent(account.id)}`,
      body,
      headers: opts.ifMatch ? { 'if-match': opts.ifMatch } : undefined,
      signal: opts.signal,
      requestId: opts.requestId,
    });
    return toIiqAccount(res.json, operation);
  }

  async function listSchemas(opts: CallOptions = {}): Promise<IiqSchemaDoc[]> {
    const operation = 'listSchemas';
    const res = await http.request({ operation, method: 'GET', path: '/Schemas', signal: opts.signal, requestId: opts.requestId });
    return parseList(operation, res.json, (json, op, path) => {
      const parsed = scimSchemaSchema.safeParse(json);
      if (!parsed.success) throw invalidResponse(op, 'a Schema failed validation', { issues: issuesFrom(parsed.error.issues, path) });
      return { id: parsed.data.id, name: parsed.data.name ?? null, attributes: parsed.data.attributes.map(toSchemaAttribute) };
    }).items;
  }

  async function listResourceTypes(opts: CallOptions = {}): Promise<IiqResourceType[]> {
    const operation = 'listResourceTypes';
    const res = await http.request({ operation, method: 'GET', path: '/ResourceTypes', signal: opts.signal, requestId: opts.requestId });
    return parseList(operation, res.json, (json, op, path) => {
      const parsed = scimResourceTypeSchema.safeParse(json);
      if (!parsed.success) throw invalidResponse(op, 'a ResourceType failed validation', { issues: issuesFrom(parsed.error.issues, path) });
      const r = parsed.data;
      return { name: r.name, endpoint: r.endpoint, schema: r.schema, extensions: (r.schemaExtensions ?? []).map((e) => e.schema) };
    }).items;
  }

  async function checkPolicyViolations(request: PolicyCheckRequest, opts: CallOptions = {}): Promise<IiqCheckedViolation[]> {
    const operation = 'checkPolicyViolations';
    // the provisioning plan in IIQ's JSON form (8.3 spec, checkPolicyViolations): roles through the IIQ application
    const byApp = new Map<string, { op: string; name: string; value: string }[]>();
    const add = (app: string, name: string, value: string) => byApp.set(app, [...(byApp.get(app) ?? []), { op: 'Add', name, value }]);
    for (const role of request.roles) add(IIQ_APPLICATION, 'assignedRoles', role);
    for (const e of request.entitlements) add(e.application, e.attribute, e.value);
    const body = {
      schemas: [URN_CHECKED],
      identity: request.identity,
      plan: {
        type: 'application/sailpoint.object.ProvisioningPlan+json',
        value: { accounts: [...byApp].map(([application, attributes]) => ({ op: 'Modify', application, attributes })) },
      },
      ...(request.policies?.length ? { policies: request.policies } : {}),
    };
    // a POST: never retried (http.ts), although this one changes nothing
    const res = await http.request({ operation, method: 'POST', path: '/CheckedPolicyViolations', body, signal: opts.signal, requestId: opts.requestId });
    const parsed = checkedResponseSchema.safeParse(res.json);
    if (!parsed.success) throw invalidResponse(operation, 'the CheckedPolicyViolation failed validation', { issues: issuesFrom(parsed.error.issues) });
    return (parsed.data.violations ?? []).map((v) => ({
      policyName: v.policyName ?? null,
      policyType: v.policyType ?? null,
      constraintName: v.constraintName ?? null,
      description: v.description ?? null,
      leftBundles: v.leftBundles ?? [],
      rightBundles: v.rightBundles ?? [],
    }));
  }

  return {
    listAccounts: accounts.list,
    listAllAccounts: (filter, opts) => accounts.listAll(filter, opts),
    getAccount: getter('Accounts', toIiqAccount),
    changeAccount,
    listApplications: applications.list,
    listAllApplications: (opts) => applications.listAll(undefined, opts),
    getApplication: getter('Applications', toIiqApplication),
    listEntitlements: entitlements.list,
    listAllEntitlements: (filter, opts) => entitlements.listAll(filter, opts),
    getEntitlement: getter('Entitlements', toIiqEntitlement),
    listPolicyViolations: violations.list,
    listAllPolicyViolations: (filter, opts) => violations.listAll(filter, opts),
    getPolicyViolation: getter('PolicyViolations', toIiqPolicyViolation),
    listSchemas,
    listResourceTypes,
    checkPolicyViolations,
  };
}
