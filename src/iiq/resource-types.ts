// Public contract of the client for IIQ's other resources (reference §3.4): Accounts, Applications, Entitlements,
// PolicyViolations, schema discovery and the what-if policy check. Wire-independent, like types.ts.
import type { FilterNode } from './filter.ts';
import type { CallOptions, IdentityRef, Page, SortOrder } from './types.ts';

export interface AppRef {
  id: string;
  name: string | null;
}

/** An IIQ Link. */
export interface IiqAccount {
  id: string;
  nativeIdentity: string;
  displayName: string | null;
  active: boolean | null;
  locked: boolean | null;
  lastRefresh: string | null;
  manuallyCorrelated: boolean | null;
  hasEntitlements: boolean | null;
  identity: (IdentityRef & { userName: string | null }) | null;
  application: AppRef | null;
  /** the application schema attributes (`urn:…:Application:Schema:<App>:account`), names as IIQ sends them */
  attributes: Record<string, unknown>;
  created: string | null;
  lastModified: string | null;
  version: string | null;
  raw: Record<string, unknown>;
}

export interface IiqApplication {
  id: string;
  name: string;
  type: string | null;
  description: string | null;
  features: string[];
  owner: IdentityRef | null;
  created: string | null;
  lastModified: string | null;
  raw: Record<string, unknown>;
}

/** An IIQ ManagedAttribute. */
export interface IiqEntitlement {
  id: string;
  displayName: string | null;
  type: string | null;
  attribute: string | null;
  value: string | null;
  description: string | null;
  requestable: boolean | null;
  owner: IdentityRef | null;
  application: AppRef | null;
  created: string | null;
  lastModified: string | null;
  raw: Record<string, unknown>;
}

export interface IiqPolicyViolation {
  id: string;
  policyName: string | null;
  constraintName: string | null;
  description: string | null;
  status: string | null;
  owner: IdentityRef | null;
  identity: IdentityRef | null;
  created: string | null;
  lastModified: string | null;
  raw: Record<string, unknown>;
}

export interface IiqSchemaAttribute {
  name: string;
  type: string | null;
  multiValued: boolean;
  mutability: string | null;
  returned: string | null;
  required: boolean;
  subAttributes: IiqSchemaAttribute[];
}

export interface IiqSchemaDoc {
  /** the schema URN */
  id: string;
  name: string | null;
  attributes: IiqSchemaAttribute[];
}

export interface IiqResourceType {
  name: string;
  endpoint: string;
  schema: string;
  extensions: string[];
}

/** A violation the what-if check says a change would cause. */
export interface IiqCheckedViolation {
  policyName: string | null;
  policyType: string | null;
  constraintName: string | null;
  description: string | null;
  leftBundles: string[];
  rightBundles: string[];
}

export interface PolicyCheckRequest {
  /** id or userName of the identity */
  identity: string;
  /** role names to assign (IIQ application, assignedRoles) */
  roles: string[];
  /** entitlements to add: application name, attribute name, value */
  entitlements: { application: string; attribute: string; value: string }[];
  /** policy names to check; all when absent */
  policies?: string[];
}

export type AccountField = 'nativeIdentity' | 'displayName' | 'active' | 'userId' | 'userDisplayName' | 'applicationId' | 'applicationName' | 'lastRefresh' | 'created' | 'lastModified';
export type ApplicationField = 'name' | 'type' | 'ownerId' | 'created' | 'lastModified';
export type EntitlementField = 'displayName' | 'type' | 'attribute' | 'value' | 'requestable' | 'ownerId' | 'applicationId' | 'applicationName' | 'created' | 'lastModified';
export type PolicyViolationField = 'policyName' | 'constraintName' | 'status' | 'ownerId' | 'userId' | 'userDisplayName' | 'created' | 'lastModified';

export interface ResourceQuery<F extends string> {
  filter?: FilterNode<F>;
  /** always sent upstream (IIQ has no default order) */
  sort?: { by: F; order?: SortOrder };
  /** 1-based (RFC 7644 §3.4.2.4) */
  startIndex?: number;
  count?: number;
}

export interface AccountChange {
  /** false = disable, true = enable */
  active?: boolean;
  /** IIQ only supports unlocking (reference §5) */
  unlock?: true;
}

export interface IiqResourceClient {
  listAccounts(query: ResourceQuery<AccountField>, opts?: CallOptions): Promise<Page<IiqAccount>>;
  /** every page of one filter (batch loaders; the filter keeps the total small) */
  listAllAccounts(filter: FilterNode<AccountField>, opts?: CallOptions): Promise<IiqAccount[]>;
  getAccount(id: string, opts?: CallOptions): Promise<IiqAccount | null>;
  /** PUT /Accounts/{id} with the change; `ifMatch` makes it conditional (and retryable) */
  changeAccount(account: IiqAccount, change: AccountChange, opts?: CallOptions & { ifMatch?: string }): Promise<IiqAccount>;

  listApplications(query: ResourceQuery<ApplicationField>, opts?: CallOptions): Promise<Page<IiqApplication>>;
  listAllApplications(opts?: CallOptions): Promise<IiqApplication[]>;
  getApplication(id: string, opts?: CallOptions): Promise<IiqApplication | null>;

  listEntitlements(query: ResourceQuery<EntitlementField>, opts?: CallOptions): Promise<Page<IiqEntitlement>>;
  listAllEntitlements(filter: FilterNode<EntitlementField>, opts?: CallOptions): Promise<IiqEntitlement[]>;
  getEntitlement(id: string, opts?: CallOptions): Promise<IiqEntitlement | null>;

  listPolicyViolations(query: ResourceQuery<PolicyViolationField>, opts?: CallOptions): Promise<Page<IiqPolicyViolation>>;
  listAllPolicyViolations(filter: FilterNode<PolicyViolationField>, opts?: CallOptions): Promise<IiqPolicyViolation[]>;
  getPolicyViolation(id: string, opts?: CallOptions): Promise<IiqPolicyViolation | null>;

  /** GET /Schemas (all schemas with their attributes; IIQ adds custom identity attributes dynamically) */
  listSchemas(opts?: CallOptions): Promise<IiqSchemaDoc[]>;
  /** GET /ResourceTypes */
  listResourceTypes(opts?: CallOptions): Promise<IiqResourceType[]>;

  /** POST /CheckedPolicyViolations: the violations a change would cause, nothing is provisioned */
  checkPolicyViolations(request: PolicyCheckRequest, opts?: CallOptions): Promise<IiqCheckedViolation[]>;
}

export type { Page };
