// One contract suite, run against real SQLite and the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/connections/open-store.ts';
import type { ConnectionRecord, ConnectionStore } from '../../src/connections/types.ts';
import { DATABASES, type TestDatabase } from './databases.ts';

const now = () => new Date().toISOString();

function connection(id: string, tenantId: string, overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    id, tenantId, label: `conn ${id}`, baseUrl: 'https://iiq.example.com/identityiq/scim/v2', authKind: 'basic',
    secret: 'v1.k1.iv.ct.tag', secretKid: 'k1', caBundle: null, attributeMap: null, status: 'unchecked', lastCheck: null,
    createdAt: now(), updatedAt: now(), version: 1, ...overrides,
  };
}

describe.each(DATABASES)('connection store contract ($name)', ({ make }) => {
  let db: TestDatabase;
  let store: ConnectionStore;

  beforeAll(async () => {
    db = make();
    store = await openStore(db.config);
    await store.createTenant({ id: 't-a', name: 'Tenant A', createdAt: now() });
    await store.createTenant({ id: 't-b', name: 'Tenant B', createdAt: now() });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('applies migrations once: re-opening runs none and keeps the data', async () => {
    expect(await store.migrate()).toBe(0);
    const again = await openStore(db.config);
    try {
      expect(await again.migrate()).toBe(0);
      expect((await again.listTenants()).map((t) => t.id)).toEqual(['t-a', 't-b']);
    } finally {
      await again.close();
    }
  });

  it('stores tenants', async () => {
    expect(await store.getTenant('t-a')).toMatchObject({ id: 't-a', name: 'Tenant A' });
    expect(await store.getTenant('nope')).toBeNull();
    await expect(store.createTenant({ id: 't-a', name: 'dup', createdAt: now() })).rejects.toThrow();
  });

  it('stores API keys by id, lists per tenant, revokes once', async () => {
    await store.insertApiKey({ id: 'k-a1', tenantId: 't-a', label: 'ci', hash: 'h1', createdAt: now(), revokedAt: null });
    await store.insertApiKey({ id: 'k-b1', tenantId: 't-b', label: 'ci', hash: 'h2', createdAt: now(), revokedAt: null });
    expect(await store.findApiKey('k-a1')).toMatchObject({ tenantId: 't-a', hash: 'h1', revokedAt: null });
    expect((await store.listApiKeys('t-a')).map((k) => k.id)).toEqual(['k-a1']);
    expect(await store.revokeApiKey('t-b', 'k-a1', now())).toBe(false); // another tenant's key
    expect(await store.revokeApiKey('t-a', 'k-a1', now())).toBe(true);
    expect(await store.revokeApiKey('t-a', 'k-a1', now())).toBe(false);
    expect((await store.findApiKey('k-a1'))?.revokedAt).not.toBeNull();
  });

  it('keeps connections inside their tenant for every read and write', async () => {
    await store.insertConnection(connection('c-a1', 't-a', { attributeMap: { department: 'dept', jobTitle: 'title', location: 'loc', costCenters: 'cc', employeeId: 'emp' } }));
    await store.insertConnection(connection('c-b1', 't-b'));
    expect(await store.getConnection('t-a', 'c-a1')).toMatchObject({ id: 'c-a1', version: 1, attributeMap: { department: 'dept' } });
    expect(await store.getConnection('t-b', 'c-a1')).toBeNull();
    expect((await store.listConnections('t-a')).map((c) => c.id)).toEqual(['c-a1']);
    expect(await store.updateConnection('t-b', 'c-a1', { label: 'stolen' }, now())).toBeNull();
    expect(await store.deleteConnection('t-b', 'c-a1')).toBe(false);
    expect((await store.getConnection('t-a', 'c-a1'))?.label).toBe('conn c-a1');
    expect((await store.allConnections()).map((c) => c.id).sort()).toEqual(['c-a1', 'c-b1']);
  });

  it('updates only the given fields, bumps the version, round-trips the check JSON', async () => {
    const check = { ok: true, checkedAt: now(), durationMs: 12, steps: [{ name: 'reachable' as const, status: 'pass' as const, message: 'ok' }], serviceProvider: null, users: { total: 3 }, roles: null };
    const updated = await store.updateConnection('t-a', 'c-a1', { label: 'HR IIQ', status: 'active', lastCheck: check, caBundle: null }, now());
    expect(updated).toMatchObject({ label: 'HR IIQ', status: 'active', version: 2, baseUrl: 'https://iiq.example.com/identityiq/scim/v2' });
    expect(updated?.lastCheck).toEqual(check);
  });

  it('deletes a connection of its own tenant', async () => {
    await store.insertConnection(connection('c-a2', 't-a'));
    expect(await store.deleteConnection('t-a', 'c-a2')).toBe(true);
    expect(await store.getConnection('t-a', 'c-a2')).toBeNull();
  });

  it('consumes a link token exactly once, even when raced; never an expired one', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    await store.insertLinkToken({ id: 'lt-1', tenantId: 't-a', connectionId: null, expiresAt: later, usedAt: null, createdAt: now() });
    const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeLinkToken('lt-1', now())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.getLinkToken('lt-1'))?.usedAt).not.toBeNull();
    await store.insertLinkToken({ id: 'lt-2', tenantId: 't-a', connectionId: 'c-a1', expiresAt: new Date(Date.now() - 1000).toISOString(), usedAt: null, createdAt: now() });
    expect(await store.consumeLinkToken('lt-2', now())).toBe(false);
    expect(await store.consumeLinkToken('unknown', now())).toBe(false);
  });

  it('keeps an ordered audit trail per tenant and connection', async () => {
    await store.appendAudit({ tenantId: 't-a', connectionId: 'c-a1', action: 'connection.created', actor: 'api-key:k', at: now(), details: { check: 'pass' } });
    await store.appendAudit({ tenantId: 't-a', connectionId: 'c-a1', action: 'connection.updated', actor: 'api-key:k', at: now(), details: { fields: ['label'] } });
    await store.appendAudit({ tenantId: 't-b', connectionId: 'c-b1', action: 'connection.created', actor: 'api-key:x', at: now(), details: {} });
    const trail = await store.listAudit('t-a', 'c-a1');
    expect(trail.map((e) => e.action)).toEqual(['connection.created', 'connection.updated']);
    expect(trail[1]!.details).toEqual({ fields: ['label'] });
    expect(trail[1]!.id).toBeGreaterThan(trail[0]!.id);
    expect((await store.listAudit('t-b')).map((e) => e.connectionId)).toEqual(['c-b1']);
  });

  it('refuses a connection of an unknown tenant (foreign key)', async () => {
    await expect(store.insertConnection(connection('c-x', 'no-such-tenant'))).rejects.toThrow();
  });
});

describe.each(DATABASES)('migrations ($name)', ({ make }) => {
  it('run once when two gateways start at the same time on an empty database', async () => {
    const db = make();
    try {
      const stores = await Promise.all([openStore(db.config), openStore(db.config), openStore(db.config)]);
      for (const s of stores) expect(await s.migrate()).toBe(0);
      await stores[0]!.createTenant({ id: 't', name: 'T', createdAt: now() });
      expect((await stores[2]!.listTenants()).map((t) => t.id)).toEqual(['t']);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await db.drop();
    }
  });
});
