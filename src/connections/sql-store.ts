// The store over SQL, shared by SQLite (better-sqlite3) and PostgreSQL (pg): one set of statements written in
// the common subset (TEXT / INTEGER, `?` placeholders rewritten to `$n` for PostgreSQL), one migration list.
import type { AttributeMap } from '../config.ts';
import type {
  ApiKeyRecord,
  AuditEvent,
  ConnectionCheck,
  ConnectionPatch,
  ConnectionRecord,
  ConnectionStore,
  LinkTokenRecord,
  Tenant,
} from './types.ts';

export type Row = Record<string, unknown>;

/** The little a store needs from a database. */
export interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  /** returns the number of rows changed */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** runs fn in one transaction holding the migration lock */
  migrationTransaction<T>(fn: (tx: Pick<SqlDriver, 'all' | 'run'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const AUTO_ID = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' } as const;

/** Versioned, append-only; each entry runs once, in order, inside a transaction. Never edit an applied one. */
export const MIGRATIONS: { version: number; name: string; sql: string[] }[] = [
  {
    version: 1,
    name: 'tenants, api keys, connections, link tokens, audit',
    sql: [
      `CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)`,
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        label TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
      `CREATE INDEX api_keys_tenant ON api_keys (tenant_id)`,
      `CREATE TABLE connections (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        label TEXT NOT NULL, base_url TEXT NOT NULL, auth_kind TEXT NOT NULL,
        secret TEXT NOT NULL, secret_kid TEXT NOT NULL, ca_bundle TEXT, attribute_map TEXT,
        status TEXT NOT NULL, last_check TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        version INTEGER NOT NULL)`,
      `CREATE INDEX connections_tenant ON connections (tenant_id)`,
      `CREATE TABLE link_tokens (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        connection_id TEXT, expires_at TEXT NOT NULL, used_at TEXT, created_at TEXT NOT NULL)`,
      `CREATE TABLE audit_events (
        id {{AUTO_ID}}, tenant_id TEXT NOT NULL, connection_id TEXT, action TEXT NOT NULL,
        actor TEXT NOT NULL, at TEXT NOT NULL, details TEXT NOT NULL)`,
      `CREATE INDEX audit_events_tenant ON audit_events (tenant_id, connection_id)`,
    ],
  },
];

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

function toTenant(r: Row): Tenant {
  return { id: str(r.id), name: str(r.name), createdAt: str(r.created_at) };
}
function toApiKey(r: Row): ApiKeyRecord {
  return { id: str(r.id), tenantId: str(r.tenant_id), label: str(r.label), hash: str(r.hash), createdAt: str(r.created_at), revokedAt: strOrNull(r.revoked_at) };
}
function toConnection(r: Row): ConnectionRecord {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    label: str(r.label),
    baseUrl: str(r.base_url),
    authKind: str(r.auth_kind) as ConnectionRecord['authKind'],
    secret: str(r.secret),
    secretKid: str(r.secret_kid),
    caBundle: strOrNull(r.ca_bundle),
    attributeMap: json<AttributeMap>(r.attribute_map),
    status: str(r.status) as ConnectionRecord['status'],
    lastCheck: json<ConnectionCheck>(r.last_check),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
    version: Number(r.version),
  };
}
function toLinkToken(r: Row): LinkTokenRecord {
  return {
    id: str(r.id), tenantId: str(r.tenant_id), connectionId: strOrNull(r.connection_id),
    expiresAt: str(r.expires_at), usedAt: strOrNull(r.used_at), createdAt: str(r.created_at),
  };
}

const PATCH_COLUMNS: Record<keyof ConnectionPatch, [column: string, encode: (v: unknown) => unknown]> = {
  label: ['label', (v) => v],
  baseUrl: ['base_url', (v) => v],
  authKind: ['auth_kind', (v) => v],
  secret: ['secret', (v) => v],
  secretKid: ['secret_kid', (v) => v],
  caBundle: ['ca_bundle', (v) => v],
  attributeMap: ['attribute_map', (v) => (v === null ? null : JSON.stringify(v))],
  status: ['status', (v) => v],
  lastCheck: ['last_check', (v) => (v === null ? null : JSON.stringify(v))],
};

export class SqlConnectionStore implements ConnectionStore {
  constructor(private readonly db: SqlDriver) {}

  get kind() {
    return this.db.kind;
  }

  /** The database itself, for other records kept beside the connections (idempotency keys of writes). */
  get driver(): SqlDriver {
    return this.db;
  }

  /** Applies pending migrations; returns how many ran. Safe to call from several processes at once. */
  async migrate(): Promise<number> {
    return this.db.migrationTransaction(async (tx) => {
      await tx.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const applied = new Set((await tx.all(`SELECT version FROM schema_migrations`)).map((r) => Number(r.version)));
      let ran = 0;
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const statement of m.sql) await tx.run(statement.replace('{{AUTO_ID}}', AUTO_ID[this.db.kind]));
        await tx.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [m.version, m.name, new Date().toISOString()]);
        ran++;
      }
      return ran;
    });
  }

  close() {
    return this.db.close();
  }

  async createTenant(t: Tenant) {
    await this.db.run(`INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)`, [t.id, t.name, t.createdAt]);
    return t;
  }
  async getTenant(id: string) {
    const [r] = await this.db.all(`SELECT * FROM tenants WHERE id = ?`, [id]);
    return r ? toTenant(r) : null;
  }
  async listTenants() {
    return (await this.db.all(`SELECT * FROM tenants ORDER BY created_at, id`)).map(toTenant);
  }

  async insertApiKey(k: ApiKeyRecord) {
    await this.db.run(`INSERT INTO api_keys (id, tenant_id, label, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)`, [
      k.id, k.tenantId, k.label, k.hash, k.createdAt, k.revokedAt,
    ]);
  }
  async findApiKey(id: string) {
    const [r] = await this.db.all(`SELECT * FROM api_keys WHERE id = ?`, [id]);
    return r ? toApiKey(r) : null;
  }
  async listApiKeys(tenantId: string) {
    return (await this.db.all(`SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id`, [tenantId])).map(toApiKey);
  }
  async revokeApiKey(tenantId: string, id: string, at: string) {
    return (await this.db.run(`UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`, [at, tenantId, id])) === 1;
  }

  async insertConnection(c: ConnectionRecord) {
    await this.db.run(
      `INSERT INTO connections (id, tenant_id, label, base_url, auth_kind, secret, secret_kid, ca_bundle, attribute_map, status, last_check, created_at, updated_at, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c.id, c.tenantId, c.label, c.baseUrl, c.authKind, c.secret, c.secretKid, c.caBundle,
        c.attributeMap ? JSON.stringify(c.attributeMap) : null, c.status, c.lastCheck ? JSON.stringify(c.lastCheck) : null,
        c.createdAt, c.updatedAt, c.version,
      ],
    );
  }
  async getConnection(tenantId: string, id: string) {
    const [r] = await this.db.all(`SELECT * FROM connections WHERE tenant_id = ? AND id = ?`, [tenantId, id]);
    return r ? toConnection(r) : null;
  }
  async listConnections(tenantId: string) {
    return (await this.db.all(`SELECT * FROM connections WHERE tenant_id = ? ORDER BY created_at, id`, [tenantId])).map(toConnection);
  }
  async updateConnection(tenantId: string, id: string, patch: ConnectionPatch, at: string) {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [field, value] of Object.entries(patch) as [keyof ConnectionPatch, unknown][]) {
      if (value === undefined) continue;
      const [column, encode] = PATCH_COLUMNS[field];
      sets.push(`${column} = ?`);
      params.push(encode(value));
    }
    sets.push('updated_at = ?', 'version = version + 1');
    params.push(at, tenantId, id);
    const changed = await this.db.run(`UPDATE connections SET ${sets.join(', ')} WHERE tenant_id = ? AND id = ?`, params);
    return changed === 1 ? this.getConnection(tenantId, id) : null;
  }
  async deleteConnection(tenantId: string, id: string) {
    return (await this.db.run(`DELETE FROM connections WHERE tenant_id = ? AND id = ?`, [tenantId, id])) === 1;
  }
  async allConnections() {
    return (await this.db.all(`SELECT * FROM connections ORDER BY created_at, id`)).map(toConnection);
  }

  async insertLinkToken(t: LinkTokenRecord) {
    await this.db.run(`INSERT INTO link_tokens (id, tenant_id, connection_id, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`, [
      t.id, t.tenantId, t.connectionId, t.expiresAt, t.usedAt, t.createdAt,
    ]);
  }
  async getLinkToken(id: string) {
    const [r] = await this.db.all(`SELECT * FROM link_tokens WHERE id = ?`, [id]);
    return r ? toLinkToken(r) : null;
  }
  async consumeLinkToken(id: string, at: string) {
    // ISO-8601 UTC strings compare in time order
    return (await this.db.run(`UPDATE link_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`, [at, id, at])) === 1;
  }

  async appendAudit(e: Omit<AuditEvent, 'id'>) {
    await this.db.run(`INSERT INTO audit_events (tenant_id, connection_id, action, actor, at, details) VALUES (?, ?, ?, ?, ?, ?)`, [
      e.tenantId, e.connectionId, e.action, e.actor, e.at, JSON.stringify(e.details),
    ]);
  }
  async listAudit(tenantId: string, connectionId?: string) {
    const rows = connectionId
      ? await this.db.all(`SELECT * FROM audit_events WHERE tenant_id = ? AND connection_id = ? ORDER BY id`, [tenantId, connectionId])
      : await this.db.all(`SELECT * FROM audit_events WHERE tenant_id = ? ORDER BY id`, [tenantId]);
    return rows.map((r) => ({
      id: Number(r.id), tenantId: str(r.tenant_id), connectionId: strOrNull(r.connection_id),
      action: str(r.action) as AuditEvent['action'], actor: str(r.actor), at: str(r.at), details: json<Record<string, unknown>>(r.details) ?? {},
    }));
  }
}
