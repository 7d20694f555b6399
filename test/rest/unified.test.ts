// The unified REST face against the simulator: shapes, cursor paging, filters, related lists, errors,
// the OpenAPI document; in linked-accounts mode and in single-connection mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../gateway/harness.ts';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';

const USER_KEYS = ['created_at', 'emails', 'first_name', 'id', 'last_name', 'name', 'roles', 'status', 'updated_at', 'username'];
const ROLE_KEYS = ['created_at', 'description', 'id', 'name', 'status', 'type', 'updated_at'];
const caseless = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

describe('unified REST face (linked accounts)', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let key: string;
  const get = (path: string) => gw.http(`/unified/user-directory${path}`, { key });

  beforeAll(async () => {
    sim = await startSim({ users: 60 });
    gw = await startLinkedGateway();
    ({ key } = await gw.tenant('T'));
    await gw.link(key, sim);
  });
  afterAll(async () => {
    await gw?.close();
    await sim?.close();
  });

  it('pages through every user with next_cursor and back with prev_cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    const pages: any[] = [];
    do {
      const res = await get(`/users?limit=25${cursor ? `&next_cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['next_cursor', 'prev_cursor', 'result', 'result_count']);
      expect(res.body.result_count).toBe(res.body.result.length);
      pages.push(res.body);
      seen.push(...res.body.result.map((u: { username: string }) => u.username));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(pages).toHaveLength(3);
    expect(seen).toEqual(sim.data.users.map((u) => u.userName).sort(caseless));
    expect(pages[0].prev_cursor).toBeNull();
    const back = await get(`/users?limit=25&next_cursor=${pages[1].prev_cursor}`);
    expect(back.body.result).toEqual(pages[0].result);
  });

  it('returns the unified user shape; remote_data only on request', async () => {
    const target = sim.data.users.find((u) => u.roles.length > 1 && u.givenName && u.email)!;
    const res = await get(`/users/${target.id}`);
    expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
    expect(res.body).toMatchObject({
      id: target.id, username: target.userName, first_name: target.givenName, last_name: target.familyName,
      emails: [{ email: target.email, is_primary: true }], status: target.active ? 'active' : 'inactive',
    });
    expect(res.body.roles.map((r: { id: string }) => r.id).sort()).toEqual(target.roles.map((r) => r.roleId).sort());
    expect(res.body.roles[0]).toEqual({ id: expect.any(String), name: expect.any(String), acquired: expect.stringMatching(/^(Assigned|Detected)$/) });
    const remote = await get(`/users/${target.id}?include_remote_data=true`);
    expect(remote.body.remote_data).toMatchObject({ id: target.id, userName: target.userName });
  });

  it('filters by username, email and updated_after', async () => {
    const u = sim.data.users[5]!;
    expect((await get(`/users?username=${encodeURIComponent(u.userName)}`)).body.result.map((x: any) => x.id)).toEqual([u.id]);
    const byEmail = await get(`/users?email=${encodeURIComponent(u.email!)}`);
    expect(byEmail.body.result.map((x: any) => x.id)).toContain(u.id);
    const times = sim.data.users.map((x) => x.lastModified).sort((a, b) => a - b);
    const pivot = times[Math.floor(times.length / 2)]!;
    const expected = sim.data.users.filter((x) => x.lastModified > pivot).length;
    const recent = await get(`/users?limit=100&updated_after=${encodeURIComponent(new Date(pivot).toISOString())}`);
    expect(recent.body.result.length).toBe(expected);
    for (const x of recent.body.result) expect(Date.parse(x.updated_at)).toBeGreaterThan(pivot);
  });

  it('lists roles, one role, a user’s roles, and a role’s members (from the membership index)', async () => {
    const roles = await get('/roles?limit=200');
    expect(roles.body.result.length).toBe(sim.data.roles.length);
    expect(Object.keys(roles.body.result[0]).sort()).toEqual(ROLE_KEYS);
    const held = new Map<string, string[]>();
    for (const u of sim.data.users) for (const r of u.roles) held.set(r.roleId, [...(held.get(r.roleId) ?? []), u.id]);
    const [roleId, holders] = [...held.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect((await get(`/roles/${roleId}`)).body.id).toBe(roleId);

    const user = sim.data.users.find((u) => u.roles.length > 2)!;
    const userRoles = await get(`/users/${user.id}/roles`);
    expect(userRoles.body.result.map((r: { id: string }) => r.id).sort()).toEqual([...new Set(user.roles.map((r) => r.roleId))].sort());

    await gw.linked.registry.get((await gw.store.allConnections())[0]!).then((c) => c.membership.whenReady());
    const members: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/roles/${roleId}/members?limit=7${cursor ? `&next_cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      members.push(...res.body.result.map((u: { id: string }) => u.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(members.sort()).toEqual([...new Set(holders)].sort());
    const viaFilter = await get(`/users?role_id=${roleId}&limit=100`);
    expect(viaFilter.body.result.map((u: { id: string }) => u.id).sort()).toEqual([...new Set(holders)].sort());
  });

  it('answers errors in one shape', async () => {
    const missing = await get('/users/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such user', details: { code: 'NOT_FOUND' }, is_remote_error: false });
    expect((await get('/roles/does-not-exist')).status).toBe(404);
    for (const q of ['limit=0', 'limit=abc', 'next_cursor=garbage', 'updated_after=yesterday', 'role_id=x&email=a@b.c']) {
      const res = await get(`/users?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.details.code).toBe('BAD_USER_INPUT');
    }
    // a cursor of another list is refused
    const rolesPage = await get('/roles?limit=1');
    expect((await get(`/users?next_cursor=${rolesPage.body.next_cursor}`)).status).toBe(400);
  });

  it('reports upstream failures as remote errors', async () => {
    sim.faults.inject({ type: 'status', status: 503, times: 10, pathPrefix: '/Users' });
    try {
      const res = await get('/users?limit=1');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', is_remote_error: true, details: { code: 'UPSTREAM_UNAVAILABLE' } });
    } finally {
      sim.faults.clear();
    }
  });

  it('serves an OpenAPI 3 document of the face', async () => {
    const res = await gw.http('/unified/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/unified/user-directory/roles', '/unified/user-directory/roles/{id}', '/unified/user-directory/roles/{id}/members',
      '/unified/user-directory/users', '/unified/user-directory/users/{id}', '/unified/user-directory/users/{id}/roles',
    ]);
    expect(res.body.components.schemas.User.required).toEqual(USER_KEYS.filter((k) => k !== 'remote_data').sort((a, b) => res.body.components.schemas.User.required.indexOf(a) - res.body.components.schemas.User.required.indexOf(b)));
    expect(res.body.components.schemas.Error.required).toEqual(['statusCode', 'error', 'message', 'details', 'is_remote_error']);
  });
});

describe('unified REST face (single-connection mode)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 30 }, waitForIndex: true });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves the one connection without keys, from the same client as GraphQL', async () => {
    gw.sim.requests.reset();
    const res = await fetch(`${gw.origin}/unified/user-directory/users?limit=5`);
    const body = (await res.json()) as { result: { username: string }[]; result_count: number };
    expect(res.status).toBe(200);
    expect(body.result_count).toBe(5);
    expect(body.result.map((u) => u.username)).toEqual(gw.sim.data.users.map((u) => u.userName).sort(caseless).slice(0, 5));
    expect(gw.sim.requests.count({ path: '/Users' })).toBe(1);
  });
});

describe('unified REST face: malformed paths and users holding a role twice', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let key: string;
  let user: Sim['data']['users'][number];
  let roleId: string;
  const get = (path: string) => gw.http(`/unified/user-directory${path}`, { key });

  beforeAll(async () => {
    sim = await startSim({ users: 40 });
    // IdentityIQ lists a role once per assignment: assigned and also detected through an account. The generated
    // dataset has no such identity and roles are read-only over SCIM, so one is made in the simulator's data
    // before the gateway reads it.
    user = sim.data.users.find((u) => u.roles.some((r) => r.acquired === 'Assigned') && u.accounts.length > 0)!;
    roleId = user.roles.find((r) => r.acquired === 'Assigned')!.roleId;
    const account = user.accounts[0]!;
    user.roles.push({ roleId, acquired: 'Detected', application: account.application, accountName: account.nativeIdentity });
    gw = await startLinkedGateway();
    ({ key } = await gw.tenant('T'));
    await gw.link(key, sim);
    await gw.linked.registry.get((await gw.store.allConnections())[0]!).then((c) => c.membership.whenReady());
  });
  afterAll(async () => {
    await gw?.close();
    await sim?.close();
  });

  it('a malformed percent-encoding in the path is 400 BAD_USER_INPUT, not 500', async () => {
    for (const path of ['/users/%E0%A4%A', '/users/%E0%A4%A/roles', '/roles/%ZZ/members', '/roles/%C0']) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, details: { code: 'BAD_USER_INPUT' }, is_remote_error: false });
    }
  });

  it('lists such a user once in /roles/{id}/members and /users?role_id=, with both assignments in its roles', async () => {
    const holders = [...new Set(sim.data.users.filter((u) => u.roles.some((r) => r.roleId === roleId)).map((u) => u.id))].sort();
    for (const limit of [1, 2, 3, 100]) {
      for (const path of [`/roles/${roleId}/members`, `/users?role_id=${roleId}`]) {
        const ids: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&next_cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          ids.push(...res.body.result.map((u: { id: string }) => u.id));
          cursor = res.body.next_cursor;
          pages++;
        } while (cursor);
        expect(ids, `${path} limit ${limit}`).toEqual([...new Set(ids)]);
        expect([...ids].sort()).toEqual(holders);
        expect(pages).toBe(Math.max(1, Math.ceil(holders.length / limit)));
      }
    }
    const members = await get(`/roles/${roleId}/members?limit=100`);
    const entry = members.body.result.find((u: { id: string }) => u.id === user.id);
    expect(entry.roles.filter((r: { id: string }) => r.id === roleId).map((r: { acquired: string }) => r.acquired).sort()).toEqual(['Assigned', 'Detected']);
  });
});
