// Accounts, Applications, Entitlements, PolicyViolations over HTTP against the simulator: every field against
// sim.data, traversal whose upstream request count grows with depth and not with rows, connections with
// filters, account writes, the what-if policy check, schema discovery and federation entities.
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimAccount, SimUser } from '../../simulator/index.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const byPath = (gw: Gateway) => {
  const out: Record<string, number> = {};
  for (const r of gw.sim.requests.list()) {
    const key = `${r.method} ${r.path.replace(/\/[0-9a-f]{32}$/, '/{id}')}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
};

const TRAVERSAL = (n: number) => `{
  users(first: ${n}) { edges { node {
    userName
    accounts { nativeIdentity user { userName } application { name owner { userName } }
      entitlements { displayName application { name } owner { userName } } }
    entitlements { entitlement { displayName value } account { nativeIdentity } application { name } }
    policyViolations { policyName constraintName status owner { userName } user { userName } }
  } } }
}`;

describe('IIQ access as a graph', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // idFilterable: owners / holders by id are one filtered request per level (as on IIQ versions that allow it)
    gw = await startGateway({ sim: { idFilterable: true, users: 120 }, ready: false });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.sim.requests.reset());

  const simAccountsOf = (u: SimUser) => gw.sim.data.accounts.filter((a) => a.identityId === u.id);
  const appName = (id: string) => gw.sim.data.applications.find((a) => a.id === id)!.name;
  const catalogued = (a: SimAccount) =>
    a.entitlements.map((e) => gw.sim.data.entitlements.find((x) => x.applicationId === a.applicationId && x.attribute === e.attribute && x.value === e.value)).filter((x) => x !== undefined);

  it('user -> accounts -> entitlements -> application: every field matches IIQ', async () => {
    const conan = gw.sim.data.userByName("Conan.O'Brien")!;
    const res = await gw.gql(
      `query($id: ID!) { user(id: $id) {
        accounts { id remoteId nativeIdentity displayName active locked manuallyCorrelated hasEntitlements lastRefresh version
          user { userName } application { id remoteId name type description features owner { userName } }
          entitlements { remoteId displayName type attribute value description requestable owner { userName } application { name } } }
        entitlements { entitlement { remoteId } account { remoteId } application { name } }
        policyViolations { id remoteId policyName constraintName description status owner { userName } user { userName } }
      } }`,
      { id: conan.id },
    );
    expect(res.errors).toBeUndefined();
    const user = res.data!.user;
    const expected = simAccountsOf(conan).sort((a, b) => (a.nativeIdentity.toLowerCase() < b.nativeIdentity.toLowerCase() ? -1 : 1));
    expect(user.accounts.map((a: { remoteId: string }) => a.remoteId).sort()).toEqual(expected.map((a) => a.id).sort());
    for (const acc of user.accounts) {
      const sim = gw.sim.data.accounts.find((a) => a.id === acc.remoteId)!;
      const app = gw.sim.data.applications.find((a) => a.id === sim.applicationId)!;
      expect(acc).toMatchObject({
        id: gid('Account', sim.id), nativeIdentity: sim.nativeIdentity, displayName: sim.displayName, active: sim.active, locked: sim.locked,
        manuallyCorrelated: sim.manuallyCorrelated, hasEntitlements: sim.entitlements.length > 0, version: `W/"${sim.lastModified}"`,
        user: { userName: "Conan.O'Brien" },
        application: { id: gid('Application', app.id), remoteId: app.id, name: app.name, type: app.type, description: app.description, features: app.features },
      });
      expect(acc.application.owner?.userName ?? null).toBe(app.ownerId ? gw.sim.data.userById(app.ownerId)!.userName : null);
      const ents = catalogued(sim);
      expect(acc.entitlements.map((e: { remoteId: string }) => e.remoteId).sort()).toEqual(ents.map((e) => e!.id).sort());
      for (const e of acc.entitlements) {
        const s = gw.sim.data.entitlements.find((x) => x.id === e.remoteId)!;
        expect(e).toMatchObject({ displayName: s.displayableName, type: s.type, attribute: s.attribute, value: s.value, description: s.description, requestable: s.requestable, application: { name: app.name } });
        expect(e.owner?.userName ?? null).toBe(s.ownerId ? (gw.sim.data.userById(s.ownerId)?.userName ?? null) : null);
      }
    }
    // user.entitlements = the accounts' entitlements, each with its account and application
    const flat = expected.flatMap((a) => catalogued(a).map((e) => `${e!.id}|${a.id}|${appName(a.applicationId)}`)).sort();
    expect(user.entitlements.map((x: any) => `${x.entitlement.remoteId}|${x.account.remoteId}|${x.application.name}`).sort()).toEqual(flat);
    expect(user.entitlements.some((x: any) => x.entitlement.remoteId && x.application.name === 'SAP ERP')).toBe(true);
    const pvs = gw.sim.data.policyViolations.filter((p) => p.identityId === conan.id);
    expect(pvs.length).toBeGreaterThan(0);
    expect(user.policyViolations.map((p: any) => p.remoteId).sort()).toEqual(pvs.map((p) => p.id).sort());
    for (const p of user.policyViolations) {
      const s = pvs.find((x) => x.id === p.remoteId)!;
      expect(p).toMatchObject({ id: gid('PolicyViolation', s.id), policyName: s.policyName, constraintName: s.constraintName, description: s.description, status: s.status, user: { userName: "Conan.O'Brien" } });
      expect(p.owner?.userName ?? null).toBe(s.ownerId ? gw.sim.data.userById(s.ownerId)!.userName : null);
    }
  });

  it('traversal: upstream requests grow with depth, not with rows (3 users vs 12 users: same requests)', async () => {
    const counts: Record<string, number>[] = [];
    for (const n of [3, 12]) {
      gw.sim.requests.reset();
      const res = await gw.gql(TRAVERSAL(n));
      expect(res.errors).toBeUndefined();
      expect(res.data!.users.edges).toHaveLength(n);
      counts.push(byPath(gw));
    }
    expect(counts[1]).toEqual(counts[0]);
    const c = counts[1]!;
    // one list per level: users, their accounts, their violations, all applications, the accounts' entitlements
    expect(c['GET /Accounts']).toBe(1);
    expect(c['GET /PolicyViolations']).toBe(1);
    expect(c['GET /Applications']).toBe(1);
    expect(c['GET /Entitlements']).toBe(1);
    // users: the page, then one batched lookup per level of user references (holders, owners)
    expect(c['GET /Users']).toBeLessThanOrEqual(4);
    expect(c['GET /Users/{id}'] ?? 0).toBe(0);
    expect(c['GET /Accounts/{id}'] ?? 0).toBe(0);
    expect(c['GET /Entitlements/{id}'] ?? 0).toBe(0);
  });

  it('accounts / applications / entitlements / policyViolations connections with filters and cursors', async () => {
    const sap = gw.sim.data.applications.find((a) => a.name === 'SAP ERP')!;
    const sapActive = gw.sim.data.accounts.filter((a) => a.applicationId === sap.id && a.active);
    const first = await gw.gql(`query($app: ID!) { accounts(first: 3, filter: { applicationId: $app, active: true }) { totalCount edges { cursor node { nativeIdentity active application { name } } } pageInfo { hasNextPage endCursor } } }`, { app: gid('Application', sap.id) });
    expect(first.errors).toBeUndefined();
    expect(first.data!.accounts.totalCount).toBe(sapActive.length);
    expect(first.data!.accounts.edges.every((e: any) => e.node.active && e.node.application.name === 'SAP ERP')).toBe(true);
    const next = await gw.gql(`query($app: ID!, $after: String) { accounts(first: 3, after: $after, filter: { applicationId: $app, active: true }) { edges { node { nativeIdentity } } } }`, { app: gid('Application', sap.id), after: first.data!.accounts.pageInfo.endCursor });
    // a cursor belongs to its list: another filter refuses it
    const foreign = await gw.gql(`query($after: String) { accounts(first: 3, after: $after, filter: { applicationName: { eq: "SAP ERP" } }) { totalCount } }`, { after: first.data!.accounts.pageInfo.endCursor });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const byName = await gw.gql(`{ accounts(first: 1, filter: { applicationName: { eq: "SAP ERP" }, active: true }) { totalCount } }`);
    expect(byName.data!.accounts.totalCount).toBe(sapActive.length);
    const sorted = sapActive.map((a) => a.nativeIdentity).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
    expect([...first.data!.accounts.edges, ...next.data!.accounts.edges].map((e: any) => e.node.nativeIdentity)).toEqual(sorted.slice(0, 6));

    const apps = await gw.gql(`{ applications(filter: { name: { startsWith: "S" } }) { totalCount edges { node { name } } } }`);
    expect(apps.data!.applications.edges.map((e: any) => e.node.name)).toEqual(gw.sim.data.applications.map((a) => a.name).filter((n) => n.startsWith('S')).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));

    const ad = gw.sim.data.applications.find((a) => a.name === 'Active_Directory')!;
    const reqAd = gw.sim.data.entitlements.filter((e) => e.applicationId === ad.id && e.requestable);
    const ents = await gw.gql(`{ entitlements(first: 100, filter: { applicationName: { eq: "Active_Directory" }, requestable: true }) { totalCount edges { node { displayName requestable application { name } } } } }`);
    expect(ents.data!.entitlements.totalCount).toBe(reqAd.length);
    expect(ents.data!.entitlements.edges.every((e: any) => e.node.requestable && e.node.application.name === 'Active_Directory')).toBe(true);

    const open = gw.sim.data.policyViolations.filter((p) => p.status === 'Open' && gw.sim.data.userById(p.identityId));
    const pv = await gw.gql(`{ policyViolations(first: 100, filter: { status: OPEN }) { totalCount edges { node { status policyName } } } }`);
    expect(pv.data!.policyViolations.totalCount).toBe(open.length);
    expect(pv.data!.policyViolations.edges.every((e: any) => e.node.status === 'Open')).toBe(true);

    // totals only: count=0 upstream when no edge is selected
    gw.sim.requests.reset();
    const total = await gw.gql(`{ accounts { totalCount } }`);
    expect(total.data!.accounts.totalCount).toBe(gw.sim.data.accounts.length);
    expect(gw.sim.requests.list().filter((r) => r.path === '/Accounts').map((r) => r.query['count'])).toEqual(['0']);
  });

  it('application -> accounts and entitlements connections; node(id) for every new type', async () => {
    const wd = gw.sim.data.applications.find((a) => a.name === 'Workday')!;
    const res = await gw.gql(`query($id: ID!) { node(id: $id) { __typename ... on Application { name accounts(first: 2) { totalCount edges { node { application { name } } } } entitlements(first: 50) { totalCount edges { node { application { name } } } } } } }`, { id: gid('Application', wd.id) });
    expect(res.errors).toBeUndefined();
    const app = res.data!.node;
    expect(app.__typename).toBe('Application');
    expect(app.accounts.totalCount).toBe(gw.sim.data.accounts.filter((a) => a.applicationId === wd.id).length);
    expect(app.entitlements.totalCount).toBe(gw.sim.data.entitlements.filter((e) => e.applicationId === wd.id).length);
    const account = gw.sim.data.accounts[0]!;
    const ent = gw.sim.data.entitlements[0]!;
    const pv = gw.sim.data.policyViolations.find((p) => gw.sim.data.userById(p.identityId))!;
    const nodes = await gw.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Account { nativeIdentity } ... on Entitlement { value } ... on PolicyViolation { constraintName } } }`, {
      ids: [gid('Account', account.id), gid('Entitlement', ent.id), gid('PolicyViolation', pv.id)],
    });
    expect(nodes.data!.nodes).toEqual([
      { __typename: 'Account', nativeIdentity: account.nativeIdentity },
      { __typename: 'Entitlement', value: ent.value },
      { __typename: 'PolicyViolation', constraintName: pv.constraintName },
    ]);
  });

  it('role classifications from IIQ', async () => {
    const role = gw.sim.data.roles.find((r) => r.classifications.length > 0);
    expect(role).toBeDefined();
    const res = await gw.gql(`query($id: ID!) { node(id: $id) { ... on Role { name classifications } } }`, { id: gid('Role', role!.id) });
    expect(res.data!.node).toEqual({ name: role!.name, classifications: role!.classifications });
  });

  it('federation: Account, Entitlement, PolicyViolation by id and Application by id or name resolve through _entities', async () => {
    const account = gw.sim.data.accounts[1]!;
    const ent = gw.sim.data.entitlements[1]!;
    const pv = gw.sim.data.policyViolations.find((p) => gw.sim.data.userById(p.identityId))!;
    const res = await gw.gql(`query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Account { nativeIdentity } ... on Entitlement { value } ... on PolicyViolation { policyName } ... on Application { name } } }`, {
      r: [
        { __typename: 'Account', id: gid('Account', account.id) },
        { __typename: 'Entitlement', id: gid('Entitlement', ent.id) },
        { __typename: 'PolicyViolation', id: gid('PolicyViolation', pv.id) },
        { __typename: 'Application', name: 'GitHub Enterprise' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      { __typename: 'Account', nativeIdentity: account.nativeIdentity },
      { __typename: 'Entitlement', value: ent.value },
      { __typename: 'PolicyViolation', policyName: pv.policyName },
      { __typename: 'Application', name: 'GitHub Enterprise' },
    ]);
  });
});

describe('account writes and the what-if check', () => {
  let gw: Gateway;
  // arms a real concurrent write: before our next `remaining` PUTs to /Accounts/{id}, another client changes that account
  const race = { id: '', remaining: 0, writes: 0 };
  const agent = new Agent();
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    if (race.remaining > 0 && opts.method === 'PUT' && opts.path.endsWith(`/Accounts/${race.id}`)) {
      race.remaining--;
      void (async () => {
        const other = createIiqClient({ baseUrl: gw.sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
        try {
          const a = await other.getAccount(race.id);
          if (a) await other.changeAccount(a, { unlock: true });
          race.writes++;
        } finally {
          await other.close();
        }
        dispatch(opts, handler);
      })();
      return true;
    }
    return dispatch(opts, handler);
  });
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 80 }, ready: false, client: { dispatcher } });
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
  });

  it('disableAccount racing a real concurrent account write: 412, re-read, second PUT wins; twice: VersionConflictError', async () => {
    const account = gw.sim.data.accounts.find((a) => a.active && a.id !== gw.sim.data.accounts[0]!.id)!;
    Object.assign(race, { id: account.id, remaining: 1, writes: 0 });
    const q = `mutation($id: ID!) { disableAccount(id: $id) { __typename ... on VersionConflictError { attempts currentVersion } ... on DisableAccountSuccess { account { active } } } }`;
    const once = await gw.gql(q, { id: account.id });
    expect(race.writes).toBe(1);
    expect(once.data!.disableAccount).toEqual({ __typename: 'DisableAccountSuccess', account: { active: false } });
    expect(gw.sim.requests.list().filter((r) => r.method === 'PUT' && r.path === `/Accounts/${account.id}`).map((r) => r.status)).toEqual([200, 412, 200]);
    gw.sim.requests.reset();
    Object.assign(race, { remaining: 2, writes: 0 });
    const twice = await gw.gql(q, { id: account.id });
    expect(race.writes).toBe(2);
    const stored = gw.sim.data.accounts.find((a) => a.id === account.id)!;
    expect(twice.data!.disableAccount).toEqual({ __typename: 'VersionConflictError', attempts: 2, currentVersion: `W/"${stored.lastModified}"` });
  });
  beforeEach(() => gw.sim.requests.reset());

  const ACCOUNT_RESULT = `__typename ... on MutationError { code } ... on NotFoundError { resource id } ... on VersionConflictError { attempts }`;

  it('disableAccount / enableAccount / unlockAccount: PUT with If-Match, state lands in IIQ', async () => {
    const account = gw.sim.data.accounts.find((a) => a.active && !a.locked)!;
    account.locked = true; // a lockout on the application
    const id = gid('Account', account.id);
    const off = await gw.gql(`mutation($id: ID!) { disableAccount(id: $id) { ${ACCOUNT_RESULT} ... on DisableAccountSuccess { account { active locked nativeIdentity } } } }`, { id });
    expect(off.data!.disableAccount.account).toEqual({ active: false, locked: true, nativeIdentity: account.nativeIdentity });
    expect(gw.sim.data.accounts.find((a) => a.id === account.id)!.active).toBe(false);
    const unlock = await gw.gql(`mutation($id: ID!) { unlockAccount(id: $id) { ${ACCOUNT_RESULT} ... on UnlockAccountSuccess { account { locked } } } }`, { id });
    expect(unlock.data!.unlockAccount.account).toEqual({ locked: false });
    const on = await gw.gql(`mutation($id: ID!) { enableAccount(id: $id) { ${ACCOUNT_RESULT} ... on EnableAccountSuccess { account { active } } } }`, { id: account.id });
    expect(on.data!.enableAccount.account).toEqual({ active: true });
    expect(gw.sim.data.accounts.find((a) => a.id === account.id)).toMatchObject({ active: true, locked: false });
    const puts = gw.sim.requests.list().filter((r) => r.method === 'PUT' && r.path === `/Accounts/${account.id}`);
    expect(puts.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('an unknown account: NotFoundError, no PUT', async () => {
    const res = await gw.gql(`mutation { disableAccount(id: "0123456789abcdef0123456789abcdef") { ${ACCOUNT_RESULT} } }`);
    expect(res.data!.disableAccount).toMatchObject({ __typename: 'NotFoundError', resource: 'Account', code: 'NOT_FOUND' });
    expect(gw.sim.requests.count({ method: 'PUT' })).toBe(0);
  });

  const CHECK = `query($user: ID!, $roles: [ID!], $ents: [ID!], $policies: [String!]) {
    checkPolicyViolations(userId: $user, addRoles: $roles, addEntitlements: $ents, policies: $policies) {
      __typename
      ... on MutationError { code }
      ... on NotFoundError { resource id }
      ... on CheckPolicyViolationsSuccess { violations { policyName policyType constraintName description leftBundles rightBundles roles { name } } }
    }
  }`;

  const cleanUser = () => {
    const names = new Set(['SAP - AP Clerk - IT', 'SAP - AR Clerk - IT', 'SAP - Purchasing - IT', 'AD - Help Desk - IT', 'AD - Domain Administration - IT']);
    const ids = new Set(gw.sim.data.roles.filter((r) => names.has(r.name)).map((r) => r.id));
    return gw.sim.data.users.find((u) => u.active && u.roles.length > 0 && !u.roles.some((r) => ids.has(r.roleId) || gw.sim.data.roles.find((x) => x.id === r.roleId)?.requirementIds.some((q) => ids.has(q))))!;
  };

  it('checkPolicyViolations: an AR Clerk role plus the AP clerk SAP entitlement would violate Finance SOD; nothing is provisioned', async () => {
    const u = cleanUser();
    const rolesBefore = JSON.stringify(u.roles);
    const ar = gw.sim.data.roles.find((r) => r.name === 'Accounts Receivable Clerk')!;
    const sap = gw.sim.data.applications.find((a) => a.name === 'SAP ERP')!;
    const apEnt = gw.sim.data.entitlements.find((e) => e.applicationId === sap.id && e.value === 'Z_AP_CLERK')!;
    const res = await gw.gql(CHECK, { user: gid('User', u.id), roles: [gid('Role', ar.id)], ents: [gid('Entitlement', apEnt.id)] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.checkPolicyViolations.__typename).toBe('CheckPolicyViolationsSuccess');
    expect(res.data!.checkPolicyViolations.violations).toEqual([
      {
        policyName: 'Finance SOD Policy', policyType: 'SOD', constraintName: 'AP Clerk vs AR Clerk',
        description: 'Accounts payable and accounts receivable must not be held by the same identity.',
        leftBundles: ['SAP - AP Clerk - IT'], rightBundles: ['SAP - AR Clerk - IT'],
        roles: [{ name: 'SAP - AP Clerk - IT' }, { name: 'SAP - AR Clerk - IT' }],
      },
    ]);
    expect(gw.sim.requests.count({ method: 'POST', path: '/CheckedPolicyViolations' })).toBe(1);
    expect(JSON.stringify(gw.sim.data.userById(u.id)!.roles)).toBe(rolesBefore);
    // a clean grant, and a policy filter that leaves the violated policy out
    const vpn = gw.sim.data.roles.find((r) => r.name === 'AD - VPN Access - IT')!;
    const clean = await gw.gql(CHECK, { user: u.id, roles: [vpn.id] });
    expect(clean.data!.checkPolicyViolations.violations).toEqual([]);
    const other = await gw.gql(CHECK, { user: u.id, roles: [ar.id], ents: [apEnt.id], policies: ['IT SOD Policy'] });
    expect(other.data!.checkPolicyViolations.violations).toEqual([]);
  });

  it('checkPolicyViolations with an unknown role or entitlement: NotFoundError before any POST', async () => {
    const u = cleanUser();
    const role = await gw.gql(CHECK, { user: u.id, roles: ['0123456789abcdef0123456789abcdef'] });
    expect(role.data!.checkPolicyViolations).toMatchObject({ __typename: 'NotFoundError', resource: 'Role' });
    const ent = await gw.gql(CHECK, { user: u.id, ents: ['0123456789abcdef0123456789abcdef'] });
    expect(ent.data!.checkPolicyViolations).toMatchObject({ __typename: 'NotFoundError', resource: 'Entitlement' });
    expect(gw.sim.requests.count({ method: 'POST', path: '/CheckedPolicyViolations' })).toBe(0);
    const user = await gw.gql(CHECK, { user: 'no-such-identity', roles: [] });
    expect(user.data!.checkPolicyViolations.__typename).toBe('UpstreamRejectedError');
  });
});

describe('iiqSchema (schema discovery)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 40 }, ready: false });
  });
  afterAll(() => gw.close());

  it('user attributes with type, multiValued, mutability and returned, read once and cached', async () => {
    gw.sim.requests.reset();
    const q = `{ iiqSchema { userAttributes { name type multiValued mutability returned schema custom } customUserAttributes { name } resourceTypes { name endpoint schema extensions } } }`;
    const res = await gw.gql(q);
    expect(res.errors).toBeUndefined();
    const attrs = res.data!.iiqSchema.userAttributes as any[];
    const find = (name: string) => attrs.find((a) => a.name === name);
    expect(find('userName')).toMatchObject({ type: 'string', multiValued: false, mutability: 'immutable', returned: 'default', custom: false, schema: 'urn:ietf:params:scim:schemas:core:2.0:User' });
    expect(find('department')).toMatchObject({ type: 'string', multiValued: false, mutability: 'readWrite', custom: true, schema: 'urn:ietf:params:scim:schemas:sailpoint:1.0:User' });
    expect(find('costcenter')).toMatchObject({ multiValued: true, custom: true });
    expect(find('locationOwner')).toMatchObject({ type: 'complex', custom: true });
    expect(find('roles')).toMatchObject({ mutability: 'readOnly', returned: 'request', custom: false });
    expect(res.data!.iiqSchema.customUserAttributes.map((a: any) => a.name)).toEqual(['department', 'costcenter', 'jobtitle', 'location', 'locationOwner', 'region', 'regionOwner', 'empId']);
    expect(res.data!.iiqSchema.resourceTypes.find((r: any) => r.name === 'User')).toEqual({
      name: 'User', endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
      extensions: ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:ietf:params:scim:schemas:sailpoint:1.0:User'],
    });
    expect(gw.sim.requests.count({ path: '/Schemas' })).toBe(1);
    expect(gw.sim.requests.count({ path: '/ResourceTypes' })).toBe(1);
    await gw.gql(q);
    expect(gw.sim.requests.count({ path: /^\/(Schemas|ResourceTypes)/ })).toBe(2);
  });

  it('an identity-typed custom attribute is written by id and read back as a reference', async () => {
    const owner = gw.sim.data.userByName("Conan.O'Brien")!;
    const res = await gw.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { __typename ... on CreateUserSuccess { user { remoteId attribute(name: "regionOwner") } } } }`, {
      input: { userName: 'jit.regional', attributes: { regionOwner: owner.id, region: 'EMEA' } },
    });
    expect(res.data!.createUser.__typename).toBe('CreateUserSuccess');
    expect(gw.sim.data.userByName('jit.regional')).toMatchObject({ regionOwner: owner.id, region: 'EMEA' });
    expect(res.data!.createUser.user.attribute).toMatchObject({ id: owner.id });
  });
});
