import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO-8601 date-time with a time zone offset, as IdentityIQ reports it (e.g. 2024-01-09T10:02:11.004-06:00) */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
};

/** An account on an application (IIQ Link), correlated to an identity */
export type Account = Node & {
  /** false when the account is disabled */
  active?: Maybe<Scalars['Boolean']['output']>;
  application?: Maybe<Application>;
  /** The application schema attributes, names as the application defines them */
  attributes: Scalars['JSON']['output'];
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  displayName?: Maybe<Scalars['String']['output']>;
  /** Entitlements (IIQ ManagedAttributes) this account holds */
  entitlements: Array<Entitlement>;
  hasEntitlements?: Maybe<Scalars['Boolean']['output']>;
  id: Scalars['ID']['output'];
  lastRefresh?: Maybe<Scalars['DateTime']['output']>;
  locked?: Maybe<Scalars['Boolean']['output']>;
  manuallyCorrelated?: Maybe<Scalars['Boolean']['output']>;
  /** The account’s id on the application (e.g. a DN) */
  nativeIdentity: Scalars['String']['output'];
  /** The SCIM resource as IdentityIQ returned it */
  raw: Scalars['JSON']['output'];
  /** The IdentityIQ id */
  remoteId: Scalars['ID']['output'];
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The identity the account is correlated to */
  user?: Maybe<User>;
  /** Weak ETag of the account */
  version?: Maybe<Scalars['String']['output']>;
};

export type AccountConnection = {
  edges: Array<AccountEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type AccountEdge = {
  cursor: Scalars['String']['output'];
  node: Account;
};

/** Conditions on accounts, AND-ed */
export type AccountFilter = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  /** the application (Application id, global or IdentityIQ) */
  applicationId?: InputMaybe<Scalars['ID']['input']>;
  applicationName?: InputMaybe<StringFilter>;
  displayName?: InputMaybe<StringFilter>;
  nativeIdentity?: InputMaybe<StringFilter>;
  /** the identity (User id, global or IdentityIQ) */
  userId?: InputMaybe<Scalars['ID']['input']>;
};

/** An application IdentityIQ manages accounts on */
export type Application = Node & {
  /** Accounts on this application, in nativeIdentity order */
  accounts: AccountConnection;
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  /** Entitlements (ManagedAttributes) of this application, in displayName order */
  entitlements: EntitlementConnection;
  features: Array<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  owner?: Maybe<User>;
  /** The IdentityIQ id */
  remoteId: Scalars['ID']['output'];
  /** The connector type, e.g. Active Directory - Direct */
  type?: Maybe<Scalars['String']['output']>;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
};


/** An application IdentityIQ manages accounts on */
export type ApplicationAccountsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AccountFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** An application IdentityIQ manages accounts on */
export type ApplicationEntitlementsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EntitlementFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type ApplicationConnection = {
  edges: Array<ApplicationEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type ApplicationEdge = {
  cursor: Scalars['String']['output'];
  node: Application;
};

export type ApplicationFilter = {
  name?: InputMaybe<StringFilter>;
  type?: InputMaybe<StringFilter>;
};

/** Conditions on a custom identity attribute, named as in IdentityIQ */
export type AttributeFilter = {
  contains?: InputMaybe<Scalars['String']['input']>;
  eq?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  ne?: InputMaybe<Scalars['String']['input']>;
  present?: InputMaybe<Scalars['Boolean']['input']>;
  startsWith?: InputMaybe<Scalars['String']['input']>;
};

/** a custom attribute value of the wrong type for the discovered schema */
export type AttributeValueError = MutationError & {
  attribute: Scalars['String']['output'];
  code: Scalars['String']['output'];
  expected: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

export type CheckPolicyViolationsResult = CheckPolicyViolationsSuccess | InputValidationError | NotFoundError | UpstreamRejectedError;

export type CheckPolicyViolationsSuccess = {
  violations: Array<CheckedPolicyViolation>;
};

/** A violation the requested access would cause (nothing was provisioned) */
export type CheckedPolicyViolation = {
  constraintName?: Maybe<Scalars['String']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  /** role names on one side of the constraint */
  leftBundles: Array<Scalars['String']['output']>;
  policyName?: Maybe<Scalars['String']['output']>;
  policyType?: Maybe<Scalars['String']['output']>;
  /** role names on the other side */
  rightBundles: Array<Scalars['String']['output']>;
  /** the roles of both sides, from the role catalog */
  roles: Array<Role>;
};

/** Credentials as stored, secrets masked */
export type ConnectionAuth = {
  clientId?: Maybe<Scalars['String']['output']>;
  kind: ConnectionAuthKind;
  /** always masked */
  secret: Scalars['String']['output'];
  tokenUrl?: Maybe<Scalars['String']['output']>;
  username?: Maybe<Scalars['String']['output']>;
};

/** BASIC needs username and password; OAUTH2 needs clientId and clientSecret (tokenUrl optional) */
export type ConnectionAuthInput = {
  clientId?: InputMaybe<Scalars['String']['input']>;
  clientSecret?: InputMaybe<Scalars['String']['input']>;
  kind: ConnectionAuthKind;
  password?: InputMaybe<Scalars['String']['input']>;
  tokenUrl?: InputMaybe<Scalars['String']['input']>;
  username?: InputMaybe<Scalars['String']['input']>;
};

/** How the gateway authenticates to IdentityIQ */
export type ConnectionAuthKind =
  | 'BASIC'
  /** OAuth 2.0 client credentials */
  | 'OAUTH2';

/** Result of probing a connection: reachable, TLS trusted, ServiceProviderConfig, credentials, Users, Roles */
export type ConnectionCheck = {
  checkedAt: Scalars['DateTime']['output'];
  durationMs: Scalars['Int']['output'];
  ok: Scalars['Boolean']['output'];
  roleCount?: Maybe<Scalars['Int']['output']>;
  serviceProvider?: Maybe<ConnectionServiceProvider>;
  steps: Array<ConnectionCheckStep>;
  userCount?: Maybe<Scalars['Int']['output']>;
};

export type ConnectionCheckStep = {
  /** upstream HTTP status or transport error code */
  code?: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
  /** reachable, tls, serviceProviderConfig, credentials, users or roles */
  name: Scalars['String']['output'];
  status: ConnectionCheckStepStatus;
};

export type ConnectionCheckStepStatus =
  | 'FAIL'
  | 'PASS'
  /** not run: an earlier step failed */
  | 'SKIP';

export type ConnectionServiceProvider = {
  authenticationSchemes: Array<Scalars['String']['output']>;
  filterSupported: Scalars['Boolean']['output'];
  maxResults: Scalars['Int']['output'];
  sortSupported: Scalars['Boolean']['output'];
};

export type ConnectionStatus =
  /** the last check passed */
  | 'ACTIVE'
  /** the last check failed */
  | 'FAILING'
  | 'UNCHECKED';

export type CreateConnectionInput = {
  /** IIQ attribute names behind the typed User fields */
  attributeMap?: InputMaybe<Scalars['JSON']['input']>;
  auth: ConnectionAuthInput;
  /** SCIM base, e.g. https://iiq.example.com/identityiq/scim/v2 */
  baseUrl: Scalars['String']['input'];
  /** PEM; null clears */
  caBundle?: InputMaybe<Scalars['String']['input']>;
  label: Scalars['String']['input'];
  /** HTTP(S) proxy; null clears */
  proxyUrl?: InputMaybe<Scalars['String']['input']>;
};

/** A new IdentityIQ identity; custom identity attributes go in `attributes` (names as in iiqSchema.customUserAttributes) */
export type CreateUserInput = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  /** custom identity attributes by name; identity-typed ones take an identity id */
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  capabilities?: InputMaybe<Array<Scalars['String']['input']>>;
  displayName?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  familyName?: InputMaybe<Scalars['String']['input']>;
  givenName?: InputMaybe<Scalars['String']['input']>;
  /** the manager’s User id (global or IdentityIQ id) */
  managerId?: InputMaybe<Scalars['ID']['input']>;
  password?: InputMaybe<Scalars['String']['input']>;
  userName: Scalars['String']['input'];
};

export type CreateUserResult = AttributeValueError | CreateUserSuccess | DuplicateUserNameError | IdempotencyInProgressError | IdempotencyKeyReuseError | InputValidationError | NotFoundError | ReadOnlyAttributeError | UnknownAttributeError | UpstreamRejectedError | UserNameImmutableError | VersionConflictError;

export type CreateUserSuccess = {
  user: User;
};

export type CreateWebhookInput = {
  /** signing secret (16-256 characters); generated when omitted */
  secret?: InputMaybe<Scalars['String']['input']>;
  /** only these change types; omitted or empty: all */
  types?: InputMaybe<Array<DirectoryChangeType>>;
  /** https (http only for a host listed in IIQ_GRAPH_ALLOWED_HOSTS); no internal addresses */
  url: Scalars['String']['input'];
};

export type CreateWebhookPayload = {
  /** the generated signing secret, shown this once (null when you supplied one); verify X-IIQ-Graph-Signature with it */
  secret?: Maybe<Scalars['String']['output']>;
  webhook: Webhook;
};

export type DeleteUserResult = DeleteUserSuccess | NotFoundError | VersionConflictError;

export type DeleteUserSuccess = {
  deletedId: Scalars['ID']['output'];
};

/** One change seen by the directory mirror; ids and names only (read the object for its attributes) */
export type DirectoryChange = {
  /** Position in the feed; increases monotonically */
  cursor: Scalars['String']['output'];
  data: Scalars['JSON']['output'];
  /** user id, role id, or "userId/roleId" for memberships */
  objectId: Scalars['String']['output'];
  /** when the mirror recorded the change */
  occurredAt: Scalars['DateTime']['output'];
  type: DirectoryChangeType;
};

export type DirectoryChangeConnection = {
  edges: Array<DirectoryChangeEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type DirectoryChangeEdge = {
  cursor: Scalars['String']['output'];
  node: DirectoryChange;
};

/** What changed in the directory mirror */
export type DirectoryChangeType =
  | 'MEMBERSHIP_ADDED'
  | 'MEMBERSHIP_REMOVED'
  | 'ROLE_CREATED'
  | 'ROLE_DELETED'
  | 'ROLE_UPDATED'
  | 'USER_CREATED'
  | 'USER_DELETED'
  | 'USER_UPDATED';

export type DisableAccountResult = DisableAccountSuccess | NotFoundError | UpstreamRejectedError | VersionConflictError;

export type DisableAccountSuccess = {
  account: Account;
};

/** IIQ answered 409 uniqueness: the userName is taken */
export type DuplicateUserNameError = MutationError & {
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
  userName: Scalars['String']['output'];
};

export type Email = {
  primary: Scalars['Boolean']['output'];
  type?: Maybe<Scalars['String']['output']>;
  value: Scalars['String']['output'];
};

export type EnableAccountResult = EnableAccountSuccess | NotFoundError | UpstreamRejectedError | VersionConflictError;

export type EnableAccountSuccess = {
  account: Account;
};

/** An entitlement (IIQ ManagedAttribute): a group, role or permission on an application */
export type Entitlement = Node & {
  application?: Maybe<Application>;
  /** The account attribute that carries it, e.g. memberOf */
  attribute?: Maybe<Scalars['String']['output']>;
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  displayName?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  owner?: Maybe<User>;
  raw: Scalars['JSON']['output'];
  /** The IdentityIQ id */
  remoteId: Scalars['ID']['output'];
  requestable?: Maybe<Scalars['Boolean']['output']>;
  /** Entitlement or Permission */
  type?: Maybe<Scalars['String']['output']>;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The value on the account, e.g. a group DN */
  value?: Maybe<Scalars['String']['output']>;
};

export type EntitlementConnection = {
  edges: Array<EntitlementEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type EntitlementEdge = {
  cursor: Scalars['String']['output'];
  node: Entitlement;
};

/** Conditions on entitlements, AND-ed */
export type EntitlementFilter = {
  applicationId?: InputMaybe<Scalars['ID']['input']>;
  applicationName?: InputMaybe<StringFilter>;
  attribute?: InputMaybe<StringFilter>;
  displayName?: InputMaybe<StringFilter>;
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  requestable?: InputMaybe<Scalars['Boolean']['input']>;
  type?: InputMaybe<StringFilter>;
  value?: InputMaybe<StringFilter>;
};

export type IdempotencyInProgressError = MutationError & {
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

export type IdempotencyKeyReuseError = MutationError & {
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

/** A tenant's linked IdentityIQ. Select it per request with the X-Connection-Id header. */
export type IiqConnection = {
  attributeMap?: Maybe<Scalars['JSON']['output']>;
  auth: ConnectionAuth;
  baseUrl: Scalars['String']['output'];
  caBundle?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  label: Scalars['String']['output'];
  lastCheck?: Maybe<ConnectionCheck>;
  /** password masked */
  proxyUrl?: Maybe<Scalars['String']['output']>;
  status: ConnectionStatus;
  updatedAt: Scalars['DateTime']['output'];
};

export type IiqResourceType = {
  endpoint: Scalars['String']['output'];
  extensions: Array<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  schema: Scalars['String']['output'];
};

/** The connected IdentityIQ’s /Schemas and /ResourceTypes, cached for five minutes per connection */
export type IiqSchema = {
  customUserAttributes: Array<IiqUserAttribute>;
  readAt: Scalars['DateTime']['output'];
  resourceTypes: Array<IiqResourceType>;
  schemas: Array<IiqSchemaDocument>;
  userAttributes: Array<IiqUserAttribute>;
};

/** An attribute as IdentityIQ describes it (RFC 7643 §7) */
export type IiqSchemaAttribute = {
  multiValued: Scalars['Boolean']['output'];
  /** readOnly, readWrite, immutable, writeOnly */
  mutability: Scalars['String']['output'];
  name: Scalars['String']['output'];
  required: Scalars['Boolean']['output'];
  /** always, default, request, never */
  returned: Scalars['String']['output'];
  subAttributes: Array<IiqSchemaAttribute>;
  /** string, boolean, integer, decimal, dateTime, reference, complex */
  type: Scalars['String']['output'];
};

export type IiqSchemaDocument = {
  attributes: Array<IiqSchemaAttribute>;
  /** schema URN */
  id: Scalars['String']['output'];
  name?: Maybe<Scalars['String']['output']>;
};

/** An attribute of IdentityIQ users (core, enterprise or SailPoint extension) */
export type IiqUserAttribute = {
  /** an install-specific identity attribute (writable through `attributes` when mutability allows) */
  custom: Scalars['Boolean']['output'];
  multiValued: Scalars['Boolean']['output'];
  mutability: Scalars['String']['output'];
  name: Scalars['String']['output'];
  required: Scalars['Boolean']['output'];
  returned: Scalars['String']['output'];
  /** the schema URN */
  schema: Scalars['String']['output'];
  type: Scalars['String']['output'];
};

/** the input failed validation; nothing was sent to IdentityIQ */
export type InputValidationError = MutationError & {
  code: Scalars['String']['output'];
  issues: Array<InputValidationIssue>;
  message: Scalars['String']['output'];
};

export type InputValidationIssue = {
  message: Scalars['String']['output'];
  path: Array<Scalars['String']['output']>;
};

export type IntFilter = {
  eq?: InputMaybe<Scalars['Int']['input']>;
  ge?: InputMaybe<Scalars['Int']['input']>;
  gt?: InputMaybe<Scalars['Int']['input']>;
  le?: InputMaybe<Scalars['Int']['input']>;
  lt?: InputMaybe<Scalars['Int']['input']>;
};

/** A short-lived, single-use link for the connect page */
export type LinkToken = {
  connectionId?: Maybe<Scalars['ID']['output']>;
  expiresAt: Scalars['DateTime']['output'];
  token: Scalars['String']['output'];
  /** path of the connect page; prefix with the gateway origin */
  url: Scalars['String']['output'];
};

export type LocalizedText = {
  locale?: Maybe<Scalars['String']['output']>;
  value: Scalars['String']['output'];
};

export type MembershipIndexState =
  | 'BUILDING'
  | 'FAILED'
  | 'IDLE'
  | 'READY'
  | 'REFRESHING'
  | 'STOPPED';

/** The role membership index behind Role.members */
export type MembershipIndexStatus = {
  /** completion of the scan currently served */
  indexedAt?: Maybe<Scalars['DateTime']['output']>;
  /** users scanned by the current (or last) scan */
  scannedUsers: Scalars['Int']['output'];
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  state: MembershipIndexState;
  totalUsers?: Maybe<Scalars['Int']['output']>;
};

export type MirrorSyncState =
  | 'DISABLED'
  | 'EMPTY'
  | 'READY'
  | 'SYNCING';

export type Mutation = {
  /** Stores a connection (credentials encrypted) after checking it; a failed check is stored as status FAILING */
  createConnection: IiqConnection;
  /** A single-use link to the connect page, for the customer's administrator; with connectionId it re-links that connection */
  createLinkToken: LinkToken;
  /** Creates an identity (POST /Users, run by IIQ as a provisioning plan). With an idempotencyKey, a replay within 24 hours returns the identity the first request created, without a second POST. */
  createUser: CreateUserResult;
  /** Adds an endpoint for this connection's changes from now on; returns the generated secret once */
  createWebhook: CreateWebhookPayload;
  /** Returns the id of the deleted connection */
  deleteConnection: Scalars['ID']['output'];
  /** Deletes an identity (IIQ Terminator: irreversible); with ifMatch only if nobody changed it since */
  deleteUser: DeleteUserResult;
  /** Removes an endpoint and its delivery log; returns its id */
  deleteWebhook: Scalars['ID']['output'];
  /** Disables an account on its application (IIQ provisions it) */
  disableAccount: DisableAccountResult;
  /** Enables an account on its application (IIQ provisions it) */
  enableAccount: EnableAccountResult;
  /** Sends a delivery again (same event id): back to PENDING, due now */
  redeliverWebhookDelivery: WebhookDelivery;
  /** Replaces an identity (PUT /Users/{id}); with ifMatch (its `version`) only if nobody changed it since */
  replaceUser: ReplaceUserResult;
  /** Enables (true) or disables (false) an identity, as updateUser does */
  setUserActive: SetUserActiveResult;
  /** Checks a saved connection now and stores the result */
  testConnection: ConnectionCheck;
  /** Unlocks an account (IIQ supports unlocking only, not locking) */
  unlockAccount: UnlockAccountResult;
  updateConnection: IiqConnection;
  /** Changes some attributes: reads the identity, merges, and PUTs it with If-Match; on a concurrent change (412) reads and merges once more, then answers VersionConflictError */
  updateUser: UpdateUserResult;
};


export type MutationCreateConnectionArgs = {
  input: CreateConnectionInput;
};


export type MutationCreateLinkTokenArgs = {
  connectionId?: InputMaybe<Scalars['ID']['input']>;
  ttlSeconds?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationCreateUserArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: CreateUserInput;
};


export type MutationCreateWebhookArgs = {
  input: CreateWebhookInput;
};


export type MutationDeleteConnectionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteUserArgs = {
  id: Scalars['ID']['input'];
  ifMatch?: InputMaybe<Scalars['String']['input']>;
};


export type MutationDeleteWebhookArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDisableAccountArgs = {
  id: Scalars['ID']['input'];
};


export type MutationEnableAccountArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRedeliverWebhookDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReplaceUserArgs = {
  id: Scalars['ID']['input'];
  ifMatch?: InputMaybe<Scalars['String']['input']>;
  input: ReplaceUserInput;
};


export type MutationSetUserActiveArgs = {
  active: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationTestConnectionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUnlockAccountArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateConnectionArgs = {
  id: Scalars['ID']['input'];
  input: UpdateConnectionInput;
};


export type MutationUpdateUserArgs = {
  id: Scalars['ID']['input'];
  input: UpdateUserInput;
};

/** An expected failure of a mutation: a stable code and a message safe to show */
export type MutationError = {
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

export type Node = {
  id: Scalars['ID']['output'];
};

export type NotFoundError = MutationError & {
  code: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  message: Scalars['String']['output'];
  resource: Scalars['String']['output'];
};

export type OrderDirection =
  | 'ASC'
  | 'DESC';

export type PageInfo = {
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** A policy violation IdentityIQ detected (e.g. separation of duties) */
export type PolicyViolation = Node & {
  constraintName?: Maybe<Scalars['String']['output']>;
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** The owner of the policy */
  owner?: Maybe<User>;
  policyName?: Maybe<Scalars['String']['output']>;
  /** The IdentityIQ id */
  remoteId: Scalars['ID']['output'];
  /** Open, Mitigated, Remediated or Delegated */
  status?: Maybe<Scalars['String']['output']>;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The identity in violation */
  user?: Maybe<User>;
};

export type PolicyViolationConnection = {
  edges: Array<PolicyViolationEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type PolicyViolationEdge = {
  cursor: Scalars['String']['output'];
  node: PolicyViolation;
};

export type PolicyViolationFilter = {
  constraintName?: InputMaybe<StringFilter>;
  policyName?: InputMaybe<StringFilter>;
  status?: InputMaybe<PolicyViolationStatus>;
  /** the identity in violation */
  userId?: InputMaybe<Scalars['ID']['input']>;
};

export type PolicyViolationStatus =
  | 'DELEGATED'
  | 'MITIGATED'
  | 'OPEN'
  | 'REMEDIATED';

export type Query = {
  /** Accounts (IIQ Links), in nativeIdentity order */
  accounts: AccountConnection;
  /** Applications, in name order */
  applications: ApplicationConnection;
  /** The directory change feed in cursor order (forward only): page with first / after; resume with the last cursor you processed */
  changes: DirectoryChangeConnection;
  /** What-if for just-in-time provisioning: the policy violations granting these roles and entitlements to the user would cause (IIQ CheckedPolicyViolations; nothing is provisioned). Empty: the grant is clean. */
  checkPolicyViolations: CheckPolicyViolationsResult;
  /** The calling tenant's linked IdentityIQ connections */
  connections: Array<IiqConnection>;
  /** Entitlements (ManagedAttributes), in displayName order */
  entitlements: EntitlementConnection;
  /** What this IdentityIQ says about its resources and attributes */
  iiqSchema: IiqSchema;
  membershipIndex: MembershipIndexStatus;
  node?: Maybe<Node>;
  nodes: Array<Maybe<Node>>;
  /** Policy violations, in policyName order */
  policyViolations: PolicyViolationConnection;
  /** One role by id (global or IdentityIQ id) or by name — exactly one of them; null when not found */
  role?: Maybe<Role>;
  /** Roles, in name order unless orderBy says otherwise */
  roles: RoleConnection;
  /** The directory mirror of this connection: state, data age, counts, last run */
  syncStatus: SyncStatus;
  /** The caller's connection's circuit breaker and concurrency limit (null when the connection has no guard) */
  upstreamStatus?: Maybe<UpstreamStatus>;
  /** One user by id (global or IdentityIQ id) or by userName — exactly one of them; null when not found */
  user?: Maybe<User>;
  /** Users, in userName order unless orderBy says otherwise */
  users: UserConnection;
  /** The delivery log of one endpoint, newest first (page forward with first / after) */
  webhookDeliveries: WebhookDeliveryConnection;
  /** The webhook endpoints of this connection (secrets are never listed) */
  webhooks: Array<Webhook>;
};


export type QueryAccountsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AccountFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryApplicationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ApplicationFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryChangesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  types?: InputMaybe<Array<DirectoryChangeType>>;
};


export type QueryCheckPolicyViolationsArgs = {
  addEntitlements?: InputMaybe<Array<Scalars['ID']['input']>>;
  addRoles?: InputMaybe<Array<Scalars['ID']['input']>>;
  policies?: InputMaybe<Array<Scalars['String']['input']>>;
  userId: Scalars['ID']['input'];
};


export type QueryEntitlementsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EntitlementFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QueryPolicyViolationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PolicyViolationFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRoleArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};


export type QueryRolesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<RoleFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<RoleOrder>;
};


export type QueryUserArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  userName?: InputMaybe<Scalars['String']['input']>;
};


export type QueryUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UserFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<UserOrder>;
};


export type QueryWebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<WebhookDeliveryStatus>;
  webhookId: Scalars['ID']['input'];
};

export type ReadOnlyAttributeError = MutationError & {
  attribute: Scalars['String']['output'];
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
  mutability: Scalars['String']['output'];
};

/** The whole identity as it should be (PUT); IIQ changes only the attributes sent */
export type ReplaceUserInput = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  /** custom identity attributes by name; identity-typed ones take an identity id */
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  capabilities?: InputMaybe<Array<Scalars['String']['input']>>;
  displayName?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  familyName?: InputMaybe<Scalars['String']['input']>;
  givenName?: InputMaybe<Scalars['String']['input']>;
  /** the manager’s User id (global or IdentityIQ id) */
  managerId?: InputMaybe<Scalars['ID']['input']>;
  password?: InputMaybe<Scalars['String']['input']>;
  userName: Scalars['String']['input'];
};

export type ReplaceUserResult = AttributeValueError | DuplicateUserNameError | InputValidationError | NotFoundError | ReadOnlyAttributeError | ReplaceUserSuccess | UnknownAttributeError | UpstreamRejectedError | UserNameImmutableError | VersionConflictError;

export type ReplaceUserSuccess = {
  user: User;
};

/** An IdentityIQ role (bundle) */
export type Role = Node & {
  activationDate?: Maybe<Scalars['DateTime']['output']>;
  active?: Maybe<Scalars['Boolean']['output']>;
  /** Roles that inherit from this role, by name */
  children: RoleConnection;
  /** Classification names of the role (IIQ 8.x) */
  classifications: Array<Scalars['String']['output']>;
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  deactivationDate?: Maybe<Scalars['DateTime']['output']>;
  /** The en_US (else first) description; may contain HTML */
  description?: Maybe<Scalars['String']['output']>;
  descriptions: Array<LocalizedText>;
  displayName?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Users holding this role (one edge per assignment), by userName; from the membership index */
  members: RoleMemberConnection;
  name: Scalars['String']['output'];
  owner?: Maybe<User>;
  /** Roles this role inherits from */
  parents: Array<Role>;
  permittedRoles: Array<Role>;
  /** The SCIM resource as IdentityIQ returned it */
  raw: Scalars['JSON']['output'];
  /** The IdentityIQ id */
  remoteId: Scalars['ID']['output'];
  requiredRoles: Array<Role>;
  type?: Maybe<RoleType>;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
  version?: Maybe<Scalars['String']['output']>;
};


/** An IdentityIQ role (bundle) */
export type RoleChildrenArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** An IdentityIQ role (bundle) */
export type RoleMembersArgs = {
  acquired?: InputMaybe<RoleAcquisition>;
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

/** How a user holds a role: assigned (requested / rule) or detected (IT role found on an account) */
export type RoleAcquisition =
  | 'ASSIGNED'
  | 'DETECTED';

export type RoleConnection = {
  edges: Array<RoleEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type RoleEdge = {
  cursor: Scalars['String']['output'];
  node: Role;
};

/** Conditions on roles; conditions in one object are AND-ed */
export type RoleFilter = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  and?: InputMaybe<Array<RoleFilter>>;
  displayName?: InputMaybe<StringFilter>;
  name?: InputMaybe<StringFilter>;
  not?: InputMaybe<RoleFilter>;
  or?: InputMaybe<Array<RoleFilter>>;
  /** the owner’s User id (global id or IdentityIQ id) */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  /** a parent Role id (global id or IdentityIQ id) */
  parentId?: InputMaybe<Scalars['ID']['input']>;
  /** role type name, e.g. business or it */
  type?: InputMaybe<Scalars['String']['input']>;
};

/** Holders of a role, from the membership index (IdentityIQ cannot list members) */
export type RoleMemberConnection = {
  edges: Array<RoleMemberEdge>;
  /** When the membership index scan that produced this list completed */
  indexedAt: Scalars['DateTime']['output'];
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type RoleMemberEdge = {
  accountName?: Maybe<Scalars['String']['output']>;
  acquired: RoleAcquisition;
  application?: Maybe<Scalars['String']['output']>;
  cursor: Scalars['String']['output'];
  node: User;
};

export type RoleOrder = {
  direction: OrderDirection;
  field: RoleOrderField;
};

export type RoleOrderField =
  | 'CREATED_AT'
  | 'DISPLAY_NAME'
  | 'NAME'
  | 'UPDATED_AT';

/** A role type (IIQ RoleTypeDefinition); the booleans say what roles of this type allow */
export type RoleType = {
  assignmentSelector?: Maybe<Scalars['Boolean']['output']>;
  autoAssignment?: Maybe<Scalars['Boolean']['output']>;
  displayName?: Maybe<Scalars['String']['output']>;
  iiq?: Maybe<Scalars['Boolean']['output']>;
  manualAssignment?: Maybe<Scalars['Boolean']['output']>;
  name: Scalars['String']['output'];
  permits?: Maybe<Scalars['Boolean']['output']>;
  requirements?: Maybe<Scalars['Boolean']['output']>;
};

export type SetUserActiveResult = AttributeValueError | DuplicateUserNameError | InputValidationError | NotFoundError | ReadOnlyAttributeError | SetUserActiveSuccess | UnknownAttributeError | UpstreamRejectedError | UserNameImmutableError | VersionConflictError;

export type SetUserActiveSuccess = {
  user: User;
};

/** Conditions on a string attribute; several conditions are AND-ed. Values are matched literally (never parsed as filter syntax). */
export type StringFilter = {
  contains?: InputMaybe<Scalars['String']['input']>;
  eq?: InputMaybe<Scalars['String']['input']>;
  ne?: InputMaybe<Scalars['String']['input']>;
  /** true: the attribute has a value; false: it has none */
  present?: InputMaybe<Scalars['Boolean']['input']>;
  startsWith?: InputMaybe<Scalars['String']['input']>;
};

export type SyncRun = {
  /** fetched, created, updated, unchanged, deleted, membershipsAdded, membershipsRemoved */
  counts: Scalars['JSON']['output'];
  endedAt?: Maybe<Scalars['DateTime']['output']>;
  error?: Maybe<Scalars['String']['output']>;
  id: Scalars['Int']['output'];
  /** full, incremental, deletions or roles */
  kind: Scalars['String']['output'];
  startedAt: Scalars['DateTime']['output'];
  /** running, succeeded or failed */
  status: Scalars['String']['output'];
};

/** The directory mirror of this connection */
export type SyncStatus = {
  /** age of the mirrored data */
  ageSeconds?: Maybe<Scalars['Int']['output']>;
  enabled: Scalars['Boolean']['output'];
  fullSyncedAt?: Maybe<Scalars['DateTime']['output']>;
  /** the newest change feed cursor */
  lastCursor?: Maybe<Scalars['String']['output']>;
  lastDeletionScanAt?: Maybe<Scalars['DateTime']['output']>;
  lastError?: Maybe<Scalars['String']['output']>;
  lastIncrementalAt?: Maybe<Scalars['DateTime']['output']>;
  lastRolesAt?: Maybe<Scalars['DateTime']['output']>;
  lastRun?: Maybe<SyncRun>;
  memberships: Scalars['Int']['output'];
  roles: Scalars['Int']['output'];
  /** kind of the run in progress */
  running?: Maybe<Scalars['String']['output']>;
  state: MirrorSyncState;
  /** when the mirror last caught up with IdentityIQ */
  syncedAt?: Maybe<Scalars['DateTime']['output']>;
  users: Scalars['Int']['output'];
  /** highest IdentityIQ lastModified mirrored */
  watermark?: Maybe<Scalars['DateTime']['output']>;
};

/** a custom attribute the connection’s discovered User schema (/Schemas) does not have */
export type UnknownAttributeError = MutationError & {
  attribute: Scalars['String']['output'];
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

export type UnlockAccountResult = NotFoundError | UnlockAccountSuccess | UpstreamRejectedError | VersionConflictError;

export type UnlockAccountSuccess = {
  account: Account;
};

/** Only the fields given change */
export type UpdateConnectionInput = {
  /** IIQ attribute names behind the typed User fields */
  attributeMap?: InputMaybe<Scalars['JSON']['input']>;
  auth?: InputMaybe<ConnectionAuthInput>;
  /** SCIM base, e.g. https://iiq.example.com/identityiq/scim/v2 */
  baseUrl?: InputMaybe<Scalars['String']['input']>;
  /** PEM; null clears */
  caBundle?: InputMaybe<Scalars['String']['input']>;
  label?: InputMaybe<Scalars['String']['input']>;
  /** HTTP(S) proxy; null clears */
  proxyUrl?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to an identity; what is not given keeps its value. `attributes` merges by name (null clears one). */
export type UpdateUserInput = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  capabilities?: InputMaybe<Array<Scalars['String']['input']>>;
  displayName?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  familyName?: InputMaybe<Scalars['String']['input']>;
  givenName?: InputMaybe<Scalars['String']['input']>;
  managerId?: InputMaybe<Scalars['ID']['input']>;
  password?: InputMaybe<Scalars['String']['input']>;
  /** userName is immutable in IdentityIQ: a different value is refused (UserNameImmutableError) */
  userName?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateUserResult = AttributeValueError | DuplicateUserNameError | InputValidationError | NotFoundError | ReadOnlyAttributeError | UnknownAttributeError | UpdateUserSuccess | UpstreamRejectedError | UserNameImmutableError | VersionConflictError;

export type UpdateUserSuccess = {
  user: User;
};

export type UpstreamCircuit = {
  /** upstream failures counted since the gateway started */
  failures: Scalars['Int']['output'];
  /** the pause after which an open circuit lets a probe through */
  halfOpenAfterMs: Scalars['Int']['output'];
  /** when the circuit last opened */
  openedAt?: Maybe<Scalars['DateTime']['output']>;
  /** calls refused without reaching IdentityIQ (circuit open or queue full) */
  rejected: Scalars['Int']['output'];
  /** open circuit: seconds until the next probe may go through */
  retryAfterSeconds?: Maybe<Scalars['Int']['output']>;
  state: UpstreamCircuitState;
};

/** The circuit breaker in front of IdentityIQ */
export type UpstreamCircuitState =
  /** calls go through */
  | 'CLOSED'
  /** one probe call is in flight; its outcome closes or reopens the circuit */
  | 'HALF_OPEN'
  /** held open by the gateway */
  | 'ISOLATED'
  /** after repeated failures: calls are refused without reaching IdentityIQ until the pause ends */
  | 'OPEN';

export type UpstreamConcurrency = {
  /** calls to IdentityIQ in flight now */
  active: Scalars['Int']['output'];
  /** calls allowed in flight at once */
  limit: Scalars['Int']['output'];
  /** calls allowed to wait; more are refused */
  queueLimit: Scalars['Int']['output'];
  /** calls waiting for a slot */
  queued: Scalars['Int']['output'];
};

/** IIQ refused the write for another reason (e.g. an invalid reference); upstream details are not exposed */
export type UpstreamRejectedError = MutationError & {
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
  scimType?: Maybe<Scalars['String']['output']>;
  status?: Maybe<Scalars['Int']['output']>;
};

/** The protection in front of this connection's IdentityIQ: circuit breaker and concurrency limit */
export type UpstreamStatus = {
  circuit: UpstreamCircuit;
  concurrency: UpstreamConcurrency;
  /** the linked connection; null in single-connection mode */
  connectionId?: Maybe<Scalars['ID']['output']>;
};

/** An IdentityIQ identity */
export type User = Node & {
  /** The identity’s accounts; the accounts of all users in a list are read in one request */
  accounts: Array<Account>;
  active?: Maybe<Scalars['Boolean']['output']>;
  /** One custom identity attribute by its IdentityIQ name (case-insensitive), typed by the discovered schema (`iiqSchema`): integer/decimal as a number, boolean, dateTime as an ISO-8601 string, identity-typed as an object, multi-valued as a list. A name the schema does not know is a BAD_USER_INPUT error (`reason: UNKNOWN_ATTRIBUTE`, `knownAttributes`). */
  attribute?: Maybe<Scalars['JSON']['output']>;
  /** A single-valued boolean custom attribute */
  attributeBoolean?: Maybe<Scalars['Boolean']['output']>;
  /** A single-valued integer or decimal custom attribute */
  attributeNumber?: Maybe<Scalars['Float']['output']>;
  /** A single-valued, non-identity custom attribute as a string (numbers, booleans and dates in their JSON/ISO-8601 form) */
  attributeString?: Maybe<Scalars['String']['output']>;
  /** A non-identity custom attribute as a list of strings (multi-valued: every value; single-valued: zero or one) */
  attributeStrings: Array<Scalars['String']['output']>;
  /** All custom identity attributes (SailPoint extension), names as configured in IdentityIQ */
  attributes: Scalars['JSON']['output'];
  capabilities: Array<Scalars['String']['output']>;
  costCenters: Array<Scalars['String']['output']>;
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  department?: Maybe<Scalars['String']['output']>;
  /** Identities whose manager this user is, by userName */
  directReports: UserConnection;
  displayName?: Maybe<Scalars['String']['output']>;
  /** The primary (work) email */
  email?: Maybe<Scalars['String']['output']>;
  emails: Array<Email>;
  employeeId?: Maybe<Scalars['String']['output']>;
  /** Entitlements held through the identity’s accounts; for a list of users: one request for their accounts, one for the entitlements */
  entitlements: Array<UserEntitlement>;
  familyName?: Maybe<Scalars['String']['output']>;
  formattedName?: Maybe<Scalars['String']['output']>;
  givenName?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  isManager?: Maybe<Scalars['Boolean']['output']>;
  jobTitle?: Maybe<Scalars['String']['output']>;
  lastRefresh?: Maybe<Scalars['DateTime']['output']>;
  location?: Maybe<Scalars['String']['output']>;
  manager?: Maybe<User>;
  /** The vendor permissions this user's roles grant, from the access mapping (sorted, unique) */
  permissions: Array<Scalars['String']['output']>;
  /** Policy violations of this identity; for a list of users, one request */
  policyViolations: Array<PolicyViolation>;
  /** The SCIM resource as IdentityIQ returned it */
  raw: Scalars['JSON']['output'];
  /** The IdentityIQ id */
  remoteId: Scalars['ID']['output'];
  /** Composite risk score (absent without a scorecard) */
  riskScore?: Maybe<Scalars['Int']['output']>;
  /** Roles held by this user (assigned and detected) */
  roles: UserRoleConnection;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
  userName: Scalars['String']['output'];
  userType?: Maybe<Scalars['String']['output']>;
  /** Weak ETag of the identity */
  version?: Maybe<Scalars['String']['output']>;
};


/** An IdentityIQ identity */
export type UserAttributeArgs = {
  name: Scalars['String']['input'];
};


/** An IdentityIQ identity */
export type UserAttributeBooleanArgs = {
  name: Scalars['String']['input'];
};


/** An IdentityIQ identity */
export type UserAttributeNumberArgs = {
  name: Scalars['String']['input'];
};


/** An IdentityIQ identity */
export type UserAttributeStringArgs = {
  name: Scalars['String']['input'];
};


/** An IdentityIQ identity */
export type UserAttributeStringsArgs = {
  name: Scalars['String']['input'];
};


/** An IdentityIQ identity */
export type UserDirectReportsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** An IdentityIQ identity */
export type UserPolicyViolationsArgs = {
  status?: InputMaybe<PolicyViolationStatus>;
};


/** An IdentityIQ identity */
export type UserRolesArgs = {
  acquired?: InputMaybe<RoleAcquisition>;
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  type?: InputMaybe<Scalars['String']['input']>;
};

export type UserConnection = {
  edges: Array<UserEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type UserEdge = {
  cursor: Scalars['String']['output'];
  node: User;
};

/** An entitlement a user holds, with the account that holds it (alert enrichment: who has what, where) */
export type UserEntitlement = {
  account: Account;
  application?: Maybe<Application>;
  entitlement: Entitlement;
};

/** Conditions on users; conditions in one object are AND-ed */
export type UserFilter = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  and?: InputMaybe<Array<UserFilter>>;
  /** custom identity attributes by name */
  attributes?: InputMaybe<Array<AttributeFilter>>;
  displayName?: InputMaybe<StringFilter>;
  email?: InputMaybe<StringFilter>;
  familyName?: InputMaybe<StringFilter>;
  givenName?: InputMaybe<StringFilter>;
  isManager?: InputMaybe<Scalars['Boolean']['input']>;
  /** the manager’s User id (global id or IdentityIQ id) */
  managerId?: InputMaybe<Scalars['ID']['input']>;
  not?: InputMaybe<UserFilter>;
  or?: InputMaybe<Array<UserFilter>>;
  riskScore?: InputMaybe<IntFilter>;
  /** modified at or after */
  updatedSince?: InputMaybe<Scalars['DateTime']['input']>;
  userName?: InputMaybe<StringFilter>;
};

/** IIQ answered 400 mutability: a userName can't be changed */
export type UserNameImmutableError = MutationError & {
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
  /** the userName the identity keeps */
  userName: Scalars['String']['output'];
};

export type UserOrder = {
  direction: OrderDirection;
  field: UserOrderField;
};

export type UserOrderField =
  | 'CREATED_AT'
  | 'DISPLAY_NAME'
  | 'FAMILY_NAME'
  | 'GIVEN_NAME'
  | 'RISK_SCORE'
  | 'UPDATED_AT'
  | 'USER_NAME';

/** Roles held by a user, with how each is held */
export type UserRoleConnection = {
  edges: Array<UserRoleEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type UserRoleEdge = {
  /** detected roles: the account (native identity) */
  accountName?: Maybe<Scalars['String']['output']>;
  acquired: RoleAcquisition;
  /** detected roles: the application of the account */
  application?: Maybe<Scalars['String']['output']>;
  cursor: Scalars['String']['output'];
  node: Role;
};

/** If-Match failed (HTTP 412): someone else changed the identity */
export type VersionConflictError = MutationError & {
  attempts: Scalars['Int']['output'];
  code: Scalars['String']['output'];
  currentVersion?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  message: Scalars['String']['output'];
};

/** An endpoint that receives the connection's directory changes as signed POSTs (X-IIQ-Graph-Signature) */
export type Webhook = {
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** the change feed position up to which events are queued for it */
  lastCursor: Scalars['String']['output'];
  /** the change types it receives; null: all */
  types?: Maybe<Array<DirectoryChangeType>>;
  url: Scalars['String']['output'];
};

/** One event for one endpoint; every attempt updates it (at least once: dedupe on eventId) */
export type WebhookDelivery = {
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  cursor: Scalars['String']['output'];
  deliveredAt?: Maybe<Scalars['DateTime']['output']>;
  /** why the last attempt failed */
  error?: Maybe<Scalars['String']['output']>;
  /** evt_<cursor>: the body's id, X-IIQ-Graph-Event-Id and Idempotency-Key of every copy */
  eventId: Scalars['String']['output'];
  /** also sent as X-IIQ-Graph-Delivery */
  id: Scalars['ID']['output'];
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** HTTP status of the last attempt */
  responseStatus?: Maybe<Scalars['Int']['output']>;
  status: WebhookDeliveryStatus;
  type: DirectoryChangeType;
  webhookId: Scalars['ID']['output'];
};

export type WebhookDeliveryConnection = {
  edges: Array<WebhookDeliveryEdge>;
  pageInfo: PageInfo;
  /** Number of items in the whole list (all pages) */
  totalCount: Scalars['Int']['output'];
};

export type WebhookDeliveryEdge = {
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

export type WebhookDeliveryStatus =
  /** the endpoint answered 2xx */
  | 'DELIVERED'
  /** gave up after the last attempt (redeliver to try again) */
  | 'FAILED'
  /** queued or backing off before the next attempt */
  | 'PENDING';

export type UsersWithRolesQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type UsersWithRolesQuery = { users: { edges: Array<{ node: { userName: string, roles: { edges: Array<{ acquired: RoleAcquisition, node: { name: string, type?: { name: string } | null } }> } } }> } };

export type UsersWithRoleOwnersQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type UsersWithRoleOwnersQuery = { users: { edges: Array<{ node: { userName: string, roles: { edges: Array<{ acquired: RoleAcquisition, node: { name: string, type?: { name: string } | null, owner?: { userName: string } | null } }> } } }> } };

export type UsersPageQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UserFilter>;
  orderBy?: InputMaybe<UserOrder>;
}>;


export type UsersPageQuery = { users: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ cursor: string, node: { id: string, userName: string } }> } };

export type RoleMembersQueryVariables = Exact<{
  name: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  acquired?: InputMaybe<RoleAcquisition>;
}>;


export type RoleMembersQuery = { role?: { id: string, name: string, members: { totalCount: number, indexedAt: string, pageInfo: { hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ acquired: RoleAcquisition, application?: string | null, accountName?: string | null, node: { userName: string } }> } } | null };


export const UsersWithRolesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsersWithRoles"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userName"}},{"kind":"Field","name":{"kind":"Name","value":"roles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acquired"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<UsersWithRolesQuery, UsersWithRolesQueryVariables>;
export const UsersWithRoleOwnersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsersWithRoleOwners"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userName"}},{"kind":"Field","name":{"kind":"Name","value":"roles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acquired"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userName"}}]}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<UsersWithRoleOwnersQuery, UsersWithRoleOwnersQueryVariables>;
export const UsersPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsersPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UserFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UserOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userName"}}]}}]}}]}}]}}]} as unknown as DocumentNode<UsersPageQuery, UsersPageQueryVariables>;
export const RoleMembersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RoleMembers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"acquired"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RoleAcquisition"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"acquired"},"value":{"kind":"Variable","name":{"kind":"Name","value":"acquired"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"indexedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acquired"}},{"kind":"Field","name":{"kind":"Name","value":"application"}},{"kind":"Field","name":{"kind":"Name","value":"accountName"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userName"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<RoleMembersQuery, RoleMembersQueryVariables>;