// Filters end to end: hostile values match exactly what they say; operators, and/or/not, custom attributes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/graphql/global-id.ts';
import type { SimUser } from '../../simulator/types.ts';
import { byUserName, startGateway, type Gateway, type GraphQLResponse } from './harness.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ sim: { users: 120 }, ready: false });
});
afterAll(async () => gw?.close());

/** userNames of every matching user (all pages) */
async function names(filter: Record<string, unknown>): Promise<string[]> {
  const list: string[] = [];
  let after: string | null = null;
  for (;;) {
    const res: GraphQLResponse = await gw.gql(`query($f: UserFilter, $a: String) { users(first: 100, after: $a, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { userName } } } }`, { f: filter, a: after });
    expect(res.errors, JSON.stringify(filter)).toBeUndefined();
    list.push(...res.data!.users.edges.map((e: any) => e.node.userName as string));
    if (!res.data!.users.pageInfo.hasNextPage) {
      expect(res.data!.users.totalCount).toBe(list.length);
      return list;
    }
    after = res.data!.users.pageInfo.endCursor;
  }
}

const expectUsers = (pred: (u: SimUser) => boolean) => gw.sim.data.users.filter(pred).map((u) => u.userName).sort(byUserName);
const lower = (s: string | null) => (s ?? '').toLowerCase();

describe('hostile filter values', () => {
  it.each(["Conan.O'Brien", 'a "quoted" name', 'CORP\\jdoe', 'Mary Ann Smith', '李小龙', 'Renée.Weiß'])('userName eq %s matches exactly that user', async (name) => {
    expect(await names({ userName: { eq: name } })).toEqual([name]);
  });

  it('filter syntax inside a value is a value: ") or (userName pr', async () => {
    expect(await names({ userName: { eq: '") or (userName pr' } })).toEqual([]);
    expect(await names({ displayName: { contains: '") or (userName pr' } })).toEqual([]);
    expect(await names({ userName: { startsWith: 'a "quo' } })).toEqual(['a "quoted" name']);
    expect(await names({ displayName: { contains: '\\' } })).toEqual(expectUsers((u) => (u.displayName ?? '').includes('\\')));
  });
});

describe('operators', () => {
  it('eq / ne / startsWith / contains / present on string fields', async () => {
    const some = gw.sim.data.users.find((u) => u.familyName && u.givenName)!;
    expect(await names({ familyName: { eq: some.familyName } })).toEqual(expectUsers((u) => lower(u.familyName) === lower(some.familyName)));
    expect(await names({ givenName: { startsWith: some.givenName!.slice(0, 2) } })).toEqual(expectUsers((u) => lower(u.givenName).startsWith(lower(some.givenName!.slice(0, 2)))));
    expect(await names({ email: { contains: 'example' }, userName: { ne: some.userName } })).toEqual(
      expectUsers((u) => lower(u.email).includes('example') && lower(u.userName) !== lower(some.userName)),
    );
    expect(await names({ email: { present: false } })).toEqual(expectUsers((u) => !u.email));
  });

  it('active, isManager, managerId, riskScore', async () => {
    const manager = gw.sim.data.users.find((u) => u.isManager)!;
    expect(await names({ active: false })).toEqual(expectUsers((u) => !u.active));
    expect((await names({ isManager: true })).length).toBe(expectUsers((u) => u.isManager).length);
    expect(await names({ managerId: encodeGlobalId('User', manager.id) })).toEqual(expectUsers((u) => u.managerId === manager.id));
    expect(await names({ managerId: manager.id })).toEqual(expectUsers((u) => u.managerId === manager.id));
    expect(await names({ riskScore: { ge: 500, lt: 800 } })).toEqual(expectUsers((u) => u.riskScore !== null && u.riskScore >= 500 && u.riskScore < 800));
  });

  it('updatedSince', async () => {
    const times = gw.sim.data.users.map((u) => u.lastModified).sort((a, b) => a - b);
    const since = times[Math.floor(times.length * 0.8)]!;
    expect(await names({ updatedSince: new Date(since).toISOString() })).toEqual(expectUsers((u) => u.lastModified >= since));
  });

  it('custom attributes by name', async () => {
    const u = gw.sim.data.users.find((x) => x.department)!;
    expect(await names({ attributes: [{ name: 'department', eq: u.department }] })).toEqual(expectUsers((x) => lower(x.department) === lower(u.department)));
    const bad = await gw.gql(`{ users(filter: { attributes: [{ name: "department\\" or userName pr", eq: "x" }] }) { totalCount } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('and / or / not', async () => {
    const [a, b] = gw.sim.data.users.slice(10, 12);
    expect(await names({ or: [{ userName: { eq: a!.userName } }, { userName: { eq: b!.userName } }] })).toEqual([a!.userName, b!.userName].sort(byUserName));
    expect(await names({ and: [{ active: true }, { not: { isManager: true } }] })).toEqual(expectUsers((u) => u.active && !u.isManager));
  });
});
