import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/index.ts';
import { ERROR_URN, call, startSimulator } from './helpers.ts';

const URN = 'urn:ietf:params:scim:schemas:sailpoint:1.0:CheckedPolicyViolation';
const plan = (accounts: { application: string; attributes: { op?: string; name: string; value: string }[] }[]) => ({
  type: 'application/sailpoint.object.ProvisioningPlan+json',
  value: { accounts: accounts.map((a) => ({ op: 'Modify', ...a })) },
});

describe('simulator POST /CheckedPolicyViolations (what-if SOD check)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 60 });
  });
  afterAll(() => sim.close());

  /** an active identity holding none of the SOD-relevant roles */
  const clean = () => {
    const names = new Set(['SAP - AP Clerk - IT', 'SAP - AR Clerk - IT', 'SAP - Purchasing - IT', 'AD - Help Desk - IT', 'AD - Domain Administration - IT']);
    const ids = new Set(sim.data.roles.filter((r) => names.has(r.name)).map((r) => r.id));
    const u = sim.data.users.find((x) => x.active && x.roles.length > 0 && !x.roles.some((r) => ids.has(r.roleId)) && !x.roles.some((r) => sim.data.roles.find((y) => y.id === r.roleId)?.requirementIds.some((q) => ids.has(q))));
    if (!u) throw new Error('no clean identity in the dataset');
    return u;
  };

  it('a role that requires AR Clerk for someone who already holds AP Clerk: one new violation, nothing stored', async () => {
    const u = clean();
    const before = { roles: u.roles.length, violations: sim.data.policyViolations.length, modified: u.lastModified };
    const res = await call(sim, '/CheckedPolicyViolations', {
      method: 'POST',
      body: {
        schemas: [URN],
        identity: u.userName,
        plan: plan([
          { application: 'IIQ', attributes: [{ op: 'Add', name: 'assignedRoles', value: 'Accounts Receivable Clerk' }] },
          { application: 'SAP ERP', attributes: [{ op: 'Add', name: 'roles', value: 'Z_AP_CLERK' }] },
        ]),
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.schemas).toEqual([URN]);
    expect(res.json.violations).toEqual([
      expect.objectContaining({ policyName: 'Finance SOD Policy', policyType: 'SOD', constraintName: 'AP Clerk vs AR Clerk', leftBundles: ['SAP - AP Clerk - IT'], rightBundles: ['SAP - AR Clerk - IT'] }),
    ]);
    expect(u.roles.length).toBe(before.roles);
    expect(sim.data.policyViolations.length).toBe(before.violations);
    expect(u.lastModified).toBe(before.modified);
  });

  it('harmless access: no violations; existing violations are not reported again', async () => {
    const u = clean();
    const harmless = await call(sim, '/CheckedPolicyViolations', {
      method: 'POST',
      body: { schemas: [URN], identity: u.id, plan: plan([{ application: 'IIQ', attributes: [{ op: 'Add', name: 'assignedRoles', value: 'AD - VPN Access - IT' }] }]) },
    });
    expect(harmless.status).toBe(201);
    expect(harmless.json.violations).toEqual([]);
    const conan = sim.data.userByName("Conan.O'Brien")!; // already holds AP + AR
    const again = await call(sim, '/CheckedPolicyViolations', {
      method: 'POST',
      body: { schemas: [URN], identity: conan.id, plan: plan([{ application: 'IIQ', attributes: [{ op: 'Add', name: 'assignedRoles', value: 'Accounts Receivable Clerk' }] }]) },
    });
    expect(again.json.violations.map((v: { constraintName: string }) => v.constraintName)).not.toContain('AP Clerk vs AR Clerk');
  });

  it('policies narrow the check; entitlements alone are enough to be detected', async () => {
    const u = clean();
    const body = (policies?: string[]) => ({
      schemas: [URN],
      identity: u.id,
      plan: plan([{ application: 'Active_Directory', attributes: [{ op: 'Add', name: 'memberOf', value: 'CN=Help Desk,OU=Groups,DC=example,DC=com' }, { op: 'Add', name: 'memberOf', value: 'CN=Domain Admins,OU=Groups,DC=example,DC=com' }] }]),
      ...(policies ? { policies } : {}),
    });
    const all = await call(sim, '/CheckedPolicyViolations', { method: 'POST', body: body() });
    expect(all.json.violations.map((v: { constraintName: string }) => v.constraintName)).toEqual(['Help Desk vs Domain Administration']);
    const other = await call(sim, '/CheckedPolicyViolations', { method: 'POST', body: body(['Finance SOD Policy']) });
    expect(other.json.violations).toEqual([]);
  });

  it('unknown identity, role or application: 400 invalidValue; GET is 405', async () => {
    const u = clean();
    const unknownUser = await call(sim, '/CheckedPolicyViolations', { method: 'POST', body: { identity: 'nobody.here', plan: plan([]) } });
    expect(unknownUser.status).toBe(400);
    expect(unknownUser.json).toMatchObject({ schemas: [ERROR_URN], scimType: 'invalidValue', status: '400' });
    const unknownRole = await call(sim, '/CheckedPolicyViolations', {
      method: 'POST',
      body: { identity: u.id, plan: plan([{ application: 'IIQ', attributes: [{ name: 'assignedRoles', value: 'No Such Role' }] }]) },
    });
    expect(unknownRole.status).toBe(400);
    const unknownApp = await call(sim, '/CheckedPolicyViolations', {
      method: 'POST',
      body: { identity: u.id, plan: plan([{ application: 'Nope', attributes: [{ name: 'memberOf', value: 'x' }] }]) },
    });
    expect(unknownApp.status).toBe(400);
    expect((await call(sim, '/CheckedPolicyViolations')).status).toBe(405);
  });
});
