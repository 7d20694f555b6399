// Upstream cost grows with the query's depth, not with its rows: counted on the simulator.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersWithRoleOwnersDocument, UsersWithRolesDocument } from './__generated__/operations.ts';
import { startGateway, type Gateway } from './harness.ts';

describe.each([{ idFilterable: false }, { idFilterable: true }])('request counts (idFilterable: $idFilterable)', ({ idFilterable }) => {
  let gw: Gateway;
  beforeAll(async () => {
    // app.ready() reads ServiceProviderConfig, the User schemas and the role catalog, and starts the membership
    // scan (waited for, so its pages are not counted below): no pre-warming here
    gw = await startGateway({ sim: { users: 200, idFilterable }, waitForIndex: true });
  });
  afterAll(async () => gw?.close());

  it('a ready gateway: the first query with default attributes and roles costs 1 request (no discovery left)', async () => {
    gw.sim.requests.reset();
    const res = await gw.gql(`{ users(first: 5) { edges { node { attributes roles(first: 5) { edges { node { name } } } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(gw.sim.requests.list().map((r) => r.path)).toEqual(['/Users']);
  });

  it('the issue query costs 2 requests with a cold role catalog, 1 with a warm one', async () => {
    gw.app.connection.catalog.invalidate();
    gw.sim.requests.reset();
    const cold = await gw.request(UsersWithRolesDocument, { first: 100 });
    expect(cold.errors).toBeUndefined();
    expect(cold.data!.users.edges).toHaveLength(100);
    expect(gw.sim.requests.count()).toBe(2);
    expect(gw.sim.requests.count({ path: /^\/Roles/ })).toBe(1);

    gw.sim.requests.reset();
    const warm = await gw.request(UsersWithRolesDocument, { first: 100 });
    expect(warm.data).toEqual(cold.data);
    expect(gw.sim.requests.count()).toBe(1);
    const [list] = gw.sim.requests.list();
    expect(list!.path).toBe('/Users');
    expect(list!.query.attributes).toContain('urn:ietf:params:scim:schemas:sailpoint:1.0:User:roles');
  });

  it('roles are only asked for when a role field is selected; only selected attributes are asked for', async () => {
    gw.sim.requests.reset();
    await gw.gql(`{ users(first: 10) { edges { node { userName displayName } } } }`);
    const [list] = gw.sim.requests.list();
    expect(list!.query.attributes).not.toContain('roles');
    expect(list!.query.attributes).toContain('displayName');
    expect(list!.query.attributes).not.toContain('emails');
  });

  it('owner adds at most one request per distinct owner (or one batch), never one per row', async () => {
    await gw.request(UsersWithRolesDocument, {}); // warm catalog
    const res = await gw.request(UsersWithRoleOwnersDocument, {});
    expect(res.errors).toBeUndefined();
    const owners = new Set<string>();
    for (const e of res.data!.users.edges) for (const r of e.node.roles.edges) {
      // typed by codegen: r.node.owner is { userName: string } | null
      const sim = gw.sim.data.roleByName(r.node.name)!;
      if (sim.ownerId) owners.add(sim.ownerId);
      expect(r.node.owner?.userName ?? null).toBe(sim.ownerId ? gw.sim.data.userById(sim.ownerId)!.userName : null);
    }
    gw.sim.requests.reset();
    await gw.request(UsersWithRoleOwnersDocument, {});
    const requests = gw.sim.requests.count();
    if (idFilterable) expect(requests).toBeLessThanOrEqual(1 + Math.ceil(owners.size / 100));
    else expect(requests).toBeLessThanOrEqual(1 + owners.size);
    const rows = res.data!.users.edges.reduce((n, e) => n + e.node.roles.edges.length, 0);
    expect(owners.size).toBeLessThan(rows);
  });

  it('totalCount alone asks IIQ for totals only (count=0)', async () => {
    gw.sim.requests.reset();
    const res = await gw.gql(`{ users(first: 50, filter: { active: true }) { totalCount } roles { totalCount } }`);
    expect(res.data).toEqual({ users: { totalCount: gw.sim.data.users.filter((u) => u.active).length }, roles: { totalCount: gw.sim.data.roles.length } });
    const counts = gw.sim.requests.list().map((r) => r.query.count);
    expect(counts).toEqual(['0', '0']);
  });

  it('manager and directReports cost one batch per level', async () => {
    gw.sim.requests.reset();
    const res = await gw.gql(`{ users(first: 50) { edges { node { userName manager { userName } directReports(first: 5) { totalCount edges { node { userName } } } } } } }`);
    expect(res.errors).toBeUndefined();
    const managers = new Set(res.data!.users.edges.map((e: any) => gw.sim.data.userByName(e.node.userName)!.managerId).filter(Boolean));
    const requests = gw.sim.requests.count();
    // 1 list + manager lookups (one batch, or one GET per distinct manager without id filtering) + 2 report chunks
    expect(requests).toBeLessThanOrEqual(1 + (idFilterable ? 1 : managers.size) + 2);
    for (const e of res.data!.users.edges) {
      const sim = gw.sim.data.userByName(e.node.userName)!;
      expect(e.node.manager?.userName ?? null).toBe(sim.managerId ? gw.sim.data.userById(sim.managerId)!.userName : null);
      expect(e.node.directReports.totalCount).toBe(gw.sim.data.users.filter((u) => u.managerId === sim.id).length);
    }
  });
});

describe('a truly fresh gateway (app.ready() never called): what its first queries cost', () => {
  const SCHEMAS = ['core:2.0:User', 'extension:enterprise:2.0:User', 'sailpoint:1.0:User'].map((u) => `/Schemas/urn:ietf:params:scim:schemas:${u}`);
  const first = async (query: string) => {
    const gw = await startGateway({ sim: { users: 200 }, ready: false });
    try {
      const cold = await gw.gql(query);
      expect(cold.errors).toBeUndefined();
      const coldPaths = gw.sim.requests.list().map((r) => r.path);
      gw.sim.requests.reset();
      await gw.gql(query);
      return { cold: coldPaths, warm: gw.sim.requests.list().map((r) => r.path) };
    } finally {
      await gw.close();
    }
  };

  it('the issue query: ServiceProviderConfig + users + role catalog = 3 requests, then 1', async () => {
    const { cold, warm } = await first(print(UsersWithRolesDocument));
    expect([...cold].sort()).toEqual(['/Roles', '/ServiceProviderConfig', '/Users']);
    expect(warm).toEqual(['/Users']);
  });

  it('default attributes with roles: + 3 /Schemas reads = 6 requests, then 1', async () => {
    const { cold, warm } = await first(`{ users(first: 5) { edges { node { attributes roles(first: 5) { edges { node { name } } } } } } }`);
    expect([...cold].sort()).toEqual([...SCHEMAS, '/Roles', '/ServiceProviderConfig', '/Users'].sort());
    expect(warm).toEqual(['/Users']);
  });

  it('selected attributes without roles: ServiceProviderConfig + users = 2 requests, then 1', async () => {
    const { cold, warm } = await first(`{ users(first: 5) { edges { node { userName displayName email } } } }`);
    expect([...cold].sort()).toEqual(['/ServiceProviderConfig', '/Users']);
    expect(warm).toEqual(['/Users']);
  });

  it('app.ready() itself: ServiceProviderConfig + 3 /Schemas + role catalog (then the membership scan)', async () => {
    const gw = await startGateway({ sim: { users: 200 }, ready: false });
    try {
      await gw.app.ready();
      expect(gw.sim.requests.list().filter((r) => !r.path.startsWith('/Users')).map((r) => r.path).sort()).toEqual([...SCHEMAS, '/Roles', '/ServiceProviderConfig'].sort());
      await gw.app.membershipReady();
    } finally {
      await gw.close();
    }
  });
});
