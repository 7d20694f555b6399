// Records of the linked-accounts store. Secrets appear here only as ciphertext envelopes (see secrets.ts).
import { z } from 'zod';
import { attributeMapSchema, type AttributeMap } from '../config.ts';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  label: string;
  /** sha256 (hex) of the secret part; the key itself is shown once and never stored */
  hash: string;
  createdAt: string;
  revokedAt: string | null;
}

export type AuthKind = 'basic' | 'oauth2';
export type ConnectionStatus = 'active' | 'failing' | 'unchecked';

export interface ConnectionRecord {
  id: string;
  tenantId: string;
  label: string;
  baseUrl: string;
  authKind: AuthKind;
  /** encrypted ConnectionSecret (secrets.ts envelope, AAD = connection id) */
  secret: string;
  /** key id the secret is encrypted under (mirrors the envelope; lets rotation find old rows) */
  secretKid: string;
  caBundle: string | null;
  attributeMap: AttributeMap | null;
  status: ConnectionStatus;
  lastCheck: ConnectionCheck | null;
  createdAt: string;
  updatedAt: string;
  /** bumped on every change; the registry rebuilds a connection whose version moved */
  version: number;
}

/** The decrypted secret part of a connection. */
export const connectionSecretSchema = z.object({
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }),
    z.object({ kind: z.literal('oauth2'), clientId: z.string().min(1), clientSecret: z.string().min(1), tokenUrl: z.url().optional() }),
  ]),
  /** may hold proxy credentials, hence encrypted */
  proxyUrl: z.url().nullable().optional(),
});
export type ConnectionSecret = z.infer<typeof connectionSecretSchema>;

export type CheckStepName = 'reachable' | 'tls' | 'serviceProviderConfig' | 'credentials' | 'users' | 'roles';
export type CheckStepStatus = 'pass' | 'fail' | 'skip';

export interface CheckStep {
  name: CheckStepName;
  status: CheckStepStatus;
  message: string;
  /** upstream HTTP status or transport code */
  code?: string | undefined;
}

export interface ConnectionCheck {
  ok: boolean;
  checkedAt: string;
  durationMs: number;
  steps: CheckStep[];
  serviceProvider: { maxResults: number; authenticationSchemes: string[]; filterSupported: boolean; sortSupported: boolean } | null;
  users: { total: number } | null;
  roles: { total: number } | null;
}

export interface LinkTokenRecord {
  id: string;
  tenantId: string;
  /** set when the token re-links an existing connection */
  connectionId: string | null;
  expiresAt: string;
  usedAt: string | null;
  createdAt: string;
}

export type AuditAction = 'connection.created' | 'connection.updated' | 'connection.deleted' | 'connection.tested' | 'connection.linked' | 'secrets.rotated';

export interface AuditEvent {
  id: number;
  tenantId: string;
  connectionId: string | null;
  action: AuditAction;
  /** `api-key:<id>`, `link-token:<id>`, `admin`, `rotate` */
  actor: string;
  at: string;
  /** never secrets: field names changed, check outcome */
  details: Record<string, unknown>;
}

export interface ConnectionPatch {
  label?: string;
  baseUrl?: string;
  authKind?: AuthKind;
  secret?: string;
  secretKid?: string;
  caBundle?: string | null;
  attributeMap?: AttributeMap | null;
  status?: ConnectionStatus;
  lastCheck?: ConnectionCheck | null;
}

/** One async interface over SQLite and PostgreSQL. Reads of tenant data always take the tenant id. */
export interface ConnectionStore {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<number>;
  close(): Promise<void>;

  createTenant(tenant: Tenant): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | null>;
  listTenants(): Promise<Tenant[]>;

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  /** by key id, any tenant: the caller verifies the hash */
  findApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(tenantId: string, id: string, at: string): Promise<boolean>;

  insertConnection(conn: ConnectionRecord): Promise<void>;
  getConnection(tenantId: string, id: string): Promise<ConnectionRecord | null>;
  listConnections(tenantId: string): Promise<ConnectionRecord[]>;
  /** returns the updated record, null when there is no such connection of that tenant */
  updateConnection(tenantId: string, id: string, patch: ConnectionPatch, at: string): Promise<ConnectionRecord | null>;
  deleteConnection(tenantId: string, id: string): Promise<boolean>;
  /** every connection of every tenant (rotation) */
  allConnections(): Promise<ConnectionRecord[]>;

  insertLinkToken(token: LinkTokenRecord): Promise<void>;
  getLinkToken(id: string): Promise<LinkTokenRecord | null>;
  /** marks a token used; false if already used, expired or unknown (atomic: single use under concurrency) */
  consumeLinkToken(id: string, at: string): Promise<boolean>;

  appendAudit(event: Omit<AuditEvent, 'id'>): Promise<void>;
  listAudit(tenantId: string, connectionId?: string): Promise<AuditEvent[]>;
}

export { attributeMapSchema };
