import { describe, expect, it } from 'vitest';
import { HOSTILE_USERS, createSimulator } from '../../simulator/index.ts';

describe('simulator data', () => {
  it('is deterministic: same seed, same ids and values', () => {
    const a = createSimulator({ users: 300, seed: 7 });
    const b = createSimulator({ users: 300, seed: 7 });
    const c = createSimulator({ users: 300, seed: 8 });
    expect(a.data.users.map((u) => u.id)).toEqual(b.data.users.map((u) => u.id));
    expect(JSON.stringify(a.data.users)).toBe(JSON.stringify(b.data.users));
    expect(JSON.stringify(a.data.roles)).toBe(JSON.stringify(b.data.roles));
    expect(a.data.users.map((u) => u.id)).not.toEqual(c.data.users.map((u) => u.id));
  });

  it('has exactly the requested number of identities with IIQ-style ids', () => {
    const sim = createSimulator({ users: 2000 });
    expect(sim.data.users).toHaveLength(2000);
    for (const u of sim.data.users) expect(u.id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(sim.data.users.map((u) => u.userName)).size).toBe(2000);
    expect(new Set(sim.data.users.map((u) => u.id)).size).toBe(2000);
  });

  it.each([50, 12, 2000])('contains the hostile-but-legal identities with %i users', (users) => {
    const sim = createSimulator({ users });
    for (const h of HOSTILE_USERS) {
      const u = sim.data.userByName(h.userName);
      expect(u, h.userName).toBeDefined();
      expect(u?.displayName).toBe(h.displayName);
    }
    const names = sim.data.users.map((u) => u.userName);
    expect(names).toContain("Conan.O'Brien");
    expect(names).toContain('a "quoted" name');
    expect(names).toContain('Mary Ann Smith');
    expect(names).toContain('CORP\\jdoe');
    expect(names.some((n) => n.includes('é') && n.includes('ß'))).toBe(true);
    expect(names.some((n) => n.includes('李'))).toBe(true);
    // they manage people, so their names also appear as other identities' manager.displayName
    if (users >= 50) {
      const quoted = sim.data.userByName('a "quoted" name');
      expect(sim.data.users.some((u) => u.managerId === quoted?.id)).toBe(true);
    }
    expect(sim.data.userByName('spadmin')?.capabilities).toContain('SystemAdministrator');
    expect(sim.data.userByName('norights')?.capabilities).toEqual([]);
  });

  it('builds a realistic organisation', () => {
    const sim = createSimulator({ users: 2000 });
    const { users } = sim.data;
    // manager tree of depth <= 8 and consistent isManager flags
    const depth = (id: string | null): number => {
      let d = 0;
      for (let cur = id; cur; cur = sim.data.userById(cur)?.managerId ?? null) d++;
      return d;
    };
    const depths = users.map((u) => depth(u.id));
    expect(Math.max(...depths)).toBeLessThanOrEqual(8);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(4);
    const managerIds = new Set(users.map((u) => u.managerId).filter(Boolean));
    for (const u of users) expect(u.isManager).toBe(managerIds.has(u.id));
    // ~5% inactive
    const inactive = users.filter((u) => !u.active).length / users.length;
    expect(inactive).toBeGreaterThan(0.02);
    expect(inactive).toBeLessThan(0.09);
    // departments, multi-valued cost centers, job titles, locations/regions with identity owners, empId
    expect(new Set(users.map((u) => u.department)).size).toBeGreaterThanOrEqual(10);
    expect(users.some((u) => u.costcenter.length > 1)).toBe(true);
    expect(users.filter((u) => u.jobtitle).length).toBeGreaterThan(1900);
    expect(users.some((u) => u.locationOwner && sim.data.userById(u.locationOwner))).toBe(true);
    expect(users.some((u) => u.location && u.locationOwner === null)).toBe(true);
    expect(users.every((u) => !u.regionOwner || sim.data.userById(u.regionOwner))).toBe(true);
    expect(new Set(users.map((u) => u.empId).filter(Boolean)).size).toBe(users.filter((u) => u.empId).length);
    // skewed riskScore: median well below the mean of a uniform distribution, some without a scorecard
    const scores = users.map((u) => u.riskScore).filter((s): s is number => s !== null).sort((a, b) => a - b);
    expect(scores[Math.floor(scores.length / 2)]).toBeLessThan(200);
    expect(Math.max(...scores)).toBeGreaterThan(500);
    expect(users.some((u) => u.riskScore === null)).toBe(true);
    // a few admins with capabilities
    const admins = users.filter((u) => u.capabilities.length > 0);
    expect(admins.length).toBeGreaterThanOrEqual(3);
    expect(admins.length).toBeLessThan(20);
  });

  it('has a role model: organizational hierarchy, business roles requiring IT roles, detected IT roles', () => {
    const sim = createSimulator({ users: 2000 });
    const { roles, users } = sim.data;
    const byType = (t: string) => roles.filter((r) => r.type === t);
    expect(byType('organizational').length).toBeGreaterThan(5);
    expect(byType('business').length).toBeGreaterThan(10);
    expect(byType('it').length).toBeGreaterThan(10);
    const level = (id: string): number => {
      const r = sim.data.roleById(id);
      return r && r.parentIds[0] ? 1 + level(r.parentIds[0]) : 1;
    };
    expect(Math.max(...byType('organizational').map((r) => level(r.id)))).toBe(4);
    for (const r of byType('business')) {
      for (const req of r.requirementIds) expect(sim.data.roleById(req)?.type).toBe('it');
    }
    expect(byType('business').filter((r) => r.requirementIds.length > 0).length).toBeGreaterThan(10);
    // each user 0..15 roles, both Assigned and Detected; detected ones carry application + accountName
    for (const u of users) expect(u.roles.length).toBeLessThanOrEqual(15);
    expect(users.some((u) => u.roles.length === 0)).toBe(true);
    expect(users.some((u) => u.roles.length >= 8)).toBe(true);
    const all = users.flatMap((u) => u.roles);
    expect(all.some((r) => r.acquired === 'Assigned')).toBe(true);
    const detected = all.filter((r) => r.acquired === 'Detected');
    expect(detected.length).toBeGreaterThan(0);
    for (const d of detected) {
      expect(d.application).toBeTruthy();
      expect(d.accountName).toBeTruthy();
      expect(sim.data.roleById(d.roleId)?.type).toBe('it');
    }
    // a detected role really is backed by the entitlements of the named account
    const u = users.find((x) => x.roles.some((r) => r.acquired === 'Detected')) ?? users[0];
    const d = u?.roles.find((r) => r.acquired === 'Detected');
    const acct = sim.data.accounts.find((a) => a.identityId === u?.id && a.nativeIdentity === d?.accountName);
    const role = sim.data.roleById(d?.roleId ?? '');
    for (const p of role?.profile ?? []) expect(acct?.entitlements.map((e) => e.value)).toContain(p.value);
  });

  it('has accounts on several applications with entitlements, and policy violations', () => {
    const sim = createSimulator({ users: 50 });
    const apps = sim.data.applications.map((a) => a.name);
    for (const name of ['Active_Directory', 'Workday', 'ServiceNow', 'SAP ERP', 'Salesforce']) expect(apps).toContain(name);
    const used = new Set(sim.data.accounts.map((a) => a.applicationId));
    expect(used.size).toBeGreaterThanOrEqual(4);
    expect(sim.data.accounts.some((a) => a.entitlements.length > 0)).toBe(true);
    expect(sim.data.policyViolations.length).toBeGreaterThan(0);
    const conan = sim.data.userByName("Conan.O'Brien");
    expect(sim.data.policyViolations.some((p) => p.identityId === conan?.id)).toBe(true);
  });
});
