import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/index.ts';
import { CORE, ENT, ERROR_URN, SP, call, jsonType, specProperties, startSimulator } from './helpers.ts';

describe('simulator resource shapes (reference §3)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 80 });
  });
  afterAll(() => sim.close());

  it('renders a User exactly like IIQ', async () => {
    const u = sim.data.userByName("Conan.O'Brien");
    const res = await call(sim, `/Users/${u?.id}`);
    const body = res.json;
    expect(body.schemas).toEqual([SP, CORE, ENT]);
    expect(Object.keys(body)).toEqual(['schemas', 'id', 'userName', 'name', 'displayName', 'userType', 'active', 'emails', ENT, SP, 'meta']);
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.name).toEqual({ formatted: "Conan O'Brien", familyName: "O'Brien", givenName: 'Conan' });
    expect(body.emails).toEqual([{ type: 'work', value: 'conan.obrien@example.com', primary: 'true' }]);
    const manager = sim.data.userById(u?.managerId ?? '');
    expect(body[ENT]).toEqual({ manager: { value: manager?.id, displayName: manager?.displayName, $ref: `${sim.baseUrl}/Users/${manager?.id}` } });
    const sp = body[SP];
    expect(sp.capabilities).toEqual([]);
    expect(typeof sp.isManager).toBe('boolean');
    expect(sp.department).toBe('Finance');
    expect(Array.isArray(sp.costcenter)).toBe(true);
    expect(sp.jobtitle).toBe('Accounts Payable Clerk');
    expect(sp.location).toBe('London');
    expect(sp.region).toBe('EMEA');
    expect(sp.empId).toMatch(/^\d+$/);
    expect(sp.administrator).toEqual({});
    for (const key of ['locationOwner', 'regionOwner']) {
      const v = sp[key];
      if (Object.keys(v).length > 0) {
        expect(Object.keys(v)).toEqual(['value', 'displayName', '$ref']);
        expect(v.$ref).toBe(`${sim.baseUrl}/Users/${v.value}`);
      } else {
        expect(v).toEqual({});
      }
    }
    for (const a of sp.accounts) {
      expect(Object.keys(a)).toEqual(['displayName', 'value', '$ref']);
      expect(a.$ref).toBe(`${sim.baseUrl}/Accounts/${a.value}`);
    }
    expect(body.meta).toEqual({
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00$/),
      lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00$/),
      location: `${sim.baseUrl}/Users/${u?.id}`,
      version: `W/"${u?.lastModified}"`,
      resourceType: 'User',
    });
    expect(Date.parse(body.meta.lastModified)).toBe(u?.lastModified);
    expect(res.headers.get('etag')).toBe(`W/"${u?.lastModified}"`);
    expect(res.headers.get('location')).toBe(`${sim.baseUrl}/Users/${u?.id}`);
  });

  it('renders the manager as {} and omits nulls', async () => {
    const admin = await call(sim, '/Users/spadmin');
    expect(admin.json[ENT]).toEqual({ manager: {} });
    expect(admin.json.userType).toBeUndefined();
    expect(admin.json.emails).toBeUndefined();
    expect(admin.json[SP].riskScore).toBeUndefined();
    expect(admin.json[SP].department).toBeUndefined();
    expect(admin.json[SP].capabilities).toEqual(['SystemAdministrator']);
    expect(admin.text).not.toContain('null');
    const svc = await call(sim, '/Users/scim.service');
    expect(svc.json[SP].administrator.value).toBe(sim.data.userByName('spadmin')?.id);
  });

  it('renders a Role exactly like IIQ', async () => {
    const role = sim.data.roleByName('Accounts Payable Clerk');
    const res = await call(sim, `/Roles/${role?.id}`);
    const body = res.json;
    expect(body.schemas).toEqual(['urn:ietf:params:scim:schemas:sailpoint:1.0:Role']);
    expect(body.type).toEqual({ name: 'business', displayName: 'Business', assignmentSelector: true, autoAssignment: true, iiq: false, manualAssignment: true, permits: true, requirements: true });
    expect(body.descriptions).toEqual([{ locale: 'en_US', value: 'Processes vendor invoices.' }]);
    expect(body.inheritance).toEqual([{ value: role?.parentIds[0], displayName: 'Accounts Payable Team', $ref: `${sim.baseUrl}/Roles/${role?.parentIds[0]}` }]);
    expect(body.requirements.map((r: { displayName: string }) => r.displayName)).toEqual(['SAP - AP Clerk - IT', 'AD - Finance Share - IT']);
    expect(body.permits).toEqual([]);
    expect(body.members).toBeUndefined();
    expect(body.meta.resourceType).toBe('Role');
    expect(res.headers.get('etag')).toBe(body.meta.version);
    const it = await call(sim, `/Roles/${sim.data.roleByName('SAP - AP Clerk - IT')?.id}`);
    expect(it.json.type).toEqual({ name: 'it', displayName: 'IT', assignmentSelector: false, autoAssignment: false, iiq: false, manualAssignment: false, permits: false, requirements: false });
  });

  it.each([
    ['userResponse', '/Users/spadmin', []],
    ['userResponse', `/Users/${encodeURIComponent("Conan.O'Brien")}`, []],
    ['roleResponse', '/Roles/Enterprise?lookupByName=true', ['owner', 'activationDate', 'deactivationDate', 'classifications', 'descriptions']],
    ['roleResponse', `/Roles/${encodeURIComponent('Controller')}?lookupByName=true`, ['activationDate', 'deactivationDate']],
  ])('matches the OpenAPI %s properties (%s)', async (schemaName, path, optional) => {
    const props = specProperties(schemaName);
    expect(props.size).toBeGreaterThan(8);
    const res = await call(sim, path);
    expect(res.status).toBe(200);
    for (const key of Object.keys(res.json)) expect([...props.keys()], `unexpected property ${key}`).toContain(key);
    for (const [key, type] of props) {
      if (key === 'userType' && path.includes('spadmin')) continue; // omitted when null
      if (key === 'emails' && path.includes('spadmin')) continue;
      if ((optional as string[]).includes(key)) continue;
      expect(res.json, `missing ${key}`).toHaveProperty([key]);
      if (type) expect(jsonType(res.json[key]) === type || (type === 'number' && jsonType(res.json[key]) === 'integer'), `${key}: ${type}`).toBe(true);
    }
  });

  it('matches the OpenAPI accountResponse properties', async () => {
    const props = specProperties('accountResponse');
    const placeholder = 'urn:ietf:params:scim:schemas:sailpoint:1.0:Application:Schema:APPLICATION NAME:account';
    expect(props.has(placeholder)).toBe(true);
    const res = await call(sim, '/Accounts?count=20&sortBy=nativeIdentity');
    for (const account of res.json.Resources as Record<string, unknown>[]) {
      const appUrn = (account['schemas'] as string[])[1] as string;
      for (const key of Object.keys(account)) expect([...props.keys()], key).toContain(key === appUrn ? placeholder : key);
      for (const key of ['id', 'identity', 'application', 'nativeIdentity', 'displayName', 'active', 'locked', 'meta', 'schemas']) {
        expect(account, key).toHaveProperty([key]);
        const type = props.get(key);
        if (type) expect(jsonType(account[key]), key).toBe(type);
      }
    }
  });

  it('answers 304 to a matching If-None-Match and 200 otherwise', async () => {
    const u = sim.data.users[10];
    const first = await call(sim, `/Users/${u?.id}`);
    const etag = first.headers.get('etag') as string;
    const again = await call(sim, `/Users/${u?.id}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const stale = await call(sim, `/Users/${u?.id}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(stale.status).toBe(200);
  });

  it('answers 412 to a PUT whose If-Match does not match', async () => {
    const u = sim.data.userByName('Mary Ann Smith');
    const res = await call(sim, `/Users/${u?.id}`, { method: 'PUT', headers: { 'if-match': 'W/"1"' }, body: { userName: 'Mary Ann Smith', displayName: 'X' } });
    expect(res.status).toBe(412);
    expect(res.json).toEqual({ schemas: [ERROR_URN], detail: `Resource ${u?.id} has changed.`, status: '412' });
    expect(sim.data.userByName('Mary Ann Smith')?.displayName).toBe('Mary Ann Smith');
    const ok = await call(sim, `/Users/${u?.id}`, { method: 'PUT', headers: { 'if-match': `W/"${u?.lastModified}"` }, body: { userName: 'Mary Ann Smith', title: 'ignored' } });
    expect(ok.status).toBe(200);
  });
});
