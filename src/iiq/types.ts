// Public contract of the IdentityIQ SCIM client. Everything outside src/iiq/ talks to IIQ through these
// types only: SCIM wire names (URNs, `name.givenName`, `Resources`, ...) stay inside src/iiq/.
import type { LookupFunction } from 'node:net';
import type { Dispatcher } from 'undici';
import type { FilterNode } from './filter.ts';
import type { IiqResourceClient } from './resource-types.ts';

// ---------------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------------

export type IiqAuth =
  | { kind: 'basic'; username: string; password: string }
  /** OAuth2 client credentials; tokenUrl defaults to `{origin}{contextRoot}/oauth2/token`. */
  | { kind: 'oauth2'; clientId: string; clientSecret: string; tokenUrl?: string };

export interface IiqClientOptions {
  /** e.g. https://iiq.corp.local:8443/identityiq/scim/v2 (trailing slash tolerated). */
  baseUrl: string;
  auth: IiqAuth;
  tls?: {
    /** PEM CA bundle(s) trusted in addition to (not instead of) nothing: when set, only these are trusted. */
    ca?: string | string[];
    /** Explicit, loudly logged opt-out of certificate verification. */
    rejectUnauthorized?: boolean;
  };
  /** HTTP(S) proxy URL; when absent HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment are honoured. */
  proxy?: string | null;
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  retry?: {
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** cap applied to Retry-After */
    maxRetryAfterMs?: number;
    /** total time budget for one logical call including retries */
    budgetMs?: number;
  };
  maxConnections?: number;
  /** default page size for iterators; clamped to the server's maxResults */
  pageSize?: number;
  /** inject a dispatcher (tests); otherwise a Pool / ProxyAgent is built */
  dispatcher?: Dispatcher;
  /**
   * Observer of retries: called once per repeated attempt, before its pause, with why (a retryable status,
   * a timeout, a connection error, a bearer token renewed after 401). Also published on the diagnostics channel
   * IIQ_RETRY_CHANNEL (src/iiq/http.ts). An observer that throws is ignored.
   */
  onRetry?: (event: IiqRetryEvent) => void;
  /** DNS lookup for the client's sockets (linked accounts: refuses addresses IIQ_GRAPH_ALLOWED_HOSTS does not allow) */
  lookup?: LookupFunction;
  /** a pino-compatible logger; defaults to silent */
  logger?: IiqLogger;
  /**
   * How getUserByName finds a user: 'filter' (default; `userName eq "…"`, works on every IIQ version) or
   * 'lookupByName' (`GET /Users/{name}?lookupByName=true`, IIQ 8.x; names with `/` or `\` still use the filter).
   */
  userNameLookup?: 'filter' | 'lookupByName';
  /** User-Agent sent upstream (default `iiq-graph`); a per-call `requestId` is sent as X-Request-Id */
  userAgent?: string;
}

export interface IiqLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Per-call options accepted by every method. */
export interface CallOptions {
  signal?: AbortSignal;
  requestId?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Models (wire-independent)
// ---------------------------------------------------------------------------------------------------------

export interface IdentityRef {
  id: string;
  displayName: string | null;
}

export type RoleAcquired = 'Assigned' | 'Detected';

/** A role held by a user. IIQ only returns these when asked for by full URN. */
export interface IiqRoleAssignment {
  /** from the end of `$ref`, not from `value` */
  roleId: string;
  roleDisplayName: string | null;
  roleType: string | null;
  acquired: RoleAcquired;
  application: string | null;
  accountName: string | null;
}

export interface IiqEntitlementAssignment {
  entitlementId: string | null;
  attribute: string;
  value: string | null;
  type: string | null;
  application: string | null;
  accountName: string | null;
}

export interface IiqUser {
  id: string;
  userName: string;
  displayName: string | null;
  formattedName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  emails: { value: string; type: string | null; primary: boolean }[];
  active: boolean | null;
  userType: string | null;
  manager: IdentityRef | null;
  isManager: boolean | null;
  riskScore: number | null;
  capabilities: string[];
  lastRefresh: string | null;
  administrator: IdentityRef | null;
  accounts: { id: string; displayName: string | null }[];
  /** present only when requested (includeRoles) */
  roles: IiqRoleAssignment[] | null;
  /** present only when requested (includeEntitlements) */
  entitlements: IiqEntitlementAssignment[] | null;
  /** custom identity attributes of the SailPoint extension, case preserved; identity-typed ones as IdentityRef|null */
  customAttributes: Record<string, unknown>;
  created: string | null;
  lastModified: string | null;
  /** weak ETag, e.g. W/"1714637564518" */
  version: string | null;
  /** the validated upstream JSON as received */
  raw: Record<string, unknown>;
}

export interface IiqRoleType {
  name: string;
  displayName: string | null;
  manualAssignment: boolean | null;
  autoAssignment: boolean | null;
  assignmentSelector: boolean | null;
  iiq: boolean | null;
  permits: boolean | null;
  requirements: boolean | null;
}

export interface IiqRole {
  id: string;
  name: string;
  displayName: string | null;
  descriptions: { locale: string | null; value: string }[];
  type: IiqRoleType | null;
  active: boolean | null;
  owner: IdentityRef | null;
  /** `inheritance` */
  parentIds: string[];
  /** `requirements` */
  requiredRoleIds: string[];
  /** `permits` */
  permittedRoleIds: string[];
  activationDate: string | null;
  deactivationDate: string | null;
  created: string | null;
  lastModified: string | null;
  version: string | null;
  raw: Record<string, unknown>;
}

export interface IiqServiceProviderConfig {
  maxResults: number;
  filterSupported: boolean;
  sortSupported: boolean;
  etagSupported: boolean;
  patchSupported: boolean;
  authenticationSchemes: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------------------

/** Logical user fields; the client maps them to SCIM attribute paths. `custom:<name>` names an extension attribute. */
export type UserField =
  | 'userName' | 'displayName' | 'formattedName' | 'givenName' | 'familyName' | 'email' | 'active' | 'userType'
  | 'managerId' | 'managerDisplayName' | 'isManager' | 'riskScore' | 'capabilities' | 'lastRefresh'
  | 'created' | 'lastModified' | `custom:${string}`;

export type RoleField =
  | 'name' | 'displayName' | 'active' | 'type' | 'ownerId' | 'ownerDisplayName' | 'parentId' | 'requiredRoleId'
  | 'permittedRoleId' | 'created' | 'lastModified';

export type SortOrder = 'ascending' | 'descending';

export interface UserQuery {
  filter?: FilterNode<UserField>;
  /** always sent upstream; default userName ascending */
  sort?: { by: UserField; order?: SortOrder };
  /** 1-based (RFC 7644 §3.4.2.4) */
  startIndex?: number;
  count?: number;
  /**
   * Which user attributes to ask for. undefined = IIQ's defaults. The client always adds what it needs
   * to build an IiqUser (id, userName). Pushdown: ask only for what the caller selects.
   */
  fields?: UserField[] | 'default';
  includeRoles?: boolean;
  includeEntitlements?: boolean;
  /** SCIM `excludedAttributes`; only used when `fields` is undefined/'default' and no roles/entitlements are asked for */
  excludedFields?: UserField[];
}

export interface RoleQuery {
  filter?: FilterNode<RoleField>;
  sort?: { by: RoleField; order?: SortOrder };
  startIndex?: number;
  count?: number;
}

export interface Page<T> {
  totalResults: number;
  startIndex: number;
  items: T[];
}

export interface IterateOptions {
  pageSize?: number;
  /** 1 = sequential; K > 1 = first page, then remaining windows K at a time, yielded in order */
  concurrency?: number;
}

export interface UserLookupOptions extends CallOptions {
  fields?: UserField[] | 'default';
  includeRoles?: boolean;
  includeEntitlements?: boolean;
  /** conditional GET; resolves to { notModified: true } on 304 */
  ifNoneMatch?: string;
}

/** Body for create / replace, in the client's words. Read-only fields are not accepted. */
export interface IiqUserInput {
  userName: string;
  displayName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  email?: string | null;
  active?: boolean;
  password?: string;
  managerId?: string | null;
  capabilities?: string[];
  customAttributes?: Record<string, unknown>;
}

export type NotModified = { notModified: true };

/** Users and roles here; Accounts, Applications, Entitlements, PolicyViolations, discovery in resource-types.ts. */
/** One retry of a request to IIQ (see IiqClientOptions.onRetry). */
export interface IiqRetryEvent {
  operation: string;
  method: string;
  reason: 'status' | 'timeout' | 'connection' | 'token_renewal';
  /** the attempt that failed (1 = the first) */
  attempt: number;
  /** HTTP status of the failed attempt (reason status / token_renewal) */
  status?: number;
  /** transport error code (reason timeout / connection) */
  code?: string;
  /** pause before the next attempt */
  delayMs: number;
}

/** undici's Pool.stats of one upstream origin (https://undici.nodejs.org/#/docs/api/PoolStats). */
export interface IiqPoolStats {
  origin: string;
  /** sockets connected */
  connected: number;
  /** connected sockets not serving a request */
  free: number;
  /** requests waiting for a socket */
  pending: number;
  /** requests queued on sockets (pipelining) */
  queued: number;
  /** requests being served */
  running: number;
  /** pending + queued + running */
  size: number;
}

export interface IiqClient extends IiqResourceClient {
  readonly baseUrl: string;
  /** undici pool stats per origin, read now (empty behind an HTTP proxy or an injected dispatcher) */
  poolStats?(): IiqPoolStats[];
  serviceProviderConfig(opts?: CallOptions): Promise<IiqServiceProviderConfig>;
  /**
   * The User attributes IIQ returns by default, read once from /Schemas (needed to ask for roles or entitlements
   * along with the default attributes); `app.ready()` reads them so no query pays for it. Clients without
   * discovery (the mirror) omit it.
   */
  userSchemaAttributes?(opts?: CallOptions): Promise<string[]>;

  listUsers(query: UserQuery, opts?: CallOptions): Promise<Page<IiqUser>>;
  /** totals only (count=0) */
  countUsers(filter?: FilterNode<UserField>, opts?: CallOptions): Promise<number>;
  iterateUsers(query: Omit<UserQuery, 'startIndex' | 'count'>, iter?: IterateOptions, opts?: CallOptions): AsyncIterable<IiqUser>;
  /** null when not found */
  getUser(id: string, opts?: UserLookupOptions): Promise<IiqUser | null | NotModified>;
  getUserByName(userName: string, opts?: UserLookupOptions): Promise<IiqUser | null>;
  /** results in key order, null per missing id; batched (filter on id when supported, else bounded-parallel GETs) */
  getUsersByIds(ids: readonly string[], opts?: UserLookupOptions): Promise<(IiqUser | null)[]>;
  /** results in key order, null per missing name; batched with anyOf('userName', ...) filters */
  getUsersByNames(userNames: readonly string[], opts?: UserLookupOptions): Promise<(IiqUser | null)[]>;

  createUser(input: IiqUserInput, opts?: CallOptions): Promise<IiqUser>;
  replaceUser(id: string, input: IiqUserInput, opts?: CallOptions & { ifMatch?: string }): Promise<IiqUser>;
  deleteUser(id: string, opts?: CallOptions & { ifMatch?: string }): Promise<void>;

  listRoles(query: RoleQuery, opts?: CallOptions): Promise<Page<IiqRole>>;
  getRole(id: string, opts?: CallOptions): Promise<IiqRole | null>;
  getRoleByName(name: string, opts?: CallOptions): Promise<IiqRole | null>;
  /** the whole role catalog, paged upstream, sorted by name */
  listAllRoles(opts?: CallOptions & IterateOptions): Promise<IiqRole[]>;

  close(): Promise<void>;
}
