// The response cache with compiled execution (graphql-jit, the default executor): a repeated identical query is
// answered from the cache without any upstream request, and the executor's plugin order does not bypass it.
// Counted twice: upstream requests to the simulator (the SCIM read cache's TTLs are 1 s and the repeat comes
// after they ran out), and calls into the connection's client (read cache included), which only an executed
// query makes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type Gateway } from './harness.ts';

const PAGE = `{ users(first: 20) { totalCount edges { node { id userName displayName roles { edges { acquired node { name type { name } } } } } } } }`;

describe('response cache with the graphql-jit executor', () => {
  let gw: Gateway;
  const warn = vi.spyOn(console, 'warn');
  beforeAll(async () => {
    gw = await startGateway({ env: { CACHE: 'on', CACHE_KEY_PREFIX: `rc-jit-${process.pid}-${Date.now()}:`, CACHE_TTL_RESPONSES: '60', CACHE_TTL_USERS: '1', CACHE_TTL_LISTS: '1', CACHE_TTL_ROLES: '1', CACHE_STALE_TTL: '1' }, waitForIndex: true });
  });
  afterAll(async () => {
    warn.mockRestore();
    await gw?.close();
  });

  it('serves the second identical query from the cache: no upstream request, the same data', async () => {
    const first = await gw.gql(PAGE);
    expect(first.errors).toBeUndefined();
    expect(first.data!.users.edges).toHaveLength(20);
    await new Promise((r) => setTimeout(r, 2100)); // the read cache's entries (and their stale grace) have expired
    const before = gw.upstream();
    const listUsers = vi.spyOn(gw.app.connection.client, 'listUsers');
    const second = await gw.gql(PAGE);
    expect(listUsers).not.toHaveBeenCalled();
    listUsers.mockRestore();
    expect(gw.upstream() - before).toBe(0);
    expect(second.data).toEqual(first.data);
    // nothing of the cache's bookkeeping leaks into the answer
    expect(JSON.stringify(second)).not.toContain('__responseCache');
    // Yoga's warning when a later plugin replaced the cache's executor
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('useResponseCache'))).toEqual([]);
  });

  it('a different query (other variables) still reaches IIQ', async () => {
    const q = `query($n: Int!) { users(first: $n) { edges { node { userName } } } }`;
    await gw.gql(q, { n: 3 });
    await new Promise((r) => setTimeout(r, 2100));
    const before = gw.upstream();
    const other = await gw.gql(q, { n: 4 });
    expect(other.data!.users.edges).toHaveLength(4);
    expect(gw.upstream() - before).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2100));
    const again = gw.upstream();
    await gw.gql(q, { n: 4 });
    expect(gw.upstream() - again).toBe(0);
  });
});
