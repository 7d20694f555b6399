// Webhooks managed over GraphQL for the caller's connection: create (the generated secret once, never listed),
// list, the delivery log as a connection (paging, status filter), redelivery (same event id), delete; typed
// errors: BAD_USER_INPUT for a refused URL or secret, NOT_FOUND for another tenant's or an unknown id,
// MIRROR_NOT_ENABLED without a mirror. Events come from real syncs of the simulator; the receiver is real HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { OutboundPolicy } from '../../src/connections/url-policy.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import type { ConnectionMirror } from '../../src/mirror/service.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../src/mirror/webhooks.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { grantRole, MIRROR_DATABASES, startSyncedMirror, type MirrorTestDb } from './harness.ts';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

const gqlOn = (app: App) => async (query: string, variables?: Record<string, unknown>) => {
  const res = await app.fetch(new Request('http://gateway.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }));
  const text = await res.text();
  return { status: res.status, text, ...(JSON.parse(text) as { data?: any; errors?: any[] }) };
};

const CREATE = 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id url types lastCursor createdAt } } }';
const DELIVERIES = `query($w: ID!, $first: Int, $after: String, $status: WebhookDeliveryStatus) {
  webhookDeliveries(webhookId: $w, first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id webhookId eventId cursor type status attempts responseStatus error deliveredAt } }
  } }`;

describe.each(MIRROR_DATABASES)('webhooks in GraphQL on $name', ({ make }) => {
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let store: MirrorStore;
  let mirror: ConnectionMirror;
  let app: App;
  let bare: App;
  let gql: ReturnType<typeof gqlOn>;
  let receiver: Server;
  let url = '';
  let secret = '';
  const received: { id: string; signed: boolean; path: string }[] = [];

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 12 }));
    iiq = client(sim.baseUrl);
    db = make();
    store = await db.open();
    mirror = await startSyncedMirror(iiq, store, { webhooks: { pollMs: 20, baseDelayMs: 20, maxDelayMs: 100, urlPolicy: OutboundPolicy.parse('127.0.0.1') } });
    const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off' });
    app = createApp({ client: iiq, config, mirror });
    bare = createApp({ client: iiq, config });
    await Promise.all([app.ready(), bare.ready()]);
    gql = gqlOn(app);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', id: (JSON.parse(body) as { id: string }).id, signed: verifySignature(secret, req.headers[SIGNATURE_HEADER] as string, body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await mirror?.stop();
    await new Promise((r) => receiver?.close(r));
    await store?.close();
    await db?.drop();
    await iiq?.close();
    await sim?.close();
  });

  it('without a mirror: MIRROR_NOT_ENABLED', async () => {
    const g = gqlOn(bare);
    expect((await g('{ webhooks { id } }')).errors?.[0]?.extensions?.code).toBe('MIRROR_NOT_ENABLED');
    expect((await g(CREATE, { i: { url } })).errors?.[0]?.extensions?.code).toBe('MIRROR_NOT_ENABLED');
  });

  it('refuses URLs outside the policy and short secrets with BAD_USER_INPUT; nothing is stored', async () => {
    for (const bad of ['http://169.254.169.254/latest', 'http://localhost:1/x', 'http://10.1.2.3/x', 'https://[::1]/x', 'file:///etc/passwd', 'not a url']) {
      const r = await gql(CREATE, { i: { url: bad } });
      expect(r.errors?.[0]?.extensions?.code, bad).toBe('BAD_USER_INPUT');
    }
    expect((await gql(CREATE, { i: { url, secret: 'short' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await store.listWebhooks()).toHaveLength(0);
  });

  it('create → list (no secret) → events delivered → delivery log pages and filters → redeliver → delete', async () => {
    const created = await gql(CREATE, { i: { url, types: ['USER_UPDATED', 'MEMBERSHIP_ADDED'] } });
    expect(created.errors).toBeUndefined();
    const { webhook } = created.data.createWebhook;
    secret = created.data.createWebhook.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ url, types: ['USER_UPDATED', 'MEMBERSHIP_ADDED'] });

    // a supplied secret is not echoed
    const own = await gql(CREATE, { i: { url: `${url}/2`, secret: 'a-secret-of-my-own-choosing' } });
    expect(own.data.createWebhook.secret).toBeNull();

    const listed = await gql('{ webhooks { id url types } }');
    expect(listed.data.webhooks.map((w: { id: string }) => w.id)).toEqual([webhook.id, own.data.createWebhook.webhook.id]);
    expect(listed.text).not.toContain(secret);
    expect(listed.text).not.toContain('a-secret-of-my-own-choosing');

    // changes in IIQ → incremental sync → events to both endpoints
    for (const u of sim.data.users.slice(0, 3)) {
      const role = sim.data.roles.find((r) => !u.roles.some((x) => x.roleId === r.id))!;
      grantRole(sim, u.id, role.id);
    }
    await mirror.runNow('incremental');
    const feed = (await store.listChanges('default', { types: ['user.updated', 'membership.added'], after: Number(webhook.lastCursor), limit: 100 })).map((e) => `evt_${e.seq}`);
    expect(feed.length).toBeGreaterThanOrEqual(6);
    await until('every event delivered', () => feed.every((id) => received.some((r) => r.path === '/hooks' && r.id === id && r.signed)));
    // the dispatcher records an outcome after the receiver has answered: wait for the log, not only the receiver
    await until('every delivery recorded', async () => (await gql(DELIVERIES, { w: webhook.id, first: 100, status: 'DELIVERED' })).data.webhookDeliveries.totalCount === feed.length);

    const all = await gql(DELIVERIES, { w: webhook.id, first: 100 });
    expect(all.data.webhookDeliveries.totalCount).toBe(feed.length);
    const page1 = await gql(DELIVERIES, { w: webhook.id, first: 2 });
    const p1 = page1.data.webhookDeliveries;
    expect(p1.edges).toHaveLength(2);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql(DELIVERIES, { w: webhook.id, first: 100, after: p1.pageInfo.endCursor });
    const ids = [...p1.edges, ...page2.data.webhookDeliveries.edges].map((e: { node: { eventId: string } }) => e.node.eventId);
    expect([...ids].sort()).toEqual([...feed].sort()); // each once over the pages
    expect(new Set(ids).size).toBe(ids.length);
    const node = p1.edges[0].node;
    expect(node).toMatchObject({ webhookId: webhook.id, status: 'DELIVERED', attempts: 1, responseStatus: 204, error: null });
    expect(node.eventId).toBe(`evt_${node.cursor}`);
    expect((await gql(DELIVERIES, { w: webhook.id, status: 'DELIVERED' })).data.webhookDeliveries.totalCount).toBe(feed.length);
    expect((await gql(DELIVERIES, { w: webhook.id, status: 'FAILED' })).data.webhookDeliveries.totalCount).toBe(0);
    expect((await gql(DELIVERIES, { w: webhook.id, after: 'x' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // redelivery: the same event id again
    const copies = () => received.filter((r) => r.path === '/hooks' && r.id === node.eventId).length;
    const copiesBefore = copies();
    const again = await gql('mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { id eventId status } }', { id: node.id });
    expect(again.data.redeliverWebhookDelivery).toMatchObject({ id: node.id, eventId: node.eventId });
    await until('redelivered', () => copies() === copiesBefore + 1);
    await until('logged', async () => (await gql(DELIVERIES, { w: webhook.id, first: 100 })).data.webhookDeliveries.edges.some((e: any) => e.node.id === node.id && e.node.attempts === 2 && e.node.status === 'DELIVERED'));

    // a password in the URL is masked in answers
    const withAuth = await gql(CREATE, { i: { url: url.replace('http://', 'http://rx:pa55-in-url@') } });
    expect(withAuth.data.createWebhook.webhook.url).toBe(url.replace('http://', 'http://rx:********@'));
    const listedAgain = await gql('{ webhooks { url } }');
    expect(listedAgain.text).not.toContain('pa55-in-url');
    expect((await gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: withAuth.data.createWebhook.webhook.id })).errors).toBeUndefined();

    const deleted = await gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: own.data.createWebhook.webhook.id });
    expect(deleted.data.deleteWebhook).toBe(own.data.createWebhook.webhook.id);
    expect((await gql('{ webhooks { id } }')).data.webhooks).toEqual([{ id: webhook.id }]);
  });

  it('another tenant\'s or connection\'s webhook and unknown ids are NOT_FOUND', async () => {
    const foreign = await store.createWebhook({ tenantId: 'other', connectionId: 'default', url: 'https://hooks.example.com/x' });
    const otherConn = await store.createWebhook({ tenantId: 'default', connectionId: 'elsewhere', url: 'https://hooks.example.com/y' });
    const listed = (await gql('{ webhooks { id } }')).data.webhooks.map((w: { id: string }) => w.id);
    expect(listed).not.toContain(foreign.id);
    expect(listed).not.toContain(otherConn.id);
    for (const id of [foreign.id, otherConn.id, 'wh_unknown']) {
      expect((await gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await gql(DELIVERIES, { w: id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    for (const id of ['999999999', 'abc', '-1']) {
      expect((await gql('mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { id } }', { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect(await store.listWebhooks({ tenantId: 'other' })).toHaveLength(1);
  });
});
