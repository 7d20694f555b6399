// Webhooks of linked connections (MIRROR=true, PostgreSQL, a lease per connection): a tenant manages its own
// connection's endpoints over GraphQL with its API key; another tenant sees none of them (NOT_FOUND); a change in
// the tenant's IdentityIQ reaches its receiver through the connection's fenced dispatcher with the documented
// dedupe headers; the URL policy (IIQ_GRAPH_ALLOWED_HOSTS from the gateway's config) applies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMirrorConfig } from '../../src/mirror/config.ts';
import { openMirrorStore } from '../../src/mirror/open.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { postgresDatabase, PG_URL, type TestDatabase } from '../connections/databases.ts';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';
import { grantRole } from './harness.ts';

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks of linked connections (GraphQL, PostgreSQL leases)', () => {
  let simA: Sim;
  let simB: Sim;
  let db: TestDatabase;
  let mirrorStore: MirrorStore;
  let gw: LinkedGateway;
  let receiver: Server;
  let url = '';
  const hits: { path: string; eventId: string; idempotency: string; bodyId: string }[] = [];
  let A: { key: string; connectionId: string };
  let B: { key: string; connectionId: string };

  beforeAll(async () => {
    [simA, simB] = await Promise.all([startSim({ users: 20, seed: 3 }), startSim({ users: 15, seed: 4 })]);
    db = postgresDatabase();
    mirrorStore = await openMirrorStore({ dataDir: '/nonexistent', databaseUrl: PG_URL, pgSchema: db.config.pgSchema });
    const config = loadMirrorConfig({ MIRROR: 'true', MIRROR_SYNC_INTERVAL: '1', MIRROR_LEASE_INTERVAL: '0.2', MIRROR_PAGE_SIZE: '25' });
    gw = await startLinkedGateway({ db, mirror: { store: mirrorStore, config, databaseUrl: PG_URL, pgSchema: db.config.pgSchema, reconcileMs: 300, indexPollMs: 200 } });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        hits.push({ path: req.url ?? '', eventId: String(req.headers['x-iiq-graph-event-id']), idempotency: String(req.headers['idempotency-key']), bodyId: (JSON.parse(body) as { id: string }).id });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const ta = await gw.tenant('tenant-a');
    const tb = await gw.tenant('tenant-b');
    A = { key: ta.key, connectionId: await gw.link(ta.key, simA) };
    B = { key: tb.key, connectionId: await gw.link(tb.key, simB) };
    for (const t of [A, B]) {
      await until(`mirror of ${t.connectionId} ready`, async () => (await gw.gql(t.key, '{ syncStatus { state } }')).body.data?.syncStatus?.state === 'READY');
    }
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await new Promise((r) => receiver?.close(r));
    await simA?.close();
    await simB?.close();
    await db?.drop();
  });

  it('a tenant manages and receives its own connection\'s webhooks; the other tenant cannot see or touch them', async () => {
    const create = 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id url } } }';
    const refused = await gw.gql(A.key, create, { i: { url: 'http://169.254.169.254/latest/meta-data/' } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const a = await gw.gql(A.key, create, { i: { url: `${url}/a`, types: ['USER_UPDATED'] } });
    expect(a.body.errors).toBeUndefined();
    const hookA = a.body.data.createWebhook.webhook.id as string;
    expect(a.body.data.createWebhook.secret).toMatch(/^whsec_/);
    const b = await gw.gql(B.key, create, { i: { url: `${url}/b` } });
    const hookB = b.body.data.createWebhook.webhook.id as string;

    expect((await gw.gql(A.key, '{ webhooks { id } }')).body.data.webhooks).toEqual([{ id: hookA }]);
    expect((await gw.gql(B.key, '{ webhooks { id } }')).body.data.webhooks).toEqual([{ id: hookB }]);
    expect((await gw.gql(B.key, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hookA })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gw.gql(B.key, 'query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount } }', { id: hookA })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // a change in tenant A's IdentityIQ: its receiver gets the user.updated event, B's gets nothing of A's
    const u = simA.data.users[0]!;
    grantRole(simA, u.id, simA.data.roles.find((r) => !u.roles.some((x) => x.roleId === r.id))!.id);
    const hit = await until('A\'s event delivered', () => hits.find((h) => h.path === '/a'));
    expect(hit.eventId).toBe(hit.bodyId);
    expect(hit.idempotency).toBe(hit.eventId);
    const log = await until('A\'s delivery logged', async () => {
      const r = await gw.gql(A.key, 'query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount edges { node { eventId status responseStatus } } } }', { id: hookA });
      return r.body.data.webhookDeliveries.edges.find((e: any) => e.node.status === 'DELIVERED') ? r.body.data.webhookDeliveries : null;
    });
    expect(log.edges.some((e: any) => e.node.eventId === hit.eventId && e.node.responseStatus === 204)).toBe(true);
    expect(hits.filter((h) => h.path === '/b')).toHaveLength(0);
  }, 60_000);
});
