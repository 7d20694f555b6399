import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/index.ts';
import { CORE, ENT, ERROR_URN, SP, basic, call, q, startSimulator } from './helpers.ts';

describe('simulator writes (reference §5)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 60 });
  });
  afterAll(() => sim.close());

  const newUser = (userName: string) => ({
    schemas: [CORE, ENT, SP],
    userName,
    name: { givenName: 'Zoë', familyName: 'Ünal' },
    active: true,
    password: 'pw-1',
    emails: [{ type: 'work', value: 'zoe.unal@example.com', primary: true }],
    [ENT]: { manager: { value: sim.data.userByName("Conan.O'Brien")?.id } },
    [SP]: { department: 'Legal', costcenter: ['LG100', 'L07'], capabilities: ['SCIMExecutor'], isManager: true, riskScore: 1000, lastRefresh: '2020-01-01T00:00:00.000Z' },
  });

  it('creates a user: 201, Location, ETag, body; read-only attributes silently ignored', async () => {
    const res = await call(sim, '/Users', { method: 'POST', body: newUser('zoe.unal') });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    const id = res.json.id as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('location')).toBe(`${sim.baseUrl}/Users/${id}`);
    expect(res.headers.get('etag')).toBe(res.json.meta.version);
    expect(res.json.displayName).toBe('Zoë Ünal');
    expect(res.json.emails).toEqual([{ type: 'work', value: 'zoe.unal@example.com', primary: 'true' }]);
    expect(res.json[ENT].manager.displayName).toBe("Conan O'Brien");
    expect(res.json[SP].isManager).toBe(false);
    expect(res.json[SP].riskScore).toBeUndefined();
    expect(res.json[SP].lastRefresh).toBeUndefined();
    expect(res.json[SP].costcenter).toEqual(['LG100', 'L07']);
    expect(res.json.password).toBeUndefined();
    expect(sim.data.userById(id)?.userName).toBe('zoe.unal');
    // it is visible to reads and filters at once, and the password works for an identity with SCIMExecutor
    const found = await call(sim, `/Users${q({ filter: 'userName eq "zoe.unal"' })}`);
    expect(found.json.totalResults).toBe(1);
    expect((await call(sim, '/Users?count=1', { auth: basic('zoe.unal', 'pw-1') })).status).toBe(200);
  });

  it('accepts plain application/json bodies', async () => {
    const res = await call(sim, '/Users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: { userName: 'json.body' } });
    expect(res.status).toBe(201);
  });

  it('rejects a duplicate userName with 409 uniqueness verbatim', async () => {
    const res = await call(sim, '/Users', { method: 'POST', body: { userName: "Conan.O'Brien" } });
    expect(res.status).toBe(409);
    expect(res.text).toBe(JSON.stringify({ schemas: [ERROR_URN], scimType: 'uniqueness', detail: "Resource already exists:Conan.O'Brien", status: '409' }));
  });

  it('rejects bodies without userName, with several emails, or that are not JSON', async () => {
    expect((await call(sim, '/Users', { method: 'POST', body: { displayName: 'x' } })).status).toBe(400);
    const two = await call(sim, '/Users', { method: 'POST', body: { userName: 'two.mails', emails: [{ value: 'a@x' }, { value: 'b@x' }] } });
    expect(two.status).toBe(400);
    expect(two.json.scimType).toBe('invalidValue');
    const broken = await call(sim, '/Users', { method: 'POST', body: '{"userName":' });
    expect(broken.status).toBe(400);
    expect(broken.json.schemas).toEqual([ERROR_URN]);
  });

  it('updates with PUT: only supplied attributes change, version and lastModified move on', async () => {
    const u = sim.data.userByName('Mary Ann Smith');
    const before = await call(sim, `/Users/${u?.id}`);
    const res = await call(sim, `/Users/${encodeURIComponent('Mary Ann Smith')}`, {
      method: 'PUT',
      headers: { 'if-match': before.headers.get('etag') as string },
      body: { userName: 'Mary Ann Smith', displayName: 'Mary-Ann Smith', [SP]: { jobtitle: 'Sales Director', riskScore: 1 } },
    });
    expect(res.status).toBe(200);
    expect(res.json.displayName).toBe('Mary-Ann Smith');
    expect(res.json[SP].jobtitle).toBe('Sales Director');
    expect(res.json[SP].riskScore).toBe(before.json[SP].riskScore);
    expect(res.json.emails).toEqual(before.json.emails);
    expect(res.json.meta.version).not.toBe(before.json.meta.version);
    expect(Date.parse(res.json.meta.lastModified)).toBeGreaterThan(Date.parse(before.json.meta.lastModified));
    expect(res.headers.get('etag')).toBe(res.json.meta.version);
    // the old ETag no longer matches
    expect((await call(sim, `/Users/${u?.id}`, { headers: { 'if-none-match': before.headers.get('etag') as string } })).status).toBe(200);
    const again = await call(sim, `/Users/${u?.id}`, { method: 'PUT', headers: { 'if-match': before.headers.get('etag') as string }, body: {} });
    expect(again.status).toBe(412);
  });

  it('rejects a userName change with 400 mutability verbatim', async () => {
    const u = sim.data.userByName('李小龙');
    const res = await call(sim, `/Users/${u?.id}`, { method: 'PUT', body: { userName: 'someone.else', displayName: 'changed' } });
    expect(res.status).toBe(400);
    expect(res.text).toBe(JSON.stringify({ schemas: [ERROR_URN], scimType: 'mutability', detail: "Attribute 'userName' can't be changed.", status: '400' }));
    expect(sim.data.userById(u?.id ?? '')?.displayName).toBe('李小龙');
  });

  it('moves manager status when the manager changes', async () => {
    const target = sim.data.users.find((u) => !u.isManager && u.userName.includes('.') && u.managerId) ;
    const report = sim.data.userByName('json.body');
    const res = await call(sim, `/Users/${report?.id}`, { method: 'PUT', body: { [ENT]: { manager: { value: target?.id } } } });
    expect(res.status).toBe(200);
    expect((await call(sim, `/Users/${target?.id}`)).json[SP].isManager).toBe(true);
    await call(sim, `/Users/${report?.id}`, { method: 'PUT', body: { [ENT]: { manager: {} } } });
    expect((await call(sim, `/Users/${target?.id}`)).json[SP].isManager).toBe(false);
  });

  it('deletes: 204 with an empty body, then GET 404 and gone from lists', async () => {
    const created = await call(sim, '/Users', { method: 'POST', body: { userName: 'to.delete' } });
    const id = created.json.id as string;
    const total = (await call(sim, '/Users?count=0')).json.totalResults as number;
    const del = await call(sim, `/Users/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const get = await call(sim, `/Users/${id}`);
    expect(get.status).toBe(404);
    expect(get.json.detail).toBe(`Resource ${id} not found.`);
    expect((await call(sim, '/Users?count=0')).json.totalResults).toBe(total - 1);
    expect(sim.data.userById(id)).toBeUndefined();
    expect((await call(sim, `/Users/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('keeps the sorted order right after writes', async () => {
    await call(sim, '/Users', { method: 'POST', body: { userName: '0000.first' } });
    const res = await call(sim, `/Users${q({ sortBy: 'userName', count: 1 })}`);
    expect(res.json.Resources[0].userName).toBe('0000.first');
  });

  it('creates, updates and deletes accounts', async () => {
    const owner = sim.data.userByName('Renée.Weiß');
    const sf = sim.data.applicationByName('Salesforce');
    const wd = sim.data.applicationByName('Workday');
    const urn = 'urn:ietf:params:scim:schemas:sailpoint:1.0:Application:Schema:Salesforce:account';
    const body = { identity: { value: owner?.id }, application: { value: sf?.id }, nativeIdentity: 'renee.weiss@example.com.sandbox', [urn]: { PermissionSet: ['Sales User'] } };
    const created = await call(sim, '/Accounts', { method: 'POST', body });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${sim.baseUrl}/Accounts/${created.json.id}`);
    expect(created.json[urn]).toEqual({ PermissionSet: ['Sales User'], email: 'renee.weiss@example.com' });
    expect(created.json.identity.value).toBe(owner?.id);
    const user = await call(sim, `/Users/${owner?.id}`);
    expect(user.json[SP].accounts.map((a: { value: string }) => a.value)).toContain(created.json.id);
    expect((await call(sim, '/Accounts', { method: 'POST', body })).status).toBe(409);
    expect((await call(sim, '/Accounts', { method: 'POST', body: { ...body, application: { value: wd?.id } } })).status).toBe(400);
    expect((await call(sim, '/Accounts', { method: 'POST', body: { ...body, nativeIdentity: 'x', active: false } })).status).toBe(400);
    expect((await call(sim, '/Accounts', { method: 'POST', body: { application: { value: sf?.id } } })).status).toBe(400);
    const disabled = await call(sim, `/Accounts/${created.json.id}`, { method: 'PUT', body: { active: false } });
    expect(disabled.status).toBe(200);
    expect(disabled.json.active).toBe(false);
    expect(disabled.json.meta.version).not.toBe(created.json.meta.version);
    expect((await call(sim, `/Accounts/${created.json.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(sim, `/Accounts/${created.json.id}`)).status).toBe(404);
  });
});
