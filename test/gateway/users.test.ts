// User and Role fields end to end: gateway over HTTP, real client, simulator as IIQ. Expectations come from
// the simulator's data, never from hard-coded results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/graphql/global-id.ts';
import { byUserName, startGateway, type Gateway } from './harness.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ waitForIndex: true });
});
afterAll(async () => gw?.close());

const iso = (ms: number | null) => (ms === null ? null : ms);
const time = (s: string | null | undefined) => (s == null ? null : Date.parse(s));

const USER_FIELDS = /* GraphQL */ `
  id remoteId userName displayName formattedName givenName familyName email emails { value type primary }
  active userType isManager riskScore capabilities lastRefresh createdAt updatedAt version
  department jobTitle location costCenters employeeId
  attributes region: attribute(name: "region")
  raw
  manager { id userName }
  directReports(first: 100) { totalCount edges { node { userName } } }
  roles(first: 100) { totalCount edges { acquired application accountName node { remoteId name type { name } } } }
`;

describe('User fields', () => {
  it('every scalar, attribute, manager, directReports and roles field matches IIQ data', async () => {
    const sim = gw.sim.data.users.find((u) => u.managerId && u.roles.length >= 2 && u.department && u.costcenter.length && u.riskScore !== null && u.isManager)!;
    expect(sim).toBeDefined();
    const res = await gw.gql(`query($n: String!) { user(userName: $n) { ${USER_FIELDS} } }`, { n: sim.userName });
    expect(res.errors).toBeUndefined();
    const u = res.data!.user;
    expect(u.id).toBe(encodeGlobalId('User', sim.id));
    expect(u.remoteId).toBe(sim.id);
    expect(u.userName).toBe(sim.userName);
    expect(u.displayName).toBe(sim.displayName);
    expect(u.givenName).toBe(sim.givenName);
    expect(u.familyName).toBe(sim.familyName);
    expect(u.email).toBe(sim.email);
    expect(u.emails.map((e: { value: string }) => e.value)).toEqual(sim.email ? [sim.email] : []);
    expect(u.active).toBe(sim.active);
    expect(u.userType).toBe(sim.userType);
    expect(u.isManager).toBe(sim.isManager);
    expect(u.riskScore).toBe(sim.riskScore);
    expect(u.capabilities).toEqual(sim.capabilities);
    expect(time(u.lastRefresh)).toBe(iso(sim.lastRefresh));
    expect(time(u.createdAt)).toBe(sim.created);
    expect(time(u.updatedAt)).toBe(sim.lastModified);
    expect(u.version).toMatch(/^W\/"/);
    expect(u.department).toBe(sim.department);
    expect(u.jobTitle).toBe(sim.jobtitle);
    expect(u.location).toBe(sim.location);
    expect(u.costCenters).toEqual(sim.costcenter);
    expect(u.employeeId).toBe(sim.empId);
    expect(u.attributes).toMatchObject({ department: sim.department, jobtitle: sim.jobtitle });
    expect(u.region).toBe(sim.region);
    expect(u.raw).toMatchObject({ id: sim.id, userName: sim.userName });
    expect(u.manager.userName).toBe(gw.sim.data.userById(sim.managerId!)!.userName);
    expect(u.manager.id).toBe(encodeGlobalId('User', sim.managerId!));
    const reports = gw.sim.data.users.filter((r) => r.managerId === sim.id).map((r) => r.userName).sort(byUserName);
    expect(u.directReports.totalCount).toBe(reports.length);
    expect(u.directReports.edges.map((e: { node: { userName: string } }) => e.node.userName)).toEqual(reports.slice(0, 100));
    expect(u.roles.totalCount).toBe(sim.roles.length);
    const got = u.roles.edges.map((e: any) => ({ roleId: e.node.remoteId, acquired: e.acquired, application: e.application, accountName: e.accountName, name: e.node.name, type: e.node.type?.name }));
    const want = sim.roles.map((r) => {
      const role = gw.sim.data.roleById(r.roleId)!;
      return { roleId: r.roleId, acquired: r.acquired.toUpperCase(), application: r.application ?? null, accountName: r.accountName ?? null, name: role.name, type: role.type };
    });
    expect(got).toEqual(expect.arrayContaining(want));
    expect(got).toHaveLength(want.length);
  });

  it('typed attribute fields follow IIQ_ATTRIBUTE_MAP', async () => {
    const mapped = await startGateway({ env: { IIQ_ATTRIBUTE_MAP: JSON.stringify({ department: 'region', jobTitle: 'location' }) }, ready: false });
    try {
      const sim = mapped.sim.data.users.find((u) => u.region && u.location)!;
      const res = await mapped.gql(`query($n: String!) { user(userName: $n) { department jobTitle } }`, { n: sim.userName });
      expect(res.data!.user).toEqual({ department: sim.region, jobTitle: sim.location });
    } finally {
      await mapped.close();
    }
  });

  it('user roles filter by acquired and by role type, and page', async () => {
    const sim = gw.sim.data.users.find((u) => u.roles.some((r) => r.acquired === 'Detected') && u.roles.some((r) => r.acquired === 'Assigned'))!;
    const res = await gw.gql(
      `query($n: String!) { user(userName: $n) {
        detected: roles(acquired: DETECTED) { totalCount edges { acquired application accountName node { remoteId } } }
        assigned: roles(acquired: ASSIGNED) { totalCount }
        it: roles(type: "it") { totalCount edges { node { type { name } } } }
        firstOne: roles(first: 1) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { remoteId } } }
      } }`,
      { n: sim.userName },
    );
    expect(res.errors).toBeUndefined();
    const u = res.data!.user;
    const detected = sim.roles.filter((r) => r.acquired === 'Detected');
    expect(u.detected.totalCount).toBe(detected.length);
    for (const e of u.detected.edges) {
      expect(e.acquired).toBe('DETECTED');
      const match = detected.find((r) => r.roleId === e.node.remoteId && (r.application ?? null) === e.application && (r.accountName ?? null) === e.accountName);
      expect(match).toBeDefined();
    }
    expect(u.assigned.totalCount).toBe(sim.roles.length - detected.length);
    expect(u.it.totalCount).toBe(sim.roles.filter((r) => gw.sim.data.roleById(r.roleId)!.type === 'it').length);
    expect(u.it.edges.every((e: any) => e.node.type.name === 'it')).toBe(true);
    expect(u.firstOne.edges).toHaveLength(1);
    expect(u.firstOne.pageInfo).toMatchObject({ hasNextPage: sim.roles.length > 1, hasPreviousPage: false });
    const next = await gw.gql(`query($n: String!, $a: String) { user(userName: $n) { roles(first: 100, after: $a) { edges { node { remoteId } } } } }`, {
      n: sim.userName,
      a: u.firstOne.pageInfo.endCursor,
    });
    expect(next.data!.user.roles.edges).toHaveLength(sim.roles.length - 1);
  });

  it('user(id | userName): exactly one argument; null when not found; global or IIQ id', async () => {
    const sim = gw.sim.data.users[5]!;
    const byGlobal = await gw.gql(`query($id: ID!) { user(id: $id) { userName } }`, { id: encodeGlobalId('User', sim.id) });
    expect(byGlobal.data!.user.userName).toBe(sim.userName);
    const byRemote = await gw.gql(`query($id: ID!) { user(id: $id) { userName } }`, { id: sim.id });
    expect(byRemote.data!.user.userName).toBe(sim.userName);
    const missing = await gw.gql(`{ a: user(userName: "no.such.user") { id } b: user(id: "0000000000000000000000000000dead") { id } }`);
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ a: null, b: null });
    for (const q of [`{ user { id } }`, `{ user(id: "x", userName: "y") { id } }`, `{ user(id: "${encodeGlobalId('Role', 'x')}") { id } }`]) {
      const res = await gw.gql(q);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.data).toEqual({ user: null });
    }
  });

  it('hostile userNames are looked up exactly', async () => {
    for (const name of ["Conan.O'Brien", 'a "quoted" name', 'CORP\\jdoe', 'Mary Ann Smith', '李小龙', 'Renée.Weiß']) {
      const sim = gw.sim.data.userByName(name);
      expect(sim, name).toBeDefined();
      const res = await gw.gql(`query($n: String!) { user(userName: $n) { remoteId userName } }`, { n: name });
      expect(res.data!.user).toEqual({ remoteId: sim!.id, userName: name });
    }
  });
});

describe('Role fields', () => {
  it('every field matches IIQ data, hierarchy from the catalog', async () => {
    const sim = gw.sim.data.roles.find((r) => r.parentIds.length && r.ownerId) ?? gw.sim.data.roles.find((r) => r.ownerId)!;
    const res = await gw.gql(
      `query($n: String!) { role(name: $n) {
        id remoteId name displayName description descriptions { locale value } active createdAt updatedAt version raw
        type { name displayName manualAssignment autoAssignment assignmentSelector iiq permits requirements }
        owner { remoteId userName }
        parents { remoteId } requiredRoles { remoteId } permittedRoles { remoteId }
        children(first: 100) { totalCount edges { node { remoteId name } } }
      } }`,
      { n: sim.name },
    );
    expect(res.errors).toBeUndefined();
    const r = res.data!.role;
    expect(r.id).toBe(encodeGlobalId('Role', sim.id));
    expect(r.remoteId).toBe(sim.id);
    expect(r.name).toBe(sim.name);
    expect(r.displayName).toBe(sim.displayableName);
    expect(r.description).toBe(sim.description);
    expect(r.active).toBe(sim.active);
    expect(time(r.createdAt)).toBe(sim.created);
    expect(time(r.updatedAt)).toBe(sim.lastModified);
    expect(r.raw).toMatchObject({ id: sim.id, name: sim.name });
    expect(r.type.name).toBe(sim.type);
    expect(typeof r.type.manualAssignment).toBe('boolean');
    expect(r.owner).toEqual({ remoteId: sim.ownerId, userName: gw.sim.data.userById(sim.ownerId!)!.userName });
    expect(r.parents.map((p: any) => p.remoteId).sort()).toEqual([...sim.parentIds].sort());
    expect(r.requiredRoles.map((p: any) => p.remoteId).sort()).toEqual([...sim.requirementIds].sort());
    expect(r.permittedRoles.map((p: any) => p.remoteId).sort()).toEqual([...sim.permitIds].sort());
    const children = gw.sim.data.roles.filter((c) => c.parentIds.includes(sim.id));
    expect(r.children.totalCount).toBe(children.length);
    expect(r.children.edges.map((e: any) => e.node.remoteId).sort()).toEqual(children.map((c) => c.id).sort());
  });

  it('children of a parent role come from the catalog', async () => {
    const parent = gw.sim.data.roles.find((p) => gw.sim.data.roles.some((c) => c.parentIds.includes(p.id)))!;
    const res = await gw.gql(`query($id: ID!) { role(id: $id) { children { totalCount edges { node { name parents { remoteId } } } } } }`, { id: parent.id });
    const children = gw.sim.data.roles.filter((c) => c.parentIds.includes(parent.id));
    expect(res.data!.role.children.totalCount).toBe(children.length);
    for (const e of res.data!.role.children.edges) expect(e.node.parents.map((p: any) => p.remoteId)).toContain(parent.id);
  });

  it('role(id | name): exactly one argument; null when not found', async () => {
    const sim = gw.sim.data.roles[0]!;
    const res = await gw.gql(`query($id: ID!, $n: String!) { a: role(id: $id) { name } b: role(name: $n) { remoteId } c: role(name: "no such role") { id } d: role(id: "nope") { id } }`, {
      id: encodeGlobalId('Role', sim.id),
      n: sim.name,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: { name: sim.name }, b: { remoteId: sim.id }, c: null, d: null });
    for (const q of [`{ role { id } }`, `{ role(id: "x", name: "y") { id } }`]) {
      expect((await gw.gql(q)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('roles: filter, order, totalCount', async () => {
    const business = gw.sim.data.roles.filter((r) => r.type === 'business');
    const res = await gw.gql(`{
      all: roles(first: 100) { totalCount edges { node { name } } }
      business: roles(first: 100, filter: { type: "business" }) { totalCount edges { node { type { name } } } }
      desc: roles(first: 5, orderBy: { field: NAME, direction: DESC }) { edges { node { name } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.all.totalCount).toBe(gw.sim.data.roles.length);
    const names = res.data!.all.edges.map((e: any) => e.node.name);
    expect(names).toEqual([...names].sort(byUserName));
    expect(res.data!.business.totalCount).toBe(business.length);
    expect(res.data!.business.edges.every((e: any) => e.node.type.name === 'business')).toBe(true);
    const allNames = gw.sim.data.roles.map((r) => r.name).sort(byUserName).reverse();
    expect(res.data!.desc.edges.map((e: any) => e.node.name)).toEqual(allNames.slice(0, 5));
  });
});

describe('Node interface', () => {
  it('node and nodes resolve users and roles by global id; unknown ids are null', async () => {
    const user = gw.sim.data.users[3]!;
    const role = gw.sim.data.roles[2]!;
    const res = await gw.gql(
      `query($u: ID!, $r: ID!, $ids: [ID!]!) {
        u: node(id: $u) { __typename id ... on User { userName } }
        r: node(id: $r) { __typename ... on Role { name } }
        nodes(ids: $ids) { __typename ... on User { userName } ... on Role { name } }
      }`,
      { u: encodeGlobalId('User', user.id), r: encodeGlobalId('Role', role.id), ids: [encodeGlobalId('Role', role.id), encodeGlobalId('User', 'nope'), encodeGlobalId('User', user.id)] },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.u).toEqual({ __typename: 'User', id: encodeGlobalId('User', user.id), userName: user.userName });
    expect(res.data!.r).toEqual({ __typename: 'Role', name: role.name });
    expect(res.data!.nodes).toEqual([{ __typename: 'Role', name: role.name }, null, { __typename: 'User', userName: user.userName }]);
  });

  it('garbage node ids are BAD_USER_INPUT', async () => {
    for (const id of ['garbage', encodeGlobalId('Workflow', 'x'), '']) {
      const res = await gw.gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(res.errors?.[0]?.extensions?.code, id).toBe('BAD_USER_INPUT');
    }
  });
});

describe('role catalog cache', () => {
  it('serves roles from memory within the TTL and reloads after it', async () => {
    const ttl = await startGateway({ sim: { users: 20 }, env: { IIQ_ROLE_CACHE_TTL: '1' }, ready: false });
    try {
      const role = ttl.sim.data.roles[0]!;
      const q = `query($n: String!) { role(name: $n) { remoteId parents { name } children { totalCount } } }`;
      expect((await ttl.gql(q, { n: role.name })).data!.role.remoteId).toBe(role.id);
      expect(ttl.sim.requests.count({ path: /^\/Roles/ })).toBe(1);
      await ttl.gql(q, { n: role.name });
      expect(ttl.sim.requests.count({ path: /^\/Roles/ })).toBe(1);
      await new Promise((r) => setTimeout(r, 1100));
      await ttl.gql(q, { n: role.name });
      expect(ttl.sim.requests.count({ path: /^\/Roles/ })).toBe(2);
    } finally {
      await ttl.close();
    }
  });
});
