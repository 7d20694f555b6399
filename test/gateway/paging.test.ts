// Relay paging over the whole directory, forward and backward, and cursor validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byUserName, startGateway, type Gateway } from './harness.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ sim: { users: 120 }, ready: false });
});
afterAll(async () => gw?.close());

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { userName: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE = `totalCount edges { cursor node { userName } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

async function users(args: string, variables: Record<string, unknown> = {}): Promise<Page> {
  const vars = ['after', 'before'].filter((v) => args.includes(`$${v}`)).map((v) => `$${v}: String`);
  const res = await gw.gql<{ users: Page }>(`query${vars.length ? `(${vars.join(', ')})` : ''} { users${args ? `(${args})` : ''} { ${PAGE} } }`, variables);
  expect(res.errors).toBeUndefined();
  return res.data!.users;
}

describe('full-directory paging', () => {
  it('forward: every user exactly once, in userName order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page = await users('first: 13, after: $after', { after });
      seen.push(...page.edges.map((e) => e.node.userName));
      expect(page.totalCount).toBe(gw.sim.data.users.length);
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const expected = gw.sim.data.users.map((u) => u.userName).sort(byUserName);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort(byUserName)).toEqual(expected);
    expect(seen).toEqual([...seen].sort(byUserName));
    expect(pages).toBe(Math.ceil(expected.length / 13));
  });

  it('backward: every user exactly once, the same order reversed page by page', async () => {
    const chunks: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page = await users('last: 17, before: $before', { before });
      chunks.unshift(page.edges.map((e) => e.node.userName));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    const seen = chunks.flat();
    const forward = (await users('first: 100')).edges.map((e) => e.node.userName);
    const rest = (await users('first: 100, after: $after', { after: (await users('first: 100')).pageInfo.endCursor })).edges.map((e) => e.node.userName);
    expect(seen).toEqual([...forward, ...rest]);
    expect(seen).toHaveLength(gw.sim.data.users.length);
  });

  it('last without before gives the tail; cursors from a page continue it', async () => {
    const tail = await users('last: 5');
    const all = gw.sim.data.users.map((u) => u.userName).sort(byUserName);
    expect(tail.edges.map((e) => e.node.userName)).toEqual(all.slice(-5));
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = await users('last: 3, before: $before', { before: tail.pageInfo.startCursor });
    expect(before.edges.map((e) => e.node.userName)).toEqual(all.slice(-8, -5));
  });

  it('default page is 20; above the maximum is BAD_USER_INPUT', async () => {
    expect((await users('')).edges).toHaveLength(20);
    const res = await gw.gql(`{ users(first: 101) { totalCount } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const neg = await gw.gql(`{ users(last: -1) { totalCount } }`);
    expect(neg.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('orderBy is sent upstream and paging follows it', async () => {
    const res = await gw.gql(`{ users(first: 100, orderBy: { field: USER_NAME, direction: DESC }) { edges { node { userName } } } }`);
    const names = res.data!.users.edges.map((e: any) => e.node.userName);
    expect(names).toEqual(gw.sim.data.users.map((u) => u.userName).sort(byUserName).reverse().slice(0, 100));
    gw.sim.requests.reset();
    await gw.gql(`{ users(first: 3, orderBy: { field: RISK_SCORE, direction: DESC }) { edges { node { riskScore } } } }`);
    await gw.gql(`{ users(first: 3) { edges { cursor } } }`);
    const queries = gw.sim.requests.list().filter((r) => r.path === '/Users').map((r) => r.query);
    expect(queries[0]).toMatchObject({ sortOrder: 'descending' });
    expect(queries[0]!.sortBy).toMatch(/riskScore$/);
    expect(queries[1]!.sortBy).toMatch(/userName$/); // the default order is always sent
  });
});

describe('cursor validation', () => {
  it('rejects tampered, foreign and garbage cursors with BAD_USER_INPUT', async () => {
    const page = await users('first: 5');
    const cursor = page.pageInfo.endCursor!;
    const tampered = Buffer.from(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^c1:4:/, 'c1:40:')).toString('base64url');
    const filtered = await gw.gql(`{ users(first: 5, filter: { active: true }) { pageInfo { endCursor } } }`);
    const foreignQuery = filtered.data!.users.pageInfo.endCursor;
    const sim = gw.sim.data.users.find((u) => u.roles.length > 1)!;
    const rolesCursor = (await gw.gql(`query($n: String!) { user(userName: $n) { roles(first: 1) { pageInfo { endCursor } } } }`, { n: sim.userName })).data!.user.roles.pageInfo.endCursor;
    for (const bad of [tampered, foreignQuery, rolesCursor, 'garbage', 'Y3Vyc29yOjE=', '']) {
      if (bad === '') continue; // empty = no cursor
      const res = await gw.gql(`query($after: String) { users(first: 5, after: $after) { totalCount } }`, { after: bad });
      expect(res.errors?.[0]?.extensions?.code, bad).toBe('BAD_USER_INPUT');
    }
    const orderChanged = await gw.gql(`query($after: String) { users(first: 5, after: $after, orderBy: { field: USER_NAME, direction: DESC }) { totalCount } }`, { after: cursor });
    expect(orderChanged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('page limits', () => {
  it('never pages above the server maximum (learned at ready())', async () => {
    const small = await startGateway({ sim: { users: 30, maxResults: 25 } });
    try {
      const over = await small.gql(`{ users(first: 26) { totalCount } }`);
      expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', max: 25 });
      const ok = await small.gql(`{ users(first: 25) { edges { node { userName } } } }`);
      expect(ok.data!.users.edges).toHaveLength(25);
    } finally {
      await small.close();
    }
  });

  it('PAGE_SIZE_DEFAULT / PAGE_SIZE_MAX are honoured', async () => {
    const custom = await startGateway({ sim: { users: 30 }, env: { PAGE_SIZE_DEFAULT: '7', PAGE_SIZE_MAX: '10' }, ready: false });
    try {
      expect((await custom.gql(`{ users { edges { cursor } } }`)).data!.users.edges).toHaveLength(7);
      expect((await custom.gql(`{ users(last: 11) { totalCount } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await custom.close();
    }
  });
});
