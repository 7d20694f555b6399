import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/index.ts';
import { ERROR_URN, LIST_URN, call, startSimulator } from './helpers.ts';

describe('simulator endpoints and methods', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 100 });
  });
  afterAll(() => sim.close());

  it.each(['/Users', '/Roles', '/Entitlements', '/Accounts', '/Applications', '/PolicyViolations', '/Workflows', '/TaskResults', '/ResourceTypes', '/Schemas'])(
    'GET %s is a ListResponse',
    async (path) => {
      const res = await call(sim, `${path}?count=2`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/scim+json');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
      expect(res.json.schemas).toEqual([LIST_URN]);
      expect(res.json.totalResults).toBeGreaterThan(0);
      expect(Array.isArray(res.json.Resources)).toBe(true);
    },
  );

  it.each(['Users', 'Roles', 'Entitlements', 'Accounts', 'Applications', 'PolicyViolations', 'Workflows', 'TaskResults'])(
    'GET /%s/{id} returns the bare resource',
    async (endpoint) => {
      const list = await call(sim, `/${endpoint}?count=1`);
      const id = list.json.Resources[0].id as string;
      const one = await call(sim, `/${endpoint}/${id}`);
      expect(one.status).toBe(200);
      expect(one.json.id).toBe(id);
      expect(one.json.Resources).toBeUndefined();
      expect(one.json.meta.location).toBe(`${sim.baseUrl}/${endpoint}/${id}`);
    },
  );

  it.each([
    ['PATCH', '/Users'],
    ['PATCH', '/Users/spadmin'],
    ['POST', '/Roles'],
    ['PUT', '/Roles/x'],
    ['DELETE', '/Roles/x'],
    ['POST', '/Entitlements'],
    ['POST', '/Applications'],
    ['DELETE', '/PolicyViolations/x'],
    ['POST', '/Workflows'],
    ['POST', '/TaskResults'],
    ['PUT', '/Users'],
    ['DELETE', '/Users'],
    ['POST', '/Users/spadmin'],
    ['POST', '/ServiceProviderConfig'],
    ['POST', '/Schemas'],
  ])('%s %s -> 405', async (method, path) => {
    const res = await call(sim, path, { method, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('allow')).toBeTruthy();
  });

  it('POST /Users/.search matches the /Users/{idOrName} template, which has no POST -> 405 (JAX-RS)', async () => {
    expect((await call(sim, '/Users/.search', { method: 'POST', body: {} })).status).toBe(405);
  });

  it.each(['/Bulk', '/.search', '/Groups', '/Nope', '/'])('%s -> 404', async (path) => {
    const method = path.includes('search') || path === '/Bulk' ? 'POST' : 'GET';
    const res = await call(sim, path, { method, body: method === 'POST' ? {} : undefined });
    expect(res.status).toBe(404);
  });

  it('GET /Groups -> 404 as well', async () => {
    expect((await call(sim, '/Groups')).status).toBe(404);
  });

  it.each(['/ResourceTypes', '/Schemas'])('%s with a filter -> 403 invalidFilter', async (path) => {
    const res = await call(sim, `${path}?filter=${encodeURIComponent('id eq "User"')}`);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ schemas: [ERROR_URN], scimType: 'invalidFilter', detail: 'Query filter is not supported.', status: '403' });
  });

  it('describes the User resource type with both extensions required', async () => {
    const res = await call(sim, '/ResourceTypes/User');
    expect(res.status).toBe(200);
    expect(res.json.schema).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(res.json.schemaExtensions).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: true },
      { schema: 'urn:ietf:params:scim:schemas:sailpoint:1.0:User', required: true },
    ]);
    const schema = await call(sim, '/Schemas/urn:ietf:params:scim:schemas:sailpoint:1.0:User');
    expect(schema.status).toBe(200);
    const roles = schema.json.attributes.find((a: { name: string }) => a.name === 'roles');
    expect(roles.returned).toBe('request');
  });

  it('looks users up by id or by userName, and by name only with lookupByName=true', async () => {
    const u = sim.data.userByName("Conan.O'Brien");
    expect(u).toBeDefined();
    const byId = await call(sim, `/Users/${u?.id}`);
    expect(byId.json.userName).toBe("Conan.O'Brien");
    const byName = await call(sim, `/Users/${encodeURIComponent("Conan.O'Brien")}`);
    expect(byName.status).toBe(200);
    expect(byName.json.id).toBe(u?.id);
    const lookup = await call(sim, `/Users/${encodeURIComponent('Mary Ann Smith')}?lookupByName=true`);
    expect(lookup.status).toBe(200);
    expect(lookup.json.userName).toBe('Mary Ann Smith');
    // with lookupByName=true an id is treated as a name -> not found
    const idAsName = await call(sim, `/Users/${u?.id}?lookupByName=true`);
    expect(idAsName.status).toBe(404);
    // hostile names survive the path
    for (const name of ['a "quoted" name', 'CORP\\jdoe', '李小龙', 'Renée.Weiß']) {
      const r = await call(sim, `/Users/${encodeURIComponent(name)}`);
      expect(r.status, name).toBe(200);
      expect(r.json.userName).toBe(name);
    }
  });

  it('accepts a trailing slash', async () => {
    const res = await call(sim, '/Users/?count=1');
    expect(res.status).toBe(200);
    expect(res.json.Resources).toHaveLength(1);
  });

  it('looks roles up by id or name', async () => {
    const role = sim.data.roleByName('Accounts Payable Clerk');
    const byName = await call(sim, `/Roles/${encodeURIComponent('Accounts Payable Clerk')}?lookupByName=true`);
    expect(byName.json.id).toBe(role?.id);
    const byId = await call(sim, `/Roles/${role?.id}`);
    expect(byId.json.name).toBe('Accounts Payable Clerk');
  });

  it('answers 404 verbatim for an unknown resource', async () => {
    const res = await call(sim, '/Users/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(res.text).toBe(JSON.stringify({ schemas: [ERROR_URN], detail: 'Resource does-not-exist not found.', status: '404' }));
  });

  it('serves the other resources with their IIQ shapes', async () => {
    const acct = (await call(sim, '/Accounts?count=1&sortBy=nativeIdentity')).json.Resources[0];
    expect(acct.schemas[0]).toBe('urn:ietf:params:scim:schemas:sailpoint:1.0:Account');
    expect(acct.schemas[1]).toMatch(/^urn:ietf:params:scim:schemas:sailpoint:1\.0:Application:Schema:.+:account$/);
    expect(acct.identity.$ref).toBe(`${sim.baseUrl}/Users/${acct.identity.value}`);
    expect(acct.application.$ref).toBe(`${sim.baseUrl}/Applications/${acct.application.value}`);
    const pv = (await call(sim, '/PolicyViolations?count=1')).json.Resources[0];
    expect(pv).toMatchObject({ policyName: expect.any(String), constraintName: expect.any(String), status: expect.any(String) });
    expect(pv.identity.value).toMatch(/^[0-9a-f]{32}$/);
    const ent = (await call(sim, `/Entitlements?filter=${encodeURIComponent('attribute eq "memberOf"')}&count=1`)).json.Resources[0];
    expect(ent.value).toMatch(/^CN=.*,OU=Groups,DC=example,DC=com$/);
    const apps = (await call(sim, '/Applications?filter=' + encodeURIComponent('name eq "Active_Directory"'))).json;
    expect(apps.totalResults).toBe(1);
    expect(apps.Resources[0].type).toBe('Active Directory - Direct');
  });

  it('keeps workgroups off /Users although they own entitlements', async () => {
    const wg = sim.data.workgroups[0];
    expect(wg).toBeDefined();
    const owned = sim.data.entitlements.find((e) => e.ownerId === wg?.id);
    expect(owned).toBeDefined();
    const ent = await call(sim, `/Entitlements/${owned?.id}`);
    expect(ent.json.owner).toEqual({ value: wg?.id, displayName: wg?.name, $ref: `${sim.baseUrl}/Users/${wg?.id}` });
    const filtered = await call(sim, `/Entitlements?filter=${encodeURIComponent(`owner.displayName eq "${wg?.name}"`)}`);
    expect(filtered.json.totalResults).toBe(sim.data.entitlements.filter((e) => e.ownerId === wg?.id).length);
    const get = await call(sim, `/Users/${wg?.id}`);
    expect(get.status).toBe(404);
    expect(get.json.detail).toBe(`Resource ${wg?.id} not found.`);
    const all = await call(sim, '/Users?count=1000&attributes=userName');
    expect(all.json.Resources.map((r: { id: string }) => r.id)).not.toContain(wg?.id);
    expect(all.json.totalResults).toBe(sim.data.users.length);
  });

  it('describes the extended identity attributes in /ObjectConfigs/Identity (8.x)', async () => {
    const list = await call(sim, '/ObjectConfigs');
    expect(list.json.Resources.map((o: { name: string }) => o.name).sort()).toEqual(['Bundle', 'Identity', 'Link', 'ManagedAttribute']);
    const identity = await call(sim, '/ObjectConfigs/Identity');
    expect(identity.status).toBe(200);
    expect(identity.json.schemas).toEqual(['urn:ietf:params:scim:schemas:sailpoint:1.0:ObjectConfig']);
    const attrs = identity.json.objectAttributes as { name: string; type: string; multi: boolean; standard: boolean }[];
    const extended = attrs.filter((a) => !a.standard && !('system' in a && (a as { system: boolean }).system));
    expect(extended.map((a) => a.name).sort()).toEqual(['costcenter', 'department', 'empId', 'jobtitle', 'location', 'locationOwner', 'region', 'regionOwner']);
    expect(attrs.find((a) => a.name === 'costcenter')?.multi).toBe(true);
    expect(attrs.find((a) => a.name === 'regionOwner')?.type).toBe('sailpoint.object.Identity');
    // every extended attribute really appears in the SailPoint extension of a user
    const user = await call(sim, `/Users/${encodeURIComponent("Conan.O'Brien")}`);
    for (const a of extended) expect(user.json['urn:ietf:params:scim:schemas:sailpoint:1.0:User']).toHaveProperty([a.name]);
    expect((await call(sim, '/ObjectConfigs/Identity', { method: 'PUT', body: {} })).status).toBe(405);
  });
});
