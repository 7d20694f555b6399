// Linked accounts: the operations behind the management API (GraphQL, REST), the connect page and the admin
// API. Validates input, encrypts credentials, runs the connection check, keeps the audit trail. Every
// tenant-data operation takes the caller's tenant id; a connection of another tenant is "not found".
import { createHash, randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { z } from 'zod';
import { attributeMapSchema, type AttributeMap } from '../config.ts';
import { createIiqClient } from '../iiq/client.ts';
import type { IiqClientOptions } from '../iiq/types.ts';
import { checkConnection } from './check.ts';
import { OutboundPolicy, UrlPolicyError } from './url-policy.ts';
import { constantTimeEqual, DecryptError, Keyring, MASK } from './secrets.ts';
import {
  connectionSecretSchema,
  type ApiKeyRecord,
  type AuditAction,
  type ConnectionCheck,
  type ConnectionRecord,
  type ConnectionSecret,
  type ConnectionStore,
  type LinkTokenRecord,
  type Tenant,
} from './types.ts';

export type ConnectionErrorCode =
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'LINK_TOKEN_INVALID'
  | 'CONNECTION_REQUIRED'
  | 'CREDENTIALS_UNREADABLE';

const STATUS: Record<ConnectionErrorCode, number> = {
  NOT_FOUND: 404, BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, LINK_TOKEN_INVALID: 401, CONNECTION_REQUIRED: 400,
  CREDENTIALS_UNREADABLE: 503,
};

/** A deliberate, safe-to-show failure of a linked-accounts operation. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly status: number;
  constructor(readonly code: ConnectionErrorCode, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.status = STATUS[code];
  }
}

export const notFound = (what = 'connection') => new ConnectionError('NOT_FOUND', `no such ${what}`);

const httpUrl = (name: string) =>
  z.url({ error: `${name} must be an absolute http(s) URL` }).refine((u) => /^https?:\/\//i.test(u), `${name} must use http or https`);

const authInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('basic'), username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }).strict(),
  z.object({
    kind: z.literal('oauth2'), clientId: z.string().min(1).max(256), clientSecret: z.string().min(1).max(1024),
    tokenUrl: httpUrl('auth.tokenUrl').optional(),
  }).strict(),
], { error: 'auth.kind must be "basic" or "oauth2"' });

const caBundleSchema = z.string().max(200_000).refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), 'caBundle must be PEM (-----BEGIN CERTIFICATE-----)');

export const createConnectionInputSchema = z.object({
  label: z.string().trim().min(1).max(200),
  baseUrl: httpUrl('baseUrl'),
  auth: authInputSchema,
  caBundle: caBundleSchema.nullish(),
  proxyUrl: httpUrl('proxyUrl').nullish(),
  attributeMap: attributeMapSchema.partial().nullish(),
}).strict();
export type CreateConnectionInput = z.input<typeof createConnectionInputSchema>;

export const updateConnectionInputSchema = createConnectionInputSchema.partial().strict();
export type UpdateConnectionInput = z.input<typeof updateConnectionInputSchema>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    // issue messages name fields and rules; zod does not echo input values in them
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
    throw new ConnectionError('BAD_USER_INPUT', `invalid input: ${problems.join('; ')}`, { problems });
  }
  return parsed.data;
}

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};
const hrefOf = (url: string | null) => {
  if (url === null) return null;
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
};

/**
 * Stored credentials never follow a connection to another host: a new base URL origin, or a changed proxy
 * URL (the proxy sees, or can intercept, everything sent), must come with the credentials re-entered.
 * Checked before any probe, so the stored secret is never sent to the new target.
 */
export function assertCredentialsFollow(current: { baseUrl: string; proxyUrl: string | null }, update: UpdateConnectionInput): void {
  if (update.auth !== undefined) return;
  const hostChanged = update.baseUrl !== undefined && originOf(update.baseUrl) !== originOf(current.baseUrl);
  const proxyChanged = update.proxyUrl !== undefined && hrefOf(update.proxyUrl ?? null) !== hrefOf(current.proxyUrl);
  if (hostChanged || proxyChanged) {
    throw new ConnectionError('BAD_USER_INPUT', 're-enter the credentials when the URL changes: the stored ones are never sent to a new host or proxy', {
      problems: [`auth: required when ${hostChanged ? 'baseUrl changes host' : 'proxyUrl changes'}`],
    });
  }
}

/** What APIs show of a connection: credentials masked, never decryptable from the view. */
export interface ConnectionView {
  id: string;
  label: string;
  baseUrl: string;
  auth: { kind: 'basic'; username: string; password: string } | { kind: 'oauth2'; clientId: string; clientSecret: string; tokenUrl: string | null };
  caBundle: string | null;
  proxyUrl: string | null;
  attributeMap: AttributeMap | null;
  status: ConnectionRecord['status'];
  lastCheck: ConnectionCheck | null;
  createdAt: string;
  updatedAt: string;
}

function maskUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = MASK;
    return u.toString();
  } catch {
    return MASK;
  }
}

/** The parts of a connection a client is built from. */
export interface ConnectionTarget {
  baseUrl: string;
  secret: ConnectionSecret;
  caBundle: string | null;
  /** DNS lookup for the client's sockets: refuses addresses IIQ_GRAPH_ALLOWED_HOSTS does not allow (rebinding) */
  lookup?: LookupFunction;
}

export interface LinkTokenIssued {
  token: string;
  /** path of the connect page for this token; prefix with the gateway's public origin */
  url: string;
  expiresAt: string;
  connectionId: string | null;
}

export interface ServiceOptions {
  store: ConnectionStore;
  keyring: Keyring;
  /** base options for every upstream client (pool size, logger) */
  clientDefaults?: Partial<IiqClientOptions>;
  /** called after a connection changed or was deleted (the registry drops its client) */
  onChange?: (connectionId: string) => void | Promise<void>;
  /** link tokens live this long unless asked otherwise (seconds) */
  linkTokenTtlSeconds?: number;
  /** IIQ_GRAPH_ALLOWED_HOSTS (url-policy.ts); default: no allow-list, internal addresses refused */
  urlPolicy?: OutboundPolicy;
}

const API_KEY = /^iiqg_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest();
const id = (prefix: string, bytes = 12) => `${prefix}_${randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x')}`;

export interface Caller {
  tenantId: string;
  /** `api-key:<id>`, `link-token:<id>`, `admin` */
  actor: string;
}

export class ConnectionService {
  readonly store: ConnectionStore;
  private readonly keyring: Keyring;
  private readonly clientDefaults: Partial<IiqClientOptions>;
  private readonly onChange: (connectionId: string) => void | Promise<void>;
  private readonly linkTtl: number;
  readonly urlPolicy: OutboundPolicy;

  constructor(options: ServiceOptions) {
    this.urlPolicy = options.urlPolicy ?? OutboundPolicy.parse(undefined);
    this.store = options.store;
    this.keyring = options.keyring;
    this.clientDefaults = options.clientDefaults ?? {};
    this.onChange = options.onChange ?? (() => {});
    this.linkTtl = options.linkTokenTtlSeconds ?? 900;
  }

  // ---------------------------------------------------------------------------------------------------
  // Tenants and API keys (admin)
  // ---------------------------------------------------------------------------------------------------

  async createTenant(name: unknown): Promise<Tenant> {
    const parsed = parse(z.string().trim().min(1, 'name is required').max(200), name);
    return this.store.createTenant({ id: id('ten', 9), name: parsed, createdAt: new Date().toISOString() });
  }

  /** Returns the key once: only its sha256 is stored. */
  async createApiKey(tenantId: string, label: unknown): Promise<{ id: string; tenantId: string; label: string; key: string; createdAt: string }> {
    if (!(await this.store.getTenant(tenantId))) throw notFound('tenant');
    const parsedLabel = parse(z.string().trim().max(200).default('default'), label ?? undefined);
    const keyId = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
    const secret = randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = { id: keyId, tenantId, label: parsedLabel, hash: sha256(secret).toString('hex'), createdAt: new Date().toISOString(), revokedAt: null };
    await this.store.insertApiKey(record);
    return { id: keyId, tenantId, label: parsedLabel, key: `iiqg_${keyId}_${secret}`, createdAt: record.createdAt };
  }

  /** The tenant of a valid, unrevoked key; null otherwise. Compares hashes in constant time. */
  async authenticateApiKey(key: string): Promise<Caller | null> {
    const m = API_KEY.exec(key);
    if (!m) return null;
    const record = await this.store.findApiKey(m[1]!);
    if (!record || record.revokedAt) return null;
    return constantTimeEqual(sha256(m[2]!), Buffer.from(record.hash, 'hex')) ? { tenantId: record.tenantId, actor: `api-key:${record.id}` } : null;
  }

  // ---------------------------------------------------------------------------------------------------
  // Connections
  // ---------------------------------------------------------------------------------------------------

  /**
   * Decrypts a connection's secret for building its client (never for output); a URL the allow-list no longer
   * allows (IIQ_GRAPH_ALLOWED_HOSTS changed since it was saved) is refused here, before any client exists.
   */
  targetOf(record: ConnectionRecord): ConnectionTarget {
    const target = this.decrypted(record);
    const problem = this.targetProblem(target);
    if (problem) throw new ConnectionError('BAD_USER_INPUT', `this connection's URL is not allowed: ${problem}; update the connection`, { problems: [problem] });
    return target;
  }

  /** the stored target as is (views, updates: a refused URL can still be shown and replaced) */
  private decrypted(record: ConnectionRecord): ConnectionTarget {
    let plaintext: string;
    try {
      plaintext = this.keyring.decrypt(record.secret, record.id);
    } catch (err) {
      // typically a key rotated elsewhere before this gateway got the new IIQ_GRAPH_SECRET_KEY; names the key id only
      if (err instanceof DecryptError) throw new ConnectionError('CREDENTIALS_UNREADABLE', `the stored credentials of this connection cannot be decrypted: ${err.message}`);
      throw err;
    }
    return { baseUrl: record.baseUrl, secret: connectionSecretSchema.parse(JSON.parse(plaintext)), caBundle: record.caBundle, lookup: this.urlPolicy.lookup };
  }

  // ---------------------------------------------------------------------------------------------------
  // Outbound URL policy (IIQ_GRAPH_ALLOWED_HOSTS): base, token and proxy URLs a tenant chose
  // ---------------------------------------------------------------------------------------------------

  private targetUrls(t: { baseUrl: string; secret: ConnectionSecret }): [string, string][] {
    const auth = t.secret.auth;
    return [
      ['baseUrl', t.baseUrl],
      ...(auth.kind === 'oauth2' && auth.tokenUrl ? [['auth.tokenUrl', auth.tokenUrl] as [string, string]] : []),
      ...(t.secret.proxyUrl ? [['proxyUrl', t.secret.proxyUrl] as [string, string]] : []),
    ];
  }

  private targetProblem(t: { baseUrl: string; secret: ConnectionSecret }): string | null {
    for (const [field, url] of this.targetUrls(t)) {
      const p = this.urlPolicy.problem(url, 'connection', field);
      if (p) return p;
    }
    return null;
  }

  /** Before any request leaves: scheme, allow-list, and every DNS answer of each host (BAD_USER_INPUT). */
  async assertTargetAllowed(t: { baseUrl: string; secret: ConnectionSecret }): Promise<void> {
    try {
      for (const [field, url] of this.targetUrls(t)) await this.urlPolicy.assertAllowed(url, 'connection', field);
    } catch (err) {
      if (err instanceof UrlPolicyError) throw new ConnectionError('BAD_USER_INPUT', `invalid input: ${err.message}`, { problems: [err.message] });
      throw err;
    }
  }

  clientOptions(target: ConnectionTarget, overrides: Partial<IiqClientOptions> = {}): IiqClientOptions {
    return {
      ...this.clientDefaults,
      baseUrl: target.baseUrl,
      auth: target.secret.auth,
      ...(target.caBundle ? { tls: { ca: target.caBundle } } : {}),
      ...(target.secret.proxyUrl ? { proxy: target.secret.proxyUrl } : {}),
      ...(target.lookup ? { lookup: target.lookup } : {}),
      ...overrides,
    };
  }

  view(record: ConnectionRecord): ConnectionView {
    let auth: ConnectionView['auth'];
    let proxyUrl: string | null = null;
    try {
      const { secret } = this.decrypted(record);
      auth = secret.auth.kind === 'basic'
        ? { kind: 'basic', username: secret.auth.username, password: MASK }
        : { kind: 'oauth2', clientId: secret.auth.clientId, clientSecret: MASK, tokenUrl: secret.auth.tokenUrl ?? null };
      proxyUrl = secret.proxyUrl ? maskUrlPassword(secret.proxyUrl) : null;
    } catch {
      // undecryptable (key removed from IIQ_GRAPH_SECRET_KEY): still list the connection
      auth = record.authKind === 'basic' ? { kind: 'basic', username: MASK, password: MASK } : { kind: 'oauth2', clientId: MASK, clientSecret: MASK, tokenUrl: null };
    }
    return {
      id: record.id, label: record.label, baseUrl: record.baseUrl, auth, caBundle: record.caBundle, proxyUrl,
      attributeMap: record.attributeMap, status: record.status, lastCheck: record.lastCheck, createdAt: record.createdAt, updatedAt: record.updatedAt,
    };
  }

  async list(caller: Caller): Promise<ConnectionView[]> {
    return (await this.store.listConnections(caller.tenantId)).map((r) => this.view(r));
  }

  async get(caller: Caller, connectionId: string): Promise<ConnectionView> {
    return this.view(await this.record(caller, connectionId));
  }

  async record(caller: Caller, connectionId: string): Promise<ConnectionRecord> {
    const record = await this.store.getConnection(caller.tenantId, connectionId);
    if (!record) throw notFound();
    return record;
  }

  /** Probes a target with a short-lived client (one attempt, short timeouts). */
  async probe(target: ConnectionTarget): Promise<ConnectionCheck> {
    await this.assertTargetAllowed(target);
    const client = createIiqClient(this.clientOptions(target, {
      retry: { maxAttempts: 1, budgetMs: 20_000 },
      timeouts: { connectMs: 5_000, headersMs: 10_000, bodyMs: 10_000 },
    }));
    try {
      return await checkConnection(client, target.baseUrl);
    } finally {
      await client.close();
    }
  }

  /** The check of unsaved input (connect page "Test"). */
  async checkDraft(input: unknown): Promise<ConnectionCheck> {
    const parsed = parse(createConnectionInputSchema.omit({ label: true }).extend({ label: z.string().optional() }), input);
    return this.probe({ baseUrl: parsed.baseUrl, secret: { auth: parsed.auth, proxyUrl: parsed.proxyUrl ?? null }, caBundle: parsed.caBundle ?? null, lookup: this.urlPolicy.lookup });
  }

  async create(caller: Caller, input: unknown): Promise<ConnectionView> {
    const parsed = parse(createConnectionInputSchema, input);
    const secret: ConnectionSecret = { auth: parsed.auth, proxyUrl: parsed.proxyUrl ?? null };
    const check = await this.probe({ baseUrl: parsed.baseUrl, secret, caBundle: parsed.caBundle ?? null, lookup: this.urlPolicy.lookup });
    const connectionId = id('con');
    const at = new Date().toISOString();
    const record: ConnectionRecord = {
      id: connectionId, tenantId: caller.tenantId, label: parsed.label, baseUrl: parsed.baseUrl, authKind: parsed.auth.kind,
      secret: this.keyring.encrypt(JSON.stringify(secret), connectionId), secretKid: this.keyring.current.kid,
      caBundle: parsed.caBundle ?? null, attributeMap: parsed.attributeMap ? attributeMapSchema.parse(parsed.attributeMap) : null,
      status: check.ok ? 'active' : 'failing', lastCheck: check, createdAt: at, updatedAt: at, version: 1,
    };
    await this.store.insertConnection(record);
    await this.audit(caller, connectionId, 'connection.created', { check: check.ok ? 'pass' : 'fail', authKind: parsed.auth.kind });
    return this.view(record);
  }

  async update(caller: Caller, connectionId: string, input: unknown): Promise<ConnectionView> {
    const parsed = parse(updateConnectionInputSchema, input);
    const current = await this.record(caller, connectionId);
    const target = this.decrypted(current);
    assertCredentialsFollow({ baseUrl: current.baseUrl, proxyUrl: target.secret.proxyUrl ?? null }, parsed);
    const secret: ConnectionSecret = {
      auth: parsed.auth ?? target.secret.auth,
      proxyUrl: parsed.proxyUrl === undefined ? target.secret.proxyUrl ?? null : parsed.proxyUrl,
    };
    const next: ConnectionTarget = {
      baseUrl: parsed.baseUrl ?? current.baseUrl,
      secret,
      caBundle: parsed.caBundle === undefined ? current.caBundle : parsed.caBundle,
      lookup: this.urlPolicy.lookup,
    };
    const reaches = parsed.baseUrl !== undefined || parsed.auth !== undefined || parsed.caBundle !== undefined || parsed.proxyUrl !== undefined;
    const check = reaches ? await this.probe(next) : current.lastCheck;
    const updated = await this.store.updateConnection(caller.tenantId, connectionId, {
      ...(parsed.label !== undefined ? { label: parsed.label } : {}),
      ...(parsed.baseUrl !== undefined ? { baseUrl: parsed.baseUrl } : {}),
      ...(parsed.auth || parsed.proxyUrl !== undefined
        ? { authKind: secret.auth.kind, secret: this.keyring.encrypt(JSON.stringify(secret), connectionId), secretKid: this.keyring.current.kid }
        : {}),
      ...(parsed.caBundle !== undefined ? { caBundle: parsed.caBundle } : {}),
      ...(parsed.attributeMap !== undefined ? { attributeMap: parsed.attributeMap ? attributeMapSchema.parse(parsed.attributeMap) : null } : {}),
      ...(reaches && check ? { lastCheck: check, status: check.ok ? 'active' as const : 'failing' as const } : {}),
    }, new Date().toISOString());
    if (!updated) throw notFound();
    // a new label keeps the live client, caches and membership index; anything the client is built from drops them
    if (reaches || parsed.attributeMap !== undefined) await this.onChange(connectionId);
    await this.audit(caller, connectionId, 'connection.updated', {
      fields: Object.keys(parsed).sort(), ...(reaches && check ? { check: check.ok ? 'pass' : 'fail' } : {}),
    });
    return this.view(updated);
  }

  async delete(caller: Caller, connectionId: string): Promise<void> {
    if (!(await this.store.deleteConnection(caller.tenantId, connectionId))) throw notFound();
    await this.onChange(connectionId);
    await this.audit(caller, connectionId, 'connection.deleted', {});
  }

  /** Re-runs the check of a saved connection and stores the result. */
  async test(caller: Caller, connectionId: string): Promise<ConnectionCheck> {
    const record = await this.record(caller, connectionId);
    const check = await this.probe(this.targetOf(record));
    // no onChange: the target is unchanged, so the registry keeps its client, caches and membership index
    await this.store.updateConnection(caller.tenantId, connectionId, { lastCheck: check, status: check.ok ? 'active' : 'failing' }, new Date().toISOString());
    await this.audit(caller, connectionId, 'connection.tested', { check: check.ok ? 'pass' : 'fail' });
    return check;
  }

  private audit(caller: Caller, connectionId: string | null, action: AuditAction, details: Record<string, unknown>) {
    return this.store.appendAudit({ tenantId: caller.tenantId, connectionId, action, actor: caller.actor, at: new Date().toISOString(), details });
  }

  // ---------------------------------------------------------------------------------------------------
  // Link tokens: `lt1.<payload>.<hmac>`, signed with a subkey of the current secret key, single use
  // ---------------------------------------------------------------------------------------------------

  async createLinkToken(caller: Caller, input: { connectionId?: string | null | undefined; ttlSeconds?: number | null | undefined } = {}): Promise<LinkTokenIssued> {
    const ttl = parse(z.number().int().min(60).max(86_400).default(this.linkTtl), input.ttlSeconds ?? undefined);
    const connectionId = input.connectionId ?? null;
    if (connectionId) await this.record(caller, connectionId); // another tenant's connection: not found
    const jti = randomBytes(16).toString('base64url');
    const now = Date.now();
    const expiresAt = new Date(now + ttl * 1000).toISOString();
    const record: LinkTokenRecord = { id: jti, tenantId: caller.tenantId, connectionId, expiresAt, usedAt: null, createdAt: new Date(now).toISOString() };
    await this.store.insertLinkToken(record);
    const kid = this.keyring.current.kid;
    const payload = Buffer.from(JSON.stringify({ jti, tid: caller.tenantId, cid: connectionId, exp: Math.floor((now + ttl * 1000) / 1000), kid })).toString('base64url');
    const sig = this.keyring.hmac(kid, 'link-token', payload)!.toString('base64url');
    const token = `lt1.${payload}.${sig}`;
    await this.audit(caller, connectionId, 'connection.linked', { linkToken: jti, event: 'token-created', expiresAt });
    return { token, url: `/connect?token=${encodeURIComponent(token)}`, expiresAt, connectionId };
  }

  /** Verifies signature, expiry and that the token is unused; does not consume it. */
  async verifyLinkToken(token: unknown): Promise<LinkTokenRecord> {
    const invalid = new ConnectionError('LINK_TOKEN_INVALID', 'this link is invalid, expired or already used; ask for a new one');
    if (typeof token !== 'string' || token.length > 2048) throw invalid;
    const [version, payload, sig, extra] = token.split('.');
    if (version !== 'lt1' || !payload || !sig || extra !== undefined) throw invalid;
    let claims: { jti?: unknown; tid?: unknown; exp?: unknown; kid?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw invalid;
    }
    if (typeof claims.kid !== 'string' || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') throw invalid;
    const expected = this.keyring.hmac(claims.kid, 'link-token', payload);
    if (!expected || !constantTimeEqual(expected, Buffer.from(sig, 'base64url'))) throw invalid;
    if (claims.exp * 1000 <= Date.now()) throw invalid;
    const record = await this.store.getLinkToken(claims.jti);
    if (!record || record.usedAt || record.tenantId !== claims.tid || Date.parse(record.expiresAt) <= Date.now()) throw invalid;
    return record;
  }

  /** Connect page "Save": consumes the token, then creates (or re-links) the connection. */
  async redeemLinkToken(token: unknown, input: unknown): Promise<ConnectionView> {
    const record = await this.verifyLinkToken(token);
    const caller: Caller = { tenantId: record.tenantId, actor: `link-token:${record.id}` };
    // validate before consuming, so a typo does not burn the link
    const parsed = record.connectionId ? parse(updateConnectionInputSchema, input) : parse(createConnectionInputSchema, input);
    if (record.connectionId) {
      const current = await this.record(caller, record.connectionId);
      const stored = this.decrypted(current);
      assertCredentialsFollow({ baseUrl: current.baseUrl, proxyUrl: stored.secret.proxyUrl ?? null }, parsed);
      await this.assertTargetAllowed({
        baseUrl: parsed.baseUrl ?? current.baseUrl,
        secret: { auth: parsed.auth ?? stored.secret.auth, proxyUrl: parsed.proxyUrl === undefined ? stored.secret.proxyUrl ?? null : parsed.proxyUrl },
      });
    } else {
      const created = parsed as CreateConnectionInput & { auth: ConnectionSecret['auth'] };
      await this.assertTargetAllowed({ baseUrl: created.baseUrl, secret: { auth: created.auth, proxyUrl: created.proxyUrl ?? null } });
    }
    if (!(await this.store.consumeLinkToken(record.id, new Date().toISOString()))) {
      throw new ConnectionError('LINK_TOKEN_INVALID', 'this link is invalid, expired or already used; ask for a new one');
    }
    return record.connectionId ? this.update(caller, record.connectionId, parsed) : this.create(caller, parsed);
  }
}
