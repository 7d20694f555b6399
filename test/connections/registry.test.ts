// The per-connection registry: idle state is closed (its membership index stops polling the customer's
// IdentityIQ), state of connections deleted by another gateway instance is dropped, and both come back on use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from './harness.ts';

describe('connection registry', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let t: { tenantId: string; key: string };

  beforeAll(async () => {
    sim = await startSim({ users: 30 });
    gw = await startLinkedGateway();
    t = await gw.tenant('T');
  });
  afterAll(async () => {
    await gw?.close();
    await sim?.close();
  });

  it('closes idle state and rebuilds it on the next request', async () => {
    const id = await gw.link(t.key, sim);
    expect((await gw.gql(t.key, '{ users(first: 1) { totalCount } }')).body.data.users.totalCount).toBe(30);
    expect((await gw.http('/proxy/scim/v2/Users?count=1', { key: t.key })).status).toBe(200);
    const conn = await gw.linked.registry.get((await gw.store.getConnection(t.tenantId, id))!);
    expect(await gw.linked.registry.sweep()).toEqual([]); // in use and still stored
    expect(await gw.linked.registry.sweep(Date.now() + 31 * 60_000)).toEqual([id]);
    expect(gw.linked.registry.liveIds()).not.toContain(id);
    expect(conn.membership.status().state).toBe('stopped');
    expect((await gw.gql(t.key, '{ users(first: 1) { totalCount } }')).body.data.users.totalCount).toBe(30);
    expect(gw.linked.registry.liveIds()).toContain(id);
  });

  it('keeps live state across a label change and drops it when the target changes', async () => {
    const other = await gw.tenant('Relabel');
    const id = await gw.link(other.key, sim);
    await gw.gql(other.key, '{ users(first: 1) { totalCount } }');
    const before = await gw.linked.registry.get((await gw.store.getConnection(other.tenantId, id))!);
    await gw.http(`/api/connections/${id}`, { key: other.key, method: 'PATCH', body: { label: 'renamed' } });
    expect(await gw.linked.registry.get((await gw.store.getConnection(other.tenantId, id))!)).toBe(before);
    await gw.http(`/api/connections/${id}`, { key: other.key, method: 'PATCH', body: { auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret' } } });
    expect(before.membership.status().state).toBe('stopped');
    expect(await gw.linked.registry.get((await gw.store.getConnection(other.tenantId, id))!)).not.toBe(before);
  });

  it('drops state of a connection deleted through another instance (straight from the store)', async () => {
    const other = await gw.tenant('Other');
    const id = await gw.link(other.key, sim);
    expect((await gw.gql(other.key, '{ users(first: 1) { totalCount } }')).status).toBe(200);
    expect(gw.linked.registry.liveIds()).toContain(id);
    await gw.store.deleteConnection(other.tenantId, id); // not through this gateway
    expect(await gw.linked.registry.sweep()).toContain(id);
    expect(gw.linked.registry.liveIds()).not.toContain(id);
  });
});
