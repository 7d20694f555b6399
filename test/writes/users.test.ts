// User lifecycle mutations over HTTP against the simulator: success and every typed failure, asserted on the
// simulator's data and its request log.
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIiqClient } from '../../src/iiq/client.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';

const USER_FIELDS = 'id remoteId userName displayName givenName familyName email active department version manager { userName } attribute(name: "costcenter")';
const RESULT = `
  __typename
  ... on MutationError { code message }
  ... on DuplicateUserNameError { userName }
  ... on UserNameImmutableError { userName }
  ... on UnknownAttributeError { attribute }
  ... on ReadOnlyAttributeError { attribute mutability }
  ... on AttributeValueError { attribute expected }
  ... on VersionConflictError { id currentVersion attempts }
  ... on NotFoundError { resource id }
  ... on InputValidationError { issues { message path } }
`;

const CREATE = `mutation($input: CreateUserInput!, $key: String) {
  createUser(input: $input, idempotencyKey: $key) { ${RESULT} ... on CreateUserSuccess { user { ${USER_FIELDS} } } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) { ${RESULT} ... on UpdateUserSuccess { user { ${USER_FIELDS} } } }
}`;
const REPLACE = `mutation($id: ID!, $input: ReplaceUserInput!, $ifMatch: String) {
  replaceUser(id: $id, input: $input, ifMatch: $ifMatch) { ${RESULT} ... on ReplaceUserSuccess { user { ${USER_FIELDS} } } }
}`;
const ACTIVE = `mutation($id: ID!, $active: Boolean!) {
  setUserActive(id: $id, active: $active) { ${RESULT} ... on SetUserActiveSuccess { user { userName active } } }
}`;
const DELETE = `mutation($id: ID!, $ifMatch: String) {
  deleteUser(id: $id, ifMatch: $ifMatch) {
    __typename
    ... on MutationError { code message }
    ... on VersionConflictError { id currentVersion attempts }
    ... on NotFoundError { resource id }
    ... on DeleteUserSuccess { deletedId }
  }
}`;

/** Arms a real concurrent write: the next `n` PUTs to /Users/{id} wait until another client has changed that user. */
function racingDispatcher(baseUrl: () => string) {
  const agent = new Agent();
  let armed: { id: string; remaining: number; writes: number } | null = null;
  const dispatcher: Dispatcher = agent.compose((dispatch) => (opts, handler) => {
    const a = armed;
    if (a && opts.method === 'PUT' && opts.path.includes(`/Users/${a.id}`) && a.remaining > 0) {
      a.remaining--;
      void (async () => {
        // another writer, over HTTP, changes the identity between our GET and our PUT
        const other = createIiqClient({ baseUrl: baseUrl(), auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
        try {
          const u = await other.getUser(a.id);
          if (u && !('notModified' in u)) await other.replaceUser(a.id, { userName: u.userName, displayName: `racer ${++a.writes}` });
        } finally {
          await other.close();
        }
        dispatch(opts, handler);
      })();
      return true;
    }
    return dispatch(opts, handler);
  });
  return {
    dispatcher,
    arm: (id: string, times: number) => {
      armed = { id, remaining: times, writes: 0 };
      return armed;
    },
    close: () => agent.close(),
  };
}

describe('user mutations', () => {
  let gw: Gateway;
  let race: ReturnType<typeof racingDispatcher>;
  let simBase = '';

  beforeAll(async () => {
    race = racingDispatcher(() => simBase);
    gw = await startGateway({ client: { dispatcher: race.dispatcher }, ready: false });
    simBase = gw.sim.baseUrl;
  });
  afterAll(async () => {
    await gw.close();
    await race.close();
  });
  beforeEach(() => gw.sim.requests.reset());

  const posts = () => gw.sim.requests.count({ method: 'POST', path: '/Users' });
  const puts = () => gw.sim.requests.count({ method: 'PUT', path: /^\/Users\// });

  it('createUser: one POST, the identity lands in IIQ with core, manager and custom attributes', async () => {
    const manager = gw.sim.data.userByName("Conan.O'Brien")!;
    const res = await gw.gql(CREATE, {
      input: {
        userName: 'jit.alice', givenName: 'Alice', familyName: 'Jit', email: 'alice.jit@example.com', managerId: manager.id,
        capabilities: [], attributes: { department: 'Finance', costcenter: ['FI100', 'FI200'] },
      },
    });
    expect(res.errors).toBeUndefined();
    const out = res.data!.createUser;
    expect(out.__typename).toBe('CreateUserSuccess');
    expect(out.user).toMatchObject({ userName: 'jit.alice', givenName: 'Alice', familyName: 'Jit', email: 'alice.jit@example.com', active: true, department: 'Finance', manager: { userName: "Conan.O'Brien" }, attribute: ['FI100', 'FI200'] });
    const stored = gw.sim.data.userByName('jit.alice')!;
    expect(stored).toMatchObject({ givenName: 'Alice', familyName: 'Jit', email: 'alice.jit@example.com', managerId: manager.id, department: 'Finance', costcenter: ['FI100', 'FI200'] });
    expect(out.user.remoteId).toBe(stored.id);
    expect(posts()).toBe(1);
  });

  it('createUser with a taken userName: DuplicateUserNameError, nothing created', async () => {
    const before = gw.sim.data.users.length;
    const res = await gw.gql(CREATE, { input: { userName: "Conan.O'Brien" } });
    expect(res.data!.createUser).toMatchObject({ __typename: 'DuplicateUserNameError', code: 'DUPLICATE_USER_NAME', userName: "Conan.O'Brien" });
    expect(gw.sim.data.users.length).toBe(before);
    expect(posts()).toBe(1); // IIQ said 409: the duplicate is IIQ's answer, not a guess
  });

  it('createUser with an unknown custom attribute: UnknownAttributeError before any POST', async () => {
    const res = await gw.gql(CREATE, { input: { userName: 'jit.bob', attributes: { favouriteColour: 'teal' } } });
    expect(res.data!.createUser).toMatchObject({ __typename: 'UnknownAttributeError', code: 'UNKNOWN_ATTRIBUTE', attribute: 'favouriteColour' });
    expect(posts()).toBe(0);
    expect(gw.sim.data.userByName('jit.bob')).toBeUndefined();
    expect(gw.sim.requests.count({ method: 'GET', path: '/Schemas' }) + gw.sim.requests.count({ method: 'GET', path: '/ResourceTypes' })).toBeLessThanOrEqual(2);
  });

  it('createUser with a read-only attribute or a wrongly typed one: typed errors, no POST', async () => {
    const ro = await gw.gql(CREATE, { input: { userName: 'jit.bob', attributes: { riskScore: 5 } } });
    expect(ro.data!.createUser).toMatchObject({ __typename: 'ReadOnlyAttributeError', attribute: 'riskScore', mutability: 'readOnly' });
    const typed = await gw.gql(CREATE, { input: { userName: 'jit.bob', attributes: { department: 42 } } });
    expect(typed.data!.createUser).toMatchObject({ __typename: 'AttributeValueError', attribute: 'department', expected: 'a string' });
    const single = await gw.gql(CREATE, { input: { userName: 'jit.bob', attributes: { department: ['a', 'b'] } } });
    expect(single.data!.createUser).toMatchObject({ __typename: 'AttributeValueError', attribute: 'department', expected: 'a single value' });
    expect(posts()).toBe(0);
  });

  it('createUser with invalid input: InputValidationError with paths, nothing sent to IIQ', async () => {
    const cases: [Record<string, unknown>, string | null, string][] = [
      [{ userName: '   ' }, null, 'input.userName'],
      [{ userName: 'bad\u0007name' }, null, 'input.userName'],
      [{ userName: 'jit.x', email: 'not-an-email' }, null, 'input.email'],
      [{ userName: 'jit.x', capabilities: [''] }, null, 'input.capabilities.0'],
      [{ userName: 'jit.x', attributes: ['not', 'an', 'object'] }, null, 'input.attributes'],
      [{ userName: 'jit.x' }, 'abc', 'idempotencyKey'],
    ];
    for (const [input, key, path] of cases) {
      const res = await gw.gql(CREATE, { input, key });
      const out = res.data!.createUser;
      expect(out.__typename, path).toBe('InputValidationError');
      expect(out.code).toBe('VALIDATION');
      expect(out.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain(path);
    }
    expect(gw.sim.data.userByName('jit.x')).toBeUndefined();
    expect(gw.sim.requests.list().filter((r) => r.path.startsWith('/Users'))).toEqual([]);
  });

  it('createUser replayed with the same idempotency key: the first result, exactly one upstream POST', async () => {
    const input = { userName: 'jit.carol', givenName: 'Carol', attributes: { department: 'Legal' } };
    const first = await gw.gql(CREATE, { input, key: 'approval-4711-carol' });
    expect(first.data!.createUser.__typename).toBe('CreateUserSuccess');
    const replay = await gw.gql(CREATE, { input, key: 'approval-4711-carol' });
    expect(replay.data!.createUser.__typename).toBe('CreateUserSuccess');
    expect(replay.data!.createUser.user.id).toBe(first.data!.createUser.user.id);
    expect(posts()).toBe(1);
    expect(gw.sim.data.users.filter((u) => u.userName === 'jit.carol')).toHaveLength(1);
    // concurrent replays: still one POST
    const input2 = { userName: 'jit.dave' };
    const many = await Promise.all([1, 2, 3, 4].map(() => gw.gql(CREATE, { input: input2, key: 'approval-4712-dave' })));
    expect(new Set(many.map((r) => r.data!.createUser.user?.id)).size).toBe(1);
    expect(posts()).toBe(2);
    // the same key with another input is refused
    const reuse = await gw.gql(CREATE, { input: { userName: 'jit.erin' }, key: 'approval-4711-carol' });
    expect(reuse.data!.createUser).toMatchObject({ __typename: 'IdempotencyKeyReuseError', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(posts()).toBe(2);
    // a failed create gives its key up: fixing the input and retrying with the key works
    const dup = await gw.gql(CREATE, { input: { userName: "Conan.O'Brien" }, key: 'approval-4713-x' });
    expect(dup.data!.createUser.__typename).toBe('DuplicateUserNameError');
    const dupAgain = await gw.gql(CREATE, { input: { userName: "Conan.O'Brien" }, key: 'approval-4713-x' });
    expect(dupAgain.data!.createUser.__typename).toBe('DuplicateUserNameError');
    expect(posts()).toBe(4);
  });

  it('updateUser: read, merge, PUT with If-Match; only the given attributes change', async () => {
    const u = gw.sim.data.userByName('jit.alice')!;
    const before = { email: u.email, managerId: u.managerId, costcenter: [...u.costcenter], version: u.lastModified };
    const res = await gw.gql(UPDATE, { id: u.id, input: { displayName: 'Alice J.', attributes: { jobtitle: 'Clerk', costcenter: null } } });
    expect(res.data!.updateUser.__typename).toBe('UpdateUserSuccess');
    // costcenter is multi-valued in the discovered schema: cleared, attribute(name:) reads it as an empty list
    expect(res.data!.updateUser.user).toMatchObject({ displayName: 'Alice J.', email: before.email, department: 'Finance', attribute: [] });
    const after = gw.sim.data.userById(u.id)!;
    expect(after).toMatchObject({ displayName: 'Alice J.', jobtitle: 'Clerk', email: before.email, managerId: before.managerId, department: 'Finance', costcenter: [] });
    expect(after.lastModified).toBeGreaterThan(before.version);
    expect(puts()).toBe(1);
    expect(gw.sim.requests.list().filter((r) => r.method === 'GET' && r.path === `/Users/${u.id}`)).toHaveLength(1);
  });

  it('updateUser with an unknown or read-only attribute: typed error, no PUT', async () => {
    const u = gw.sim.data.userByName('jit.alice')!;
    const unknown = await gw.gql(UPDATE, { id: u.id, input: { attributes: { shoeSize: '44' } } });
    expect(unknown.data!.updateUser).toMatchObject({ __typename: 'UnknownAttributeError', attribute: 'shoeSize' });
    const ro = await gw.gql(UPDATE, { id: u.id, input: { attributes: { isManager: true } } });
    expect(ro.data!.updateUser).toMatchObject({ __typename: 'ReadOnlyAttributeError', attribute: 'isManager' });
    expect(puts()).toBe(0);
  });

  it('updateUser changing userName: UserNameImmutableError from IIQ (400 mutability), identity unchanged', async () => {
    const u = gw.sim.data.userByName('jit.alice')!;
    const res = await gw.gql(UPDATE, { id: u.id, input: { userName: 'jit.alicia' } });
    expect(res.data!.updateUser).toMatchObject({ __typename: 'UserNameImmutableError', code: 'USER_NAME_IMMUTABLE', userName: 'jit.alice' });
    expect(gw.sim.data.userById(u.id)!.userName).toBe('jit.alice');
    expect(gw.sim.data.userByName('jit.alicia')).toBeUndefined();
    expect(puts()).toBe(1);
  });

  it('updateUser racing a real concurrent write: 412, re-read, re-merge, second PUT wins and keeps the other write', async () => {
    const u = gw.sim.data.userByName('jit.carol')!;
    const arm = race.arm(u.id, 1);
    const res = await gw.gql(UPDATE, { id: u.id, input: { attributes: { jobtitle: 'Paralegal' } } });
    expect(arm.writes).toBe(1);
    expect(res.data!.updateUser.__typename).toBe('UpdateUserSuccess');
    const stored = gw.sim.data.userById(u.id)!;
    expect(stored.jobtitle).toBe('Paralegal');
    expect(stored.displayName).toBe('racer 1'); // the re-merge kept the concurrent change
    const statuses = gw.sim.requests.list().filter((r) => r.method === 'PUT' && r.path === `/Users/${u.id}`).map((r) => r.status);
    expect(statuses).toEqual([200, 412, 200]); // the racer's PUT, ours refused, ours again
  });

  it('updateUser losing the race twice: VersionConflictError with the current version, nothing of ours written', async () => {
    const u = gw.sim.data.userByName('jit.carol')!;
    const arm = race.arm(u.id, 2);
    const res = await gw.gql(UPDATE, { id: u.id, input: { attributes: { jobtitle: 'Partner' } } });
    expect(arm.writes).toBe(2);
    const out = res.data!.updateUser;
    expect(out).toMatchObject({ __typename: 'VersionConflictError', code: 'VERSION_CONFLICT', attempts: 2 });
    const stored = gw.sim.data.userById(u.id)!;
    expect(stored.jobtitle).toBe('Paralegal');
    expect(out.currentVersion).toBe(`W/"${stored.lastModified}"`);
  });

  it('replaceUser with a stale ifMatch: VersionConflictError; with the current one: replaced', async () => {
    const u = gw.sim.data.userByName('jit.dave')!;
    const stale = `W/"${u.lastModified - 1}"`;
    const conflict = await gw.gql(REPLACE, { id: u.id, input: { userName: 'jit.dave', displayName: 'Dave' }, ifMatch: stale });
    expect(conflict.data!.replaceUser).toMatchObject({ __typename: 'VersionConflictError', currentVersion: `W/"${u.lastModified}"`, attempts: 1 });
    expect(gw.sim.data.userById(u.id)!.displayName).not.toBe('Dave');
    const ok = await gw.gql(REPLACE, { id: u.id, input: { userName: 'jit.dave', displayName: 'Dave', givenName: 'Dave' }, ifMatch: `W/"${u.lastModified}"` });
    expect(ok.data!.replaceUser.user).toMatchObject({ displayName: 'Dave', givenName: 'Dave' });
    expect(gw.sim.data.userById(u.id)).toMatchObject({ displayName: 'Dave', givenName: 'Dave' });
    const rename = await gw.gql(REPLACE, { id: u.id, input: { userName: 'jit.david' } });
    expect(rename.data!.replaceUser).toMatchObject({ __typename: 'UserNameImmutableError', userName: 'jit.dave' });
  });

  it('setUserActive disables and enables; unknown ids are NotFoundError', async () => {
    const u = gw.sim.data.userByName('jit.dave')!;
    const off = await gw.gql(ACTIVE, { id: u.id, active: false });
    expect(off.data!.setUserActive.user).toEqual({ userName: 'jit.dave', active: false });
    expect(gw.sim.data.userById(u.id)!.active).toBe(false);
    const on = await gw.gql(ACTIVE, { id: u.id, active: true });
    expect(on.data!.setUserActive.user.active).toBe(true);
    expect(gw.sim.data.userById(u.id)!.active).toBe(true);
    const missing = await gw.gql(ACTIVE, { id: '0123456789abcdef0123456789abcdef', active: false });
    expect(missing.data!.setUserActive).toMatchObject({ __typename: 'NotFoundError', resource: 'User', id: '0123456789abcdef0123456789abcdef' });
  });

  it('deleteUser: gone from IIQ and from later reads; again → NotFoundError; a stale ifMatch → VersionConflictError', async () => {
    const u = gw.sim.data.userByName('jit.dave')!;
    const stale = await gw.gql(DELETE, { id: u.id, ifMatch: 'W/"1"' });
    expect(stale.data!.deleteUser.__typename).toBe('VersionConflictError');
    expect(gw.sim.data.userById(u.id)).toBeDefined();
    const res = await gw.gql(DELETE, { id: u.id });
    expect(res.data!.deleteUser.deletedId).toBe(Buffer.from(`User:${u.id}`).toString('base64'));
    expect(gw.sim.data.userById(u.id)).toBeUndefined();
    const read = await gw.gql(`query($id: ID!) { user(id: $id) { userName } }`, { id: u.id });
    expect(read.data!.user).toBeNull();
    const again = await gw.gql(DELETE, { id: u.id });
    expect(again.data!.deleteUser).toMatchObject({ __typename: 'NotFoundError', id: u.id });
  });

  it('updateUser reads past the read cache: a change made elsewhere after a cached read costs no 412 and survives', async () => {
    const u = gw.sim.data.userByName('jit.carol')!;
    const q = `query($id: ID!) { user(id: $id) { displayName version } }`;
    await gw.gql(q, { id: u.id });
    await gw.gql(q, { id: u.id }); // now served from the gateway's read cache
    const other = createIiqClient({ baseUrl: simBase, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
    await other.replaceUser(u.id, { userName: u.userName, displayName: 'changed elsewhere' });
    await other.close();
    gw.sim.requests.reset();
    const res = await gw.gql(UPDATE, { id: u.id, input: { familyName: 'Elsewhere' } });
    expect(res.data!.updateUser.__typename).toBe('UpdateUserSuccess');
    expect(gw.sim.requests.list().filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([200]);
    expect(gw.sim.data.userById(u.id)).toMatchObject({ displayName: 'changed elsewhere', familyName: 'Elsewhere' });
  });

  it('a write in a request is seen by later reads of the same request (loaders forget the user)', async () => {
    const u = gw.sim.data.userByName('jit.carol')!;
    const res = await gw.gql(
      `mutation($id: ID!) {
        a: updateUser(id: $id, input: { displayName: "Carol One" }) { ... on UpdateUserSuccess { user { displayName } } }
        b: updateUser(id: $id, input: { givenName: "Caro" }) { ... on UpdateUserSuccess { user { displayName givenName } } }
      }`,
      { id: u.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.b.user).toEqual({ displayName: 'Carol One', givenName: 'Caro' });
  });
});

describe('writes and the membership index', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ waitForIndex: true });
  });
  afterAll(() => gw.close());

  it('a created identity is known by id -> userName and a deleted one leaves its roles’ members', async () => {
    const res = await gw.gql(CREATE, { input: { userName: 'jit.frank' } });
    const id = res.data!.createUser.user.remoteId as string;
    expect(gw.app.connection.membership.userNameOf(id)).toBe('jit.frank');
    const member = gw.sim.data.users.find((u) => u.roles.length > 0 && u.userName !== 'spadmin')!;
    const roleId = member.roles[0]!.roleId;
    expect(gw.app.connection.membership.members(roleId).members.some((m) => m.userId === member.id)).toBe(true);
    const del = await gw.gql(DELETE, { id: member.id });
    expect(del.data!.deleteUser.__typename).toBe('DeleteUserSuccess');
    expect(gw.app.connection.membership.members(roleId).members.some((m) => m.userId === member.id)).toBe(false);
    expect(gw.app.connection.membership.userNameOf(member.id)).toBeUndefined();
  });
});
