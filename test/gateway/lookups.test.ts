// Lookups by id through the gateway: with the membership index ready, ids are translated to their (immutable)
// userNames and fetched with one `userName` anyOf filter, so a stock IIQ (id not filterable) does not pay one
// GET per id. Counted on the simulator; expectations come from its data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/graphql/global-id.ts';
import { startGateway, type Gateway } from './harness.ts';

const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on User { remoteId userName displayName email } } }';

describe.each([{ idFilterable: false }, { idFilterable: true }])('nodes(ids:) by id (idFilterable: $idFilterable)', ({ idFilterable }) => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 200, idFilterable }, waitForIndex: true });
    await gw.gql('{ users(first: 1) { edges { node { userName displayName email } } } }'); // discovery out of the way
  });
  afterAll(async () => gw?.close());

  it('50 ids with the membership index ready cost one GET /Users (no more than listing 50 users)', async () => {
    const users = gw.sim.data.users.slice(20, 70);
    gw.sim.requests.reset();
    const res = await gw.gql(NODES, { ids: users.map((u) => encodeGlobalId('User', u.id)) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.nodes).toEqual(users.map((u) => ({ remoteId: u.id, userName: u.userName, displayName: u.displayName, email: u.email })));
    const byIds = gw.sim.requests.count({ method: 'GET', path: /^\/Users/ });
    gw.sim.requests.reset();
    await gw.gql('{ users(first: 50) { edges { node { userName displayName email } } } }');
    const listed = gw.sim.requests.count({ method: 'GET', path: /^\/Users/ });
    console.info(`[lookups] idFilterable=${idFilterable}: GET /Users for nodes(ids: 50) ${byIds}, listing 50 ${listed}`);
    expect(byIds).toBe(1);
    expect(byIds).toBeLessThanOrEqual(listed);
  });

  it('an id whose userName now belongs to another identity is not answered by that identity; unknown ids fall back', async () => {
    const victim = gw.sim.data.users[90]!;
    await gw.client.deleteUser(victim.id); // behind the gateway's back: the index still maps its id to its name
    const successor = await gw.client.createUser({ userName: victim.userName, displayName: 'Successor' });
    expect(successor.id).not.toBe(victim.id);
    const other = gw.sim.data.users[91]!;
    const res = await gw.gql(NODES, { ids: [victim.id, successor.id, other.id].map((id) => encodeGlobalId('User', id)) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.nodes).toEqual([
      null,
      { remoteId: successor.id, userName: victim.userName, displayName: 'Successor', email: null },
      { remoteId: other.id, userName: other.userName, displayName: other.displayName, email: other.email },
    ]);
  });
});

describe('nodes(ids:) before the membership index is ready', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 120 }, ready: false });
  });
  afterAll(async () => gw?.close());

  it('falls back to lookups by id and still answers exactly', async () => {
    expect(gw.app.connection!.membership.status().state).toBe('idle');
    const users = gw.sim.data.users.slice(0, 50);
    const res = await gw.gql(NODES, { ids: [...users.map((u) => encodeGlobalId('User', u.id)), encodeGlobalId('User', 'no-such-id')] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.nodes).toEqual([...users.map((u) => ({ remoteId: u.id, userName: u.userName, displayName: u.displayName, email: u.email })), null]);
    expect(gw.sim.requests.count({ method: 'GET', path: /^\/Users\/.+/ })).toBeGreaterThanOrEqual(50); // one GET per id (stock IIQ)
  });
});

describe('hostile userNames through the gateway', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ sim: { users: 40 } });
  });
  afterAll(async () => gw?.close());

  it('users(filter: { userName: { eq } }) and user(userName:) find exactly the identity created with that name', async () => {
    const names = ['") or (userName pr', 'a\u0001b', 'tab\there', 'line\nbreak', 'Ωμέγα-名前-Ünïcødé-'.repeat(8)];
    const ids = [];
    for (const userName of names) ids.push((await gw.client.createUser({ userName })).id);
    for (const [i, userName] of names.entries()) {
      const res = await gw.gql('query ($n: String!) { users(filter: { userName: { eq: $n } }) { totalCount edges { node { remoteId userName } } } user(userName: $n) { remoteId } }', { n: userName });
      expect(res.errors, JSON.stringify(userName)).toBeUndefined();
      expect(res.data!.users).toEqual({ totalCount: 1, edges: [{ node: { remoteId: ids[i], userName } }] });
      expect(res.data!.user).toEqual({ remoteId: ids[i] });
    }
  });
});
