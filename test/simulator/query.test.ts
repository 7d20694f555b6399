import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimUser, Simulator } from '../../simulator/index.ts';
import { ERROR_URN, SP, call, q, startSimulator } from './helpers.ts';

const invalidFilter = (detail: string) => ({ schemas: [ERROR_URN], scimType: 'invalidFilter', detail, status: '400' });

describe('simulator filters', () => {
  let sim: Simulator;
  let users: SimUser[];
  beforeAll(async () => {
    sim = await startSimulator({ users: 300 });
    users = sim.data.users;
  });
  afterAll(() => sim.close());

  const ids = async (filter: string): Promise<string[]> => {
    const res = await call(sim, `/Users${q({ filter, count: 1000, attributes: 'userName' })}`);
    expect(res.status, `${filter}: ${res.text}`).toBe(200);
    expect(res.json.totalResults).toBe(res.json.Resources.length);
    return (res.json.Resources as { id: string }[]).map((r) => r.id).sort();
  };
  const expected = (pred: (u: SimUser) => boolean): string[] => users.filter(pred).map((u) => u.id).sort();

  it.each<[string, (u: SimUser) => boolean]>([
    ['userName eq "conan.o\'brien"', (u) => u.userName === "Conan.O'Brien"],
    ['userName eq "a \\"quoted\\" name"', (u) => u.userName === 'a "quoted" name'],
    ['userName eq "CORP\\\\jdoe"', (u) => u.userName === 'CORP\\jdoe'],
    ['userName eq "李小龙"', (u) => u.userName === '李小龙'],
    ['name.familyName eq "Weiß"', (u) => u.familyName === 'Weiß'],
    ['userName sw "mary ann"', (u) => u.userName.toLowerCase().startsWith('mary ann')],
    ['displayName co "o\'b"', (u) => (u.displayName ?? '').toLowerCase().includes("o'b")],
    ['active eq false', (u) => !u.active],
    ['active eq true and userType eq "contractor"', (u) => u.active && u.userType === 'contractor'],
    ['riskScore gt 500', (u) => (u.riskScore ?? -1) > 500],
    ['riskScore le 10', (u) => u.riskScore !== null && u.riskScore <= 10],
    ['riskScore pr', (u) => u.riskScore !== null],
    ['not (riskScore pr)', (u) => u.riskScore === null],
    ['department eq "Finance" or department eq "Legal"', (u) => u.department === 'Finance' || u.department === 'Legal'],
    ['department eq "Finance" and (jobtitle eq "Controller" or jobtitle eq "Accounts Payable Clerk")', (u) => u.department === 'Finance' && (u.jobtitle === 'Controller' || u.jobtitle === 'Accounts Payable Clerk')],
    // precedence: and binds tighter than or
    ['department eq "Legal" or department eq "Finance" and isManager eq true', (u) => u.department === 'Legal' || (u.department === 'Finance' && u.isManager)],
    ['department ne "Finance"', (u) => u.department !== null && u.department !== 'Finance'],
    [`${SP}:region eq "EMEA"`, (u) => u.region === 'EMEA'],
    [`${SP}:capabilities eq "SystemAdministrator"`, (u) => u.capabilities.includes('SystemAdministrator')],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "Renée"', (u) => u.userName.startsWith('Renée')],
    ['costcenter sw "FI"', (u) => u.costcenter.some((c) => c.startsWith('FI'))],
    ['location eq "São Paulo"', (u) => u.location === 'São Paulo'],
    ['emails.value eq "CONAN.OBRIEN@example.com"', (u) => u.email === 'conan.obrien@example.com'],
    ['userName ne "spadmin" and isManager eq true', (u) => u.userName !== 'spadmin' && u.isManager],
    ['meta.lastModified gt "2025-01-01T00:00:00.000-05:00"', (u) => u.lastModified > Date.parse('2025-01-01T00:00:00.000-05:00')],
    ['USERNAME EQ "spadmin"', (u) => u.userName === 'spadmin'],
  ])('%s', async (filter, pred) => {
    const want = expected(pred);
    expect(want.length, 'the fixture should match something').toBeGreaterThan(0);
    expect(await ids(filter)).toEqual(want);
  });

  it('filters by manager and identity-typed extended attributes', async () => {
    const boss = users.find((u) => u.isManager && u.managerId) as SimUser;
    expect(await ids(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "${boss.id}"`)).toEqual(expected((u) => u.managerId === boss.id));
    expect(await ids(`manager.displayName eq "${boss.displayName}"`)).toEqual(
      expected((u) => !!u.managerId && sim.data.userById(u.managerId)?.displayName === boss.displayName),
    );
    const owner = users.find((u) => u.regionOwner)?.regionOwner as string;
    expect(await ids(`regionOwner.value eq "${owner}"`)).toEqual(expected((u) => u.regionOwner === owner));
  });

  it.each([
    ['userName ew "x"', invalidFilter('Invalid filter: userName ew "x"')],
    ['userName co BerendsenD', invalidFilter('Invalid filter: userName co BerendsenD')],
    ['userName eq', invalidFilter('Invalid filter: userName eq')],
    ['(userName eq "a"', invalidFilter('Invalid filter: (userName eq "a"')],
    ['userName eq "a" foo', invalidFilter('Invalid filter: userName eq "a" foo')],
    ['emails[type eq "work"]', invalidFilter('Invalid filter: emails[type eq "work"]')],
    ['userName eq "unterminated', invalidFilter('Invalid filter: userName eq "unterminated')],
    ['foo eq "x"', invalidFilter('Invalid filter, attribute not found: foo')],
    [`${SP}:roles eq "x"`, invalidFilter(`Invalid filter, attribute does not support search: ${SP}:roles`)],
    ['roles.display eq "x"', invalidFilter('Invalid filter, attribute does not support search: roles.display')],
    ['entitlements pr', invalidFilter('Invalid filter, attribute does not support search: entitlements pr'.replace(' pr', ''))],
    ['accounts.value eq "x"', invalidFilter('Invalid filter, attribute does not support search: accounts.value')],
    ['id eq "2c9084ee5576d164015576d271be05f4"', invalidFilter('Invalid filter, attribute has no mapping: id')],
  ])('rejects %s verbatim', async (filter, body) => {
    const res = await call(sim, `/Users${q({ filter })}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(res.json).toEqual(body);
  });

  it('rejects a bad boolean and a bad date', async () => {
    const b = await call(sim, `/Users${q({ filter: 'active eq "yes"' })}`);
    expect(b.status).toBe(400);
    expect(b.json.detail).toBe('Invalid boolean value: yes');
    const d = await call(sim, `/Users${q({ filter: 'meta.created gt "yesterday"' })}`);
    expect(d.status).toBe(400);
    expect(d.json.detail).toBe('Invalid date time value:yesterday');
  });

  it('filters roles by hierarchy and requirements', async () => {
    const parent = sim.data.roleByName('Finance Organization');
    const res = await call(sim, `/Roles${q({ filter: `inheritance.value eq "${parent?.id}"`, sortBy: 'name' })}`);
    expect(res.status).toBe(200);
    const names = (res.json.Resources as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(sim.data.roles.filter((r) => r.parentIds.includes(parent?.id ?? '')).map((r) => r.name).sort((a, b) => a.localeCompare(b)));
    expect(names).toContain('Accounts Receivable Clerk');
    const it = await call(sim, `/Roles${q({ filter: 'type.name eq "it" and name sw "SAP"' })}`);
    expect(it.json.totalResults).toBe(sim.data.roles.filter((r) => r.type === 'it' && r.name.startsWith('SAP')).length);
  });

  it('filters accounts by identity and application', async () => {
    const conan = sim.data.userByName("Conan.O'Brien") as SimUser;
    const res = await call(sim, `/Accounts${q({ filter: `identity.value eq "${conan.id}"` })}`);
    expect(res.json.totalResults).toBe(conan.accounts.length);
    const ad = sim.data.applications.find((a) => a.name === 'Active_Directory');
    const both = await call(sim, `/Accounts${q({ filter: `application.value eq "${ad?.id}" and displayName sw "C"` })}`);
    expect(both.json.totalResults).toBe(sim.data.accounts.filter((a) => a.applicationId === ad?.id && a.displayName.toLowerCase().startsWith('c')).length);
  });
});

describe('simulator filter on id when idFilterable', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 30, idFilterable: true });
  });
  afterAll(() => sim.close());

  it('accepts id eq', async () => {
    const u = sim.data.users[5] as SimUser;
    const res = await call(sim, `/Users${q({ filter: `id eq "${u.id}"` })}`);
    expect(res.status).toBe(200);
    expect(res.json.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
  });
});

describe('simulator paging and sorting', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 120, maxResults: 50 });
  });
  afterAll(() => sim.close());

  const names = (res: { json: { Resources: { userName: string }[] } }) => res.json.Resources.map((r) => r.userName);
  const sortedNames = () => sim.data.users.map((u) => u.userName).sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });

  it('defaults count to maxResults and reports itemsPerPage only when totalResults > count', async () => {
    const res = await call(sim, '/Users?sortBy=userName');
    expect(res.json.totalResults).toBe(120);
    expect(res.json.Resources).toHaveLength(50);
    expect(res.json.itemsPerPage).toBe(50);
    expect(res.json.startIndex).toBe(1);
    expect(Object.keys(res.json)).toEqual(['totalResults', 'itemsPerPage', 'startIndex', 'schemas', 'Resources']);
    const all = await call(sim, `/Roles${q({ count: 50, filter: 'type eq "business"' })}`);
    expect(all.json.totalResults).toBeLessThanOrEqual(50);
    expect(all.json.itemsPerPage).toBeUndefined();
  });

  it('omits itemsPerPage when totalResults equals count, includes it when it exceeds count', async () => {
    const filter = 'type eq "business"';
    const total = sim.data.roles.filter((r) => r.type === 'business').length;
    const exact = await call(sim, `/Roles${q({ filter, count: total })}`);
    expect(exact.json.totalResults).toBe(total);
    expect(exact.json.Resources).toHaveLength(total);
    expect(exact.json.itemsPerPage).toBeUndefined();
    const short = await call(sim, `/Roles${q({ filter, count: total - 1 })}`);
    expect(short.json.itemsPerPage).toBe(total - 1);
  });

  it('treats a negative or non-numeric count like a missing one (maxResults)', async () => {
    for (const count of ['-5', 'ten']) {
      const res = await call(sim, `/Users${q({ sortBy: 'userName', count })}`);
      expect(res.status).toBe(200);
      expect(res.json.Resources).toHaveLength(50);
      expect(res.json.itemsPerPage).toBe(50);
    }
  });

  it('reports the requested count as itemsPerPage, even on a short last page', async () => {
    const res = await call(sim, `/Users${q({ sortBy: 'userName', startIndex: 111, count: 20 })}`);
    expect(res.json.Resources).toHaveLength(10);
    expect(res.json.itemsPerPage).toBe(20);
    expect(res.json.startIndex).toBe(111);
  });

  it('rejects count above the maximum verbatim', async () => {
    const res = await call(sim, '/Users?count=51');
    expect(res.status).toBe(400);
    expect(res.text).toBe(JSON.stringify({
      schemas: [ERROR_URN], scimType: 'tooMany', detail: 'Count value : 51 exceeds maximum allowed value : 50', status: '400',
    }));
  });

  it('answers count=0 with totals only', async () => {
    const res = await call(sim, `/Users${q({ count: 0, filter: 'active eq true' })}`);
    expect(res.status).toBe(200);
    expect(res.json.totalResults).toBe(sim.data.users.filter((u) => u.active).length);
    expect(res.json.Resources).toBeUndefined();
    expect(res.json.startIndex).toBeUndefined();
  });

  it('is 1-based; startIndex <= 0 or garbage means 1', async () => {
    const first = await call(sim, `/Users${q({ sortBy: 'userName', count: 5 })}`);
    for (const s of ['0', '-3', 'abc']) {
      const res = await call(sim, `/Users${q({ sortBy: 'userName', count: 5, startIndex: s })}`);
      expect(res.json.startIndex).toBe(1);
      expect(names(res)).toEqual(names(first));
    }
    const second = await call(sim, `/Users${q({ sortBy: 'userName', count: 5, startIndex: 2 })}`);
    expect(names(second).slice(0, 4)).toEqual(names(first).slice(1));
    const beyond = await call(sim, `/Users${q({ sortBy: 'userName', startIndex: 500 })}`);
    expect(beyond.json.Resources).toEqual([]);
    expect(beyond.json.totalResults).toBe(120);
  });

  it('sorts case-insensitively, ascending by default and descending on request', async () => {
    const pages = [];
    for (let s = 1; s <= 120; s += 50) pages.push(...names(await call(sim, `/Users${q({ sortBy: 'userName', startIndex: s, count: 50 })}`)));
    expect(pages).toEqual(sortedNames());
    const desc = await call(sim, `/Users${q({ sortBy: 'userName', sortOrder: 'DESCENDING', count: 10 })}`);
    expect(names(desc)).toEqual(sortedNames().reverse().slice(0, 10));
    const risk = await call(sim, `/Users${q({ sortBy: `${SP}:riskScore`, sortOrder: 'descending', count: 3, attributes: `${SP}:riskScore`, filter: 'riskScore pr' })}`);
    const top = sim.data.users.flatMap((u) => (u.riskScore === null ? [] : [u.riskScore])).sort((a, b) => b - a).slice(0, 3);
    expect(risk.json.Resources.map((r: Record<string, { riskScore: number }>) => r[SP]?.riskScore)).toEqual(top);
    // missing values sort last ascending and therefore first descending (database NULL ordering)
    const nullsFirst = await call(sim, `/Users${q({ sortBy: 'riskScore', sortOrder: 'descending', count: 1, attributes: 'riskScore' })}`);
    expect(nullsFirst.json.Resources[0][SP]).toEqual({});
    const nullsLast = await call(sim, `/Users${q({ sortBy: 'riskScore', count: 1, attributes: 'riskScore' })}`);
    expect(nullsLast.json.Resources[0][SP].riskScore).toBe(Math.min(...sim.data.users.flatMap((u) => (u.riskScore === null ? [] : [u.riskScore]))));
  });

  it('rejects sortBy on unknown or unmapped attributes', async () => {
    const unknown = await call(sim, '/Users?sortBy=shoeSize');
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual(invalidFilter('Invalid filter, attribute not found: shoeSize'));
    const id = await call(sim, '/Users?sortBy=id');
    expect(id.json.detail).toBe('Invalid filter, attribute has no mapping: id');
  });

  it('deliberately returns an unstable order without sortBy', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 5; i++) orders.add(JSON.stringify(names(await call(sim, '/Users?count=20'))));
    expect(orders.size).toBeGreaterThan(1);
    // paging without sortBy therefore loses and duplicates identities
    const seen: string[] = [];
    for (let s = 1; s <= 120; s += 20) seen.push(...names(await call(sim, `/Users${q({ startIndex: s, count: 20 })}`)));
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBeLessThan(120);
    // ... while a sorted walk is exact and stable
    const a = names(await call(sim, `/Users${q({ sortBy: 'userName', count: 20 })}`));
    const b = names(await call(sim, `/Users${q({ sortBy: 'userName', count: 20 })}`));
    expect(a).toEqual(b);
  });
});

describe('simulator attributes and excludedAttributes', () => {
  let sim: Simulator;
  let conan: string;
  beforeAll(async () => {
    sim = await startSimulator({ users: 60 });
    conan = sim.data.userByName("Conan.O'Brien")?.id as string;
  });
  afterAll(() => sim.close());

  it('returns only the named attributes plus id, schemas and meta', async () => {
    const res = await call(sim, `/Users/${conan}?attributes=userName`);
    expect(Object.keys(res.json).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const urn = await call(sim, `/Users/${conan}?attributes=urn:ietf:params:scim:schemas:core:2.0:User:userName,name.familyName`);
    expect(urn.json.userName).toBe("Conan.O'Brien");
    expect(urn.json.name).toEqual({ familyName: "O'Brien" });
    const emails = await call(sim, `/Users/${conan}?attributes=emails.value`);
    expect(emails.json.emails).toEqual([{ value: 'conan.obrien@example.com' }]);
  });

  it('returns roles and entitlements only when named by full URN', async () => {
    const plain = await call(sim, `/Users/${conan}`);
    expect(plain.json[SP].roles).toBeUndefined();
    expect(plain.json[SP].entitlements).toBeUndefined();
    expect(plain.json[SP].accounts.length).toBeGreaterThan(0);
    const unqualified = await call(sim, `/Users/${conan}?attributes=roles,entitlements`);
    expect(unqualified.status).toBe(200);
    expect(unqualified.json[SP]).toBeUndefined();
    const list = await call(sim, `/Users?attributes=userName,roles&count=5`);
    for (const u of list.json.Resources) expect(u[SP]?.roles).toBeUndefined();
    const full = await call(sim, `/Users/${conan}?attributes=${SP}:roles,${SP}:entitlements`);
    expect(Object.keys(full.json).sort()).toEqual(['id', 'meta', 'schemas', SP].sort());
    const roles = full.json[SP].roles as Record<string, string>[];
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.some((r) => r.acquired === 'Assigned' && r.value === 'assignedRoles')).toBe(true);
    const detected = roles.filter((r) => r.acquired === 'Detected');
    expect(detected.length).toBeGreaterThan(0);
    for (const r of detected) {
      expect(Object.keys(r)).toEqual(['value', 'display', 'type', 'acquired', 'application', 'accountName', '$ref']);
      expect(r.value).toBe('detectedRoles');
    }
    for (const r of roles) expect(r.$ref).toMatch(new RegExp(`^${sim.baseUrl}/Roles/[0-9a-f]{32}$`));
    const ents = full.json[SP].entitlements as Record<string, string>[];
    expect(ents.length).toBeGreaterThan(0);
    expect(Object.keys(ents[0] ?? {})).toEqual(['value', 'display', 'type', 'application', 'accountName', '$ref']);
    // with other default attributes in the list too
    const mixed = await call(sim, `/Users?${q({ attributes: `userName,${SP}:roles`, filter: `userName eq "Conan.O'Brien"` }).slice(1)}`);
    expect(mixed.json.Resources[0][SP].roles).toHaveLength(roles.length);
    expect(mixed.json.Resources[0][SP].accounts).toBeUndefined();
  });

  it('excludes attributes, including by URN path, but never id/schemas/meta', async () => {
    const res = await call(sim, `/Users/${conan}?excludedAttributes=emails,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager,${SP}:accounts,id,meta`);
    expect(res.json.emails).toBeUndefined();
    expect(res.json['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({});
    expect(res.json[SP].accounts).toBeUndefined();
    expect(res.json[SP].department).toBe('Finance');
    expect(res.json.id).toBe(conan);
    expect(res.json.meta).toBeDefined();
    const both = await call(sim, `/Users/${conan}?attributes=userName,displayName&excludedAttributes=displayName`);
    expect(both.json.displayName).toBe("Conan O'Brien");
  });

  it('projects other resources too', async () => {
    const res = await call(sim, '/Roles?attributes=name&count=3');
    for (const r of res.json.Resources) expect(Object.keys(r).sort()).toEqual(['id', 'meta', 'name', 'schemas']);
  });
});
