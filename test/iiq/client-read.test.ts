import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f } from '../../src/iiq/filter.ts';
import type { IiqClient, IiqUser } from '../../src/iiq/types.ts';
import { client, collect, startSim, type Sim } from './sim.ts';

const ROLES_URN = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User:roles';

let sim: Sim;
let baseUrl: string;
let c: IiqClient;

beforeAll(async () => {
  ({ sim, baseUrl } = await startSim({ users: 200 }));
  c = client(baseUrl);
});
afterAll(async () => {
  await c.close();
  await sim.close();
});

const lastQuery = (path: RegExp) => {
  const recs = sim.requests.list().filter((r) => path.test(r.path));
  return recs[recs.length - 1]?.query ?? {};
};

function isUser(u: unknown): u is IiqUser {
  return typeof u === 'object' && u !== null && 'userName' in u;
}

describe('users', () => {
  it('lists a page: sortBy always sent, 1-based startIndex, users match the simulator', async () => {
    sim.requests.reset();
    const page = await c.listUsers({ count: 10 });
    expect(page.items).toHaveLength(10);
    expect(page.startIndex).toBe(1);
    const q = lastQuery(/^\/Users$/);
    expect(q).toMatchObject({ sortBy: 'userName', startIndex: '1', count: '10' });
    expect(q.attributes).toBeUndefined();
    expect(page.totalResults).toBe(await c.countUsers());
    for (const u of page.items) {
      const simUser = sim.data.userById(u.id);
      expect(simUser?.userName).toBe(u.userName);
      expect(u.displayName).toBe(simUser?.displayName ?? null);
      expect(u.roles).toBeNull();
    }
  });

  it('sorts by a logical field and order', async () => {
    sim.requests.reset();
    const page = await c.listUsers({ count: 5, sort: { by: 'familyName', order: 'descending' } });
    expect(lastQuery(/^\/Users$/)).toMatchObject({ sortBy: 'name.familyName', sortOrder: 'descending' });
    expect(page.items).toHaveLength(5);
  });

  it('gets a user by id; null for an unknown id and for a userName passed as an id', async () => {
    const someone = sim.data.users.find((u) => u.managerId !== null)!;
    const u = await c.getUser(someone.id);
    expect(isUser(u) && u.userName).toBe(someone.userName);
    expect(isUser(u) && u.manager?.id).toBe(someone.managerId);
    expect(await c.getUser('ffffffffffffffffffffffffffffffff')).toBeNull();
    expect(await c.getUser(someone.userName)).toBeNull();
    expect(await c.getUser('')).toBeNull();
  });

  it('conditional GET: If-None-Match with the current version → notModified; stale → the user', async () => {
    const someone = sim.data.users[3]!;
    const first = await c.getUser(someone.id);
    expect(isUser(first)).toBe(true);
    const version = (first as IiqUser).version!;
    expect(version).toMatch(/^W\/"\d+"$/);
    expect(await c.getUser(someone.id, { ifNoneMatch: version })).toEqual({ notModified: true });
    const again = await c.getUser(someone.id, { ifNoneMatch: 'W/"1"' });
    expect(isUser(again) && again.id).toBe(someone.id);
  });

  it('asks for roles by full URN and takes role ids from $ref', async () => {
    const withRoles = sim.data.users.filter((u) => u.roles.length >= 2).slice(0, 5);
    expect(withRoles.length).toBeGreaterThan(0);
    for (const s of withRoles) {
      sim.requests.reset();
      const u = await c.getUser(s.id, { includeRoles: true });
      expect(isUser(u)).toBe(true);
      const got = (u as IiqUser).roles!.map((r) => `${r.roleId}/${r.acquired}`).sort();
      expect(got).toEqual(s.roles.map((r) => `${r.roleId}/${r.acquired}`).sort());
      for (const r of (u as IiqUser).roles!) expect(sim.data.roleById(r.roleId)).toBeDefined();
      expect(lastQuery(/^\/Users\//).attributes?.split(',')).toContain(ROLES_URN);
    }
  });

  it('default fields plus roles still returns the default attributes, custom ones included', async () => {
    const s = sim.data.users.find((u) => u.department !== null && u.roles.length > 0 && u.email !== null)!;
    const plain = (await c.getUser(s.id)) as IiqUser;
    const withRoles = (await c.getUser(s.id, { includeRoles: true })) as IiqUser;
    expect(withRoles.roles!.length).toBe(s.roles.length);
    expect(withRoles.email).toBe(s.email);
    expect(withRoles.displayName).toBe(plain.displayName);
    expect(withRoles.customAttributes).toEqual(plain.customAttributes);
    expect(plain.customAttributes.department).toBe(s.department);
    expect(plain.roles).toBeNull();
  });

  it('learns the default attribute set from /Schemas once; falls back to the fixed set when /Schemas is refused', async () => {
    const { sim: s2, baseUrl: b2 } = await startSim({ users: 30 });
    const c2 = client(b2);
    const c3 = client(b2);
    try {
      const s = s2.data.users.find((u) => u.department !== null && u.roles.length > 0)!;
      s2.requests.reset();
      await c2.getUser(s.id, { includeRoles: true });
      await c2.getUser(s.id, { includeRoles: true });
      expect(s2.requests.count({ method: 'GET', path: /^\/Schemas\// })).toBe(3);
      const attrs = s2.requests.list().filter((r) => r.path.startsWith('/Users/')).map((r) => r.query.attributes!.split(','));
      expect(attrs[0]).toEqual(expect.arrayContaining(['userName', 'emails', 'urn:ietf:params:scim:schemas:sailpoint:1.0:User:department', ROLES_URN]));
      expect(attrs[0]).not.toContain('password');
      expect(attrs[0]).not.toContain('urn:ietf:params:scim:schemas:sailpoint:1.0:User:entitlements');

      s2.faults.inject({ type: 'status', status: 400, times: 3, method: 'GET', pathPrefix: '/Schemas' });
      s2.requests.reset();
      const u = (await c3.getUser(s.id, { includeRoles: true })) as IiqUser;
      expect(u.roles!.length).toBe(s.roles.length);
      expect(u.displayName).toBe(s.displayName);
      expect(u.customAttributes).not.toHaveProperty('department');
      await c3.getUser(s.id, { includeRoles: true });
      expect(s2.requests.count({ method: 'GET', path: /^\/Schemas\// })).toBeLessThanOrEqual(3);
    } finally {
      s2.faults.clear();
      await c2.close();
      await c3.close();
      await s2.close();
    }
  });

  it('pushes selected fields down as SCIM attributes (always id and userName)', async () => {
    sim.requests.reset();
    const page = await c.listUsers({ count: 5, fields: ['displayName', 'custom:department'] });
    expect(lastQuery(/^\/Users$/).attributes).toBe('id,userName,displayName,urn:ietf:params:scim:schemas:sailpoint:1.0:User:department');
    for (const u of page.items) {
      expect(u.id).toMatch(/^[0-9a-f]{32}$/);
      expect(u.userName).toBe(sim.data.userById(u.id)?.userName);
      expect(u.email).toBeNull();
    }
  });

  it('excludedFields pass through as excludedAttributes', async () => {
    sim.requests.reset();
    const page = await c.listUsers({ count: 5, excludedFields: ['custom:department', 'email'] });
    expect(lastQuery(/^\/Users$/).excludedAttributes).toBe('urn:ietf:params:scim:schemas:sailpoint:1.0:User:department,emails');
    for (const u of page.items) {
      expect(u.customAttributes).not.toHaveProperty('department');
      expect(u.email).toBeNull();
    }
  });

  it('entitlements are requested by full URN and mapped', async () => {
    const s = sim.data.users.find((u) => u.accounts.length > 1)!;
    sim.requests.reset();
    const u = (await c.getUser(s.id, { includeEntitlements: true })) as IiqUser;
    expect(lastQuery(/^\/Users\//).attributes?.split(',')).toContain('urn:ietf:params:scim:schemas:sailpoint:1.0:User:entitlements');
    expect(u.entitlements!.length).toBeGreaterThan(0);
    for (const e of u.entitlements!) {
      expect(e.entitlementId).toMatch(/^[0-9a-f]{32}$/);
      expect(e.attribute).not.toBe('');
      expect(s.accounts.map((a) => a.application)).toContain(e.application);
    }
    expect(u.roles).toBeNull();
  });

  it('identity-typed custom attributes become references; empty ones null', async () => {
    const s = sim.data.users.find((u) => u.regionOwner !== null)!;
    const u = (await c.getUser(s.id)) as IiqUser;
    expect(u.customAttributes.regionOwner).toEqual({ id: s.regionOwner, displayName: sim.data.userById(s.regionOwner!)!.displayName });
    const noOwner = sim.data.users.find((x) => x.locationOwner === null && x.location !== null);
    if (noOwner) expect(((await c.getUser(noOwner.id)) as IiqUser).customAttributes.locationOwner ?? null).toBeNull();
  });

  it('counts users with count=0 and a filter', async () => {
    const active = sim.data.users.filter((u) => u.active).length;
    expect(await c.countUsers(f.eq('active', true))).toBe(active);
  });

  it('getUsersByNames: key order, null for missing, duplicates allowed', async () => {
    const [a, b] = [sim.data.users[10]!, sim.data.users[20]!];
    const res = await c.getUsersByNames([b.userName, 'no.such.user', a.userName, b.userName]);
    expect(res.map((u) => u?.id ?? null)).toEqual([b.id, null, a.id, b.id]);
    expect(await c.getUsersByNames([])).toEqual([]);
    // a key too long for any filter URL is a miss, not a failed batch
    expect((await c.getUsersByNames([a.userName, 'x'.repeat(10_000)])).map((u) => u?.id ?? null)).toEqual([a.id, null]);
  });

  it('getUsersByNames: case-insensitive server matches are mapped back to the key', async () => {
    const a = sim.data.users.find((u) => /[a-z]/.test(u.userName) && /^[\x20-\x7e]+$/.test(u.userName))!;
    const [hit] = await c.getUsersByNames([a.userName.toUpperCase()]);
    // IIQ's userName comparison is not caseExact; a unique folded match is the same identity
    expect(hit?.id).toBe(a.id);
  });

  it('getUsersByNames with many names splits the filter and keeps order', async () => {
    const names = sim.data.users.slice(0, 150).map((u) => u.userName).reverse();
    sim.requests.reset();
    const res = await c.getUsersByNames(names);
    expect(res.map((u) => u?.userName)).toEqual(names);
    expect(sim.requests.count({ method: 'GET', path: /^\/Users$/ })).toBeGreaterThan(1);
    for (const r of sim.requests.list().filter((x) => x.path === '/Users')) {
      expect(`${baseUrl}/Users?${new URLSearchParams(r.query).toString()}`.length).toBeLessThan(8192);
    }
  });
});

describe('hostile userNames', () => {
  const needles = [`'`, '"', '\\', ' ', 'é', 'ß', '李'];
  it('each hostile-but-legal userName round-trips through the filter and matches exactly one user', async () => {
    const hostile = sim.data.users.filter((u) => needles.some((n) => u.userName.includes(n)));
    for (const n of needles) expect(hostile.some((u) => u.userName.includes(n)), `a user with ${JSON.stringify(n)}`).toBe(true);
    for (const s of hostile) {
      const page = await c.listUsers({ filter: f.eq('userName', s.userName), count: 10 });
      expect(page.totalResults, s.id).toBe(1);
      expect(page.items[0]!.id).toBe(s.id);
      expect((await c.getUserByName(s.userName))?.id).toBe(s.id);
    }
    const batch = await c.getUsersByNames(hostile.map((u) => u.userName));
    expect(batch.map((u) => u?.id)).toEqual(hostile.map((u) => u.id));
  });

  it('userNameLookup: lookupByName uses GET /Users/{name}?lookupByName=true, falling back to the filter for / and \\', async () => {
    const byPath = client(baseUrl, { userNameLookup: 'lookupByName' });
    try {
      const plain = sim.data.users.find((u) => /[ 'é"]/.test(u.userName) && !/[\/\\]/.test(u.userName))!;
      sim.requests.reset();
      expect((await byPath.getUserByName(plain.userName))?.id).toBe(plain.id);
      const rec = sim.requests.list().filter((r) => r.path.startsWith('/Users'));
      expect(rec.map((r) => [r.path, r.query.lookupByName])).toEqual([[`/Users/${plain.userName}`, 'true']]);
      expect(await byPath.getUserByName('no.such.user')).toBeNull();

      const slashy = sim.data.users.find((u) => u.userName.includes('\\'))!;
      sim.requests.reset();
      expect((await byPath.getUserByName(slashy.userName))?.id).toBe(slashy.id);
      expect(sim.requests.list().filter((r) => r.path.startsWith('/Users')).map((r) => r.path)).toEqual(['/Users']);
    } finally {
      await byPath.close();
    }
  });

  it('injection attempts match nothing instead of widening the filter', async () => {
    for (const v of ['") or (userName pr', '" or "1" eq "1', 'x\\" or userName pr or userName eq \\"', 'a\u0000b', 'line\nbreak', '\u001f']) {
      const page = await c.listUsers({ filter: f.eq('userName', v), count: 5 });
      expect(page.totalResults, JSON.stringify(v)).toBe(0);
      expect(await c.getUserByName(v)).toBeNull();
    }
  });

  it('hostile userNames round trip: created with exactly that name, found exactly by eq filter, getUserByName, getUsersByNames', async () => {
    const names = ['") or (userName pr', 'a\u0001b', 'tab\there', 'line\nbreak', 'Ωμέγα-名前-Ünïcødé-'.repeat(8)];
    const created = new Map<string, string>();
    for (const userName of names) {
      const u = await c.createUser({ userName, displayName: `hostile ${created.size}` });
      expect(u.userName, JSON.stringify(userName)).toBe(userName);
      expect(sim.data.userById(u.id)?.userName).toBe(userName);
      created.set(userName, u.id);
    }
    try {
      for (const userName of names) {
        const id = created.get(userName)!;
        const page = await c.listUsers({ filter: f.eq('userName', userName), count: 5 });
        expect(page.items.map((u) => u.id), JSON.stringify(userName)).toEqual([id]);
        expect(page.totalResults).toBe(1);
        expect((await c.getUserByName(userName))?.id, JSON.stringify(userName)).toBe(id);
      }
      const batch = await c.getUsersByNames([...names, 'no.such.user']);
      expect(batch.map((u) => u?.id ?? null)).toEqual([...names.map((n) => created.get(n)!), null]);
      expect(batch.map((u) => u?.userName ?? null)).toEqual([...names, null]);
    } finally {
      for (const id of created.values()) await c.deleteUser(id);
    }
  });

  it('co / sw with quotes and backslashes', async () => {
    const quoted = sim.data.users.find((u) => u.userName.includes('"'))!;
    const page = await c.listUsers({ filter: f.co('userName', '"quoted"'), count: 10 });
    expect(page.items.map((u) => u.id)).toContain(quoted.id);
    const bs = sim.data.users.find((u) => u.userName.includes('\\'))!;
    const prefix = bs.userName.slice(0, bs.userName.indexOf('\\') + 1);
    const page2 = await c.listUsers({ filter: f.sw('userName', prefix), count: 10 });
    expect(page2.items.map((u) => u.id)).toContain(bs.id);
  });
});

describe('paging', () => {
  it('iterates every user exactly once, in order, sequential and parallel, stopping on totalResults', async () => {
    const total = await c.countUsers();
    sim.requests.reset();
    const seq = await collect(c.iterateUsers({}, { pageSize: 7 }));
    const seqRequests = sim.requests.count({ method: 'GET', path: /^\/Users$/ });
    sim.requests.reset();
    const par = await collect(c.iterateUsers({}, { pageSize: 7, concurrency: 4 }));
    const parRequests = sim.requests.count({ method: 'GET', path: /^\/Users$/ });
    expect(seq).toHaveLength(total);
    expect(new Set(seq.map((u) => u.id)).size).toBe(total);
    expect(par.map((u) => u.id)).toEqual(seq.map((u) => u.id));
    expect(seqRequests).toBe(Math.ceil(total / 7));
    expect(parRequests).toBe(Math.ceil(total / 7));
    const starts = sim.requests.list().map((r) => Number(r.query.startIndex)).sort((a, b) => a - b);
    expect(starts[0]).toBe(1);
    expect(new Set(starts).size).toBe(starts.length);
    // in the order the server sorts userName
    const whole = await c.listUsers({ count: 1000 });
    expect(seq.map((u) => u.id)).toEqual(whole.items.map((u) => u.id));
  });

  it('iterates with roles and a filter', async () => {
    const expected = sim.data.users.filter((u) => u.active).length;
    const users = await collect(c.iterateUsers({ filter: f.eq('active', true), includeRoles: true }, { pageSize: 50, concurrency: 3 }));
    expect(users).toHaveLength(expected);
    for (const u of users) expect(u.roles!.length).toBe(sim.data.userById(u.id)!.roles.length);
  });
});

describe('roles', () => {
  it('lists the whole catalog sorted by name', async () => {
    sim.requests.reset();
    const roles = await c.listAllRoles({ pageSize: 10, concurrency: 3 });
    expect(roles.map((r) => r.id).sort()).toEqual(sim.data.roles.map((r) => r.id).sort());
    // in the server's name order, exactly as one big page would list them
    const onePage = await c.listRoles({ count: 1000 });
    expect(roles.map((r) => r.id)).toEqual(onePage.items.map((r) => r.id));
    for (const q of sim.requests.list().filter((r) => r.path === '/Roles')) expect(q.query.sortBy).toBe('name');
    const withParent = sim.data.roles.find((r) => r.parentIds.length > 0);
    if (withParent) expect(roles.find((r) => r.id === withParent.id)!.parentIds).toEqual(withParent.parentIds);
  });

  it('gets a role by id and by name; null when missing', async () => {
    const r = sim.data.roles[0]!;
    expect((await c.getRole(r.id))?.name).toBe(r.name);
    expect((await c.getRoleByName(r.name))?.id).toBe(r.id);
    expect(await c.getRole('ffffffffffffffffffffffffffffffff')).toBeNull();
    expect(await c.getRoleByName('no such role "x"')).toBeNull();
  });

  it('filters roles by logical fields', async () => {
    const parent = sim.data.roles.find((r) => sim.data.roles.some((x) => x.parentIds.includes(r.id)));
    expect(parent).toBeDefined();
    const children = sim.data.roles.filter((x) => x.parentIds.includes(parent!.id));
    const page = await c.listRoles({ filter: f.eq('parentId', parent!.id), count: 100 });
    expect(page.items.map((r) => r.id).sort()).toEqual(children.map((r) => r.id).sort());
    const its = await c.listRoles({ filter: f.eq('type', 'it'), count: 1 });
    expect(its.totalResults).toBe(sim.data.roles.filter((r) => r.type === 'it').length);
  });
});

describe('service provider config', () => {
  it('is fetched once, lazily, without credentials', async () => {
    const { sim: s2, baseUrl: b2 } = await startSim({ users: 20, maxResults: 25 });
    const c2 = client(b2);
    try {
      expect(s2.requests.count({ path: '/ServiceProviderConfig' })).toBe(0);
      const spc = await c2.serviceProviderConfig();
      expect(spc.maxResults).toBe(25);
      expect(spc.authenticationSchemes).toEqual(expect.arrayContaining(['httpbasic', 'oauthbearertoken']));
      await c2.listUsers({ count: 500 });
      await c2.listUsers({ count: 3 });
      expect(s2.requests.count({ path: '/ServiceProviderConfig' })).toBe(1);
      const counts = s2.requests.list().filter((r) => r.path === '/Users').map((r) => r.query.count);
      expect(counts).toEqual(['25', '3']);
      // iterator page size clamped as well
      s2.requests.reset();
      const all = await collect(c2.iterateUsers({}, { pageSize: 1000 }));
      expect(all).toHaveLength(await c2.countUsers());
      expect(s2.requests.list().filter((r) => r.path === '/Users' && r.query.count !== '0').every((r) => r.query.count === '25')).toBe(true);
    } finally {
      await c2.close();
      await s2.close();
    }
  });
});

describe('getUsersByIds', () => {
  it('idFilterable=false: one filter probe (400 invalidFilter), then bounded-parallel GETs, remembered', async () => {
    const { sim: s2, baseUrl: b2 } = await startSim({ users: 50, idFilterable: false });
    const c2 = client(b2);
    try {
      const ids = s2.data.users.slice(0, 12).map((u) => u.id);
      const keys = [ids[3]!, 'ffffffffffffffffffffffffffffffff', ...ids, ids[3]!];
      s2.requests.reset();
      const res = await c2.getUsersByIds(keys);
      expect(res.map((u) => u?.id ?? null)).toEqual(keys.map((k) => (k.startsWith('ffff') ? null : k)));
      expect(s2.requests.count({ method: 'GET', path: /^\/Users$/ })).toBe(1);
      expect(s2.requests.count({ method: 'GET', path: /^\/Users\// })).toBe(13);
      s2.requests.reset();
      await c2.getUsersByIds(ids.slice(0, 4));
      expect(s2.requests.count({ method: 'GET', path: /^\/Users$/ })).toBe(0);
      expect(s2.requests.count({ method: 'GET', path: /^\/Users\// })).toBe(4);
    } finally {
      await c2.close();
      await s2.close();
    }
  });

  it('concurrent batches on a fresh client share one probe', async () => {
    const { sim: s2, baseUrl: b2 } = await startSim({ users: 50, idFilterable: false });
    const c2 = client(b2);
    try {
      await c2.serviceProviderConfig();
      const ids = s2.data.users.map((u) => u.id);
      s2.requests.reset();
      const [a, b] = await Promise.all([c2.getUsersByIds(ids.slice(0, 5)), c2.getUsersByIds(ids.slice(5, 9))]);
      expect([...a, ...b].map((u) => u?.id)).toEqual(ids.slice(0, 9));
      expect(s2.requests.count({ method: 'GET', path: /^\/Users$/ })).toBe(1);
      expect(s2.requests.count({ method: 'GET', path: /^\/Users\// })).toBe(9);
    } finally {
      await c2.close();
      await s2.close();
    }
  });

  it('idFilterable=true: filter requests only', async () => {
    const { sim: s2, baseUrl: b2 } = await startSim({ users: 300, idFilterable: true });
    const c2 = client(b2);
    try {
      const ids = s2.data.users.slice(0, 250).map((u) => u.id).reverse();
      s2.requests.reset();
      const res = await c2.getUsersByIds([...ids, 'ffffffffffffffffffffffffffffffff']);
      expect(res.map((u) => u?.id ?? null)).toEqual([...ids, null]);
      expect(s2.requests.count({ method: 'GET', path: /^\/Users\// })).toBe(0);
      expect(s2.requests.count({ method: 'GET', path: /^\/Users$/ })).toBe(3); // 100 + 100 + 51 terms
      s2.requests.reset();
      const withRoles = await c2.getUsersByIds(ids.slice(0, 3), { includeRoles: true });
      expect(withRoles.map((u) => u?.roles?.length)).toEqual(ids.slice(0, 3).map((id) => s2.data.userById(id)!.roles.length));
      expect(s2.requests.count({ method: 'GET', path: /^\/Users$/ })).toBe(1);
    } finally {
      await c2.close();
      await s2.close();
    }
  });
});
