// Public types of the IIQ SCIM simulator. The simulator never imports from src/: it is written independently
// of the client so that a bug shared by both cannot make the tests pass.

export type LatencyProfile = 'zero' | 'realistic';

export interface SimulatorOptions {
  /** number of identities (default 2000; scales to 100_000). The fixed demo identities are always included. */
  users?: number;
  /** same seed => same data and the same ids (default 42) */
  seed?: number;
  /** 'zero' (default, no latency, unlimited concurrency) or 'realistic' (30 ms + 1 ms/item, 16 concurrent) */
  profile?: LatencyProfile;
  /** overrides the profile's latency */
  latency?: { baseMs?: number; perItemMs?: number; perItemRolesMs?: number };
  /** requests served at once; beyond it requests wait in a FIFO queue */
  maxConcurrent?: number;
  /** default '/identityiq' -> SCIM at /identityiq/scim/v2, OAuth at /identityiq/oauth2/token */
  contextRoot?: string;
  /** default spadmin / admin */
  basic?: { username: string; password: string };
  /** default clientId 'iiq-graph', secret 'iiq-graph-secret', 1200 s */
  oauth?: { clientId: string; clientSecret: string; tokenTtlSeconds?: number };
  /** scimSearchMaxResults, default 1000 */
  maxResults?: number;
  /** whether `id` can be used in filters and sortBy (unknown on 8.x; 7.2: no -> 400 invalidFilter). Default false */
  idFilterable?: boolean;
  /** enables the admin endpoint under `/__admin` (outside the SCIM path). Default false */
  admin?: boolean;
  /** serve HTTPS instead of HTTP */
  tls?: { key: string; cert: string };
}

export interface Simulator {
  listen(port?: number, host?: string): Promise<{ url: string; baseUrl: string; port: number }>;
  close(): Promise<void>;
  readonly url: string;
  readonly baseUrl: string;
  readonly data: SimulatorData;
  readonly faults: { inject(spec: FaultSpec): void; clear(): void };
  readonly requests: {
    list(): RequestRecord[];
    count(match?: { method?: string; path?: string | RegExp }): number;
    reset(): void;
  };
}

export interface RequestRecord {
  method: string;
  /** relative to the SCIM base ('/Users', '/Users/<id>'); the token endpoint is '/oauth2/token' */
  path: string;
  query: Record<string, string>;
  /** 0 when the connection was reset without a response */
  status: number;
  at: number;
}

export type FaultType = 'status' | 'rateLimit' | 'delay' | 'reset' | 'truncate' | 'invalidJson' | 'badSchema';

export interface FaultSpec {
  type: FaultType;
  status?: number;
  retryAfter?: string;
  delayMs?: number;
  times?: number;
  rate?: number;
  method?: string;
  pathPrefix?: string;
}

export type RoleAcquired = 'Assigned' | 'Detected';

export interface SimRoleAssignment {
  roleId: string;
  acquired: RoleAcquired;
  /** detected roles only: the application and account the role was detected on */
  application?: string;
  accountName?: string;
}

export interface SimAccountRef {
  accountId: string;
  applicationId: string;
  application: string;
  nativeIdentity: string;
}

export interface SimUser {
  id: string;
  userName: string;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  active: boolean;
  userType: string | null;
  externalId: string | null;
  managerId: string | null;
  /** read-only in SCIM: true when the identity has direct reports */
  isManager: boolean;
  riskScore: number | null;
  lastRefresh: number | null;
  capabilities: string[];
  /** the RPA/service identity's administrator (8.x); null for people */
  administratorId: string | null;
  department: string | null;
  costcenter: string[];
  jobtitle: string | null;
  location: string | null;
  region: string | null;
  empId: string | null;
  locationOwner: string | null;
  regionOwner: string | null;
  roles: SimRoleAssignment[];
  accounts: SimAccountRef[];
  /** never returned by SCIM; lets created identities authenticate when they hold a SCIM capability */
  password: string | null;
  created: number;
  lastModified: number;
}

export type SimRoleType = 'organizational' | 'business' | 'it';

export interface SimRole {
  id: string;
  name: string;
  displayableName: string;
  description: string | null;
  type: SimRoleType;
  active: boolean;
  ownerId: string | null;
  parentIds: string[];
  requirementIds: string[];
  permitIds: string[];
  /** IT roles: the entitlements whose presence on an account makes IIQ detect the role */
  profile: { applicationId: string; attribute: string; value: string }[];
  classifications: string[];
  created: number;
  lastModified: number;
}

export interface SimApplication {
  id: string;
  name: string;
  type: string;
  description: string;
  ownerId: string | null;
  provisionable: boolean;
  features: string[];
  /** the account attribute that holds entitlements, e.g. memberOf */
  entitlementAttribute: string;
  created: number;
  lastModified: number;
}

export interface SimEntitlement {
  id: string;
  applicationId: string;
  attribute: string;
  value: string;
  displayableName: string;
  type: 'Entitlement' | 'Permission';
  requestable: boolean;
  ownerId: string | null;
  description: string;
  created: number;
  lastModified: number;
}

export interface SimAccount {
  id: string;
  identityId: string;
  applicationId: string;
  nativeIdentity: string;
  displayName: string;
  uuid: string | null;
  active: boolean;
  locked: boolean;
  manuallyCorrelated: boolean;
  entitlements: { attribute: string; value: string }[];
  password: string | null;
  lastRefresh: number;
  created: number;
  lastModified: number;
}

export interface SimPolicyViolation {
  id: string;
  policyName: string;
  constraintName: string;
  description: string;
  status: 'Open' | 'Mitigated' | 'Remediated' | 'Delegated';
  ownerId: string | null;
  identityId: string;
  created: number;
  lastModified: number;
}

export interface SimWorkflow {
  id: string;
  name: string;
  description: string;
  type: string;
  created: number;
  lastModified: number;
}

export interface SimTaskResult {
  id: string;
  name: string;
  type: string;
  targetName: string | null;
  completionStatus: 'Success' | 'Warning' | 'Error';
  completed: number;
  launched: number;
  launcher: string;
  expiration: number | null;
  verified: number | null;
  messages: string[];
  created: number;
  lastModified: number;
}

/** IIQ workgroups are Identity objects too, but never visible on /Users (GET by id -> 404); they can own things */
export interface SimWorkgroup {
  id: string;
  name: string;
  description: string;
}

export interface SimulatorData {
  /** current users (reflects writes); order not significant */
  readonly users: SimUser[];
  readonly roles: SimRole[];
  readonly accounts: SimAccount[];
  readonly applications: SimApplication[];
  readonly entitlements: SimEntitlement[];
  readonly policyViolations: SimPolicyViolation[];
  readonly workflows: SimWorkflow[];
  readonly taskResults: SimTaskResult[];
  readonly workgroups: SimWorkgroup[];
  userById(id: string): SimUser | undefined;
  userByName(userName: string): SimUser | undefined;
  roleById(id: string): SimRole | undefined;
  roleByName(name: string): SimRole | undefined;
  accountById(id: string): SimAccount | undefined;
  applicationById(id: string): SimApplication | undefined;
  applicationByName(name: string): SimApplication | undefined;
  entitlementById(id: string): SimEntitlement | undefined;
}
