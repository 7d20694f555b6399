import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec, cursorKey, fingerprint, stableJson } from '../../src/graphql/cursor.ts';
import { Edge, pageRequest, settle, sliceConnection } from '../../src/graphql/paging.ts';
import { startLinkedGateway, startSim, type LinkedGateway } from '../connections/harness.ts';
import { startGateway } from './harness.ts';

const codec = new CursorCodec(cursorKey('tenant-1/connection-1'));
const fp = fingerprint({ k: 'users', filter: null, sort: { by: 'userName', order: 'ascending' } });
const limits = { defaultSize: 20, maxSize: 100 };

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
}

describe('cursor codec', () => {
  it('round-trips an offset for the same list', () => {
    for (const offset of [0, 1, 99, 123456]) expect(codec.decode(codec.encode(offset, fp), fp, 'after')).toBe(offset);
  });

  it('is URL safe and authenticated, not encrypted: the offset shows after base64 decoding but cannot be changed', () => {
    const c = codec.encode(42, fp);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    // an offset grants nothing, so it is not hidden; what protects the list is the MAC (see 'rejects an edited offset')
    const decoded = Buffer.from(c, 'base64url').toString('utf8');
    expect(decoded.split(':').slice(0, 3)).toEqual(['c1', '42', fp]);
    const edited = Buffer.from(decoded.replace(':42:', ':41:'), 'utf8').toString('base64url');
    expect(codeOf(() => codec.decode(edited, fp, 'after'))).toBe('BAD_USER_INPUT');
  });

  it('rejects a cursor of another query (different fingerprint)', () => {
    const other = fingerprint({ k: 'users', filter: { op: 'eq', attr: 'active', value: true }, sort: { by: 'userName', order: 'ascending' } });
    expect(codeOf(() => codec.decode(codec.encode(3, other), fp, 'after'))).toBe('BAD_USER_INPUT');
  });

  it('rejects an edited offset', () => {
    const text = Buffer.from(codec.encode(5, fp), 'base64url').toString('utf8');
    const edited = Buffer.from(text.replace(':5:', ':6:'), 'utf8').toString('base64url');
    expect(codeOf(() => codec.decode(edited, fp, 'after'))).toBe('BAD_USER_INPUT');
  });

  it('rejects a cursor signed by another gateway connection', () => {
    const foreign = new CursorCodec(cursorKey('tenant-1/connection-2')).encode(5, fp);
    expect(codeOf(() => codec.decode(foreign, fp, 'before'))).toBe('BAD_USER_INPUT');
    const secret = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
    const withSecret = new CursorCodec(cursorKey('tenant-1/connection-1', secret));
    // same identity, same secret: the same key (another replica, a restart); another secret: refused
    expect(new CursorCodec(cursorKey('tenant-1/connection-1', secret)).decode(withSecret.encode(5, fp), fp, 'after')).toBe(5);
    expect(codeOf(() => codec.decode(withSecret.encode(5, fp), fp, 'after'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => codec.decode(foreign, fp, 'before'))).toBe('BAD_USER_INPUT');
  });

  it.each(['', 'garbage', '!!!', 'YXJyYXljb25uZWN0aW9uOjA=', 'x'.repeat(500), Buffer.from('c1:-1:abc:def').toString('base64url')])(
    'rejects garbage %#',
    (g) => {
      expect(codeOf(() => codec.decode(g, fp, 'after'))).toBe('BAD_USER_INPUT');
    },
  );

  it('fingerprints ignore key order', () => {
    expect(stableJson({ a: 1, b: [{ y: 2, x: 1 }] })).toBe(stableJson({ b: [{ x: 1, y: 2 }], a: 1 }));
  });
});

describe('page windows (graphql-relay slice algorithm)', () => {
  const c = (o: number) => codec.encode(o, fp);
  it('defaults to the first 20', () => expect(settle(pageRequest({}, fp, codec, limits), 1000)).toEqual({ start: 0, end: 20 }));
  it('first/after', () => expect(settle(pageRequest({ first: 10, after: c(9) }, fp, codec, limits), 1000)).toEqual({ start: 10, end: 20 }));
  it('last without before needs the total', () => {
    const req = pageRequest({ last: 10 }, fp, codec, limits);
    expect(req.end).toBeNull();
    expect(settle(req, 95)).toEqual({ start: 85, end: 95 });
  });
  it('last/before', () => expect(settle(pageRequest({ last: 10, before: c(5) }, fp, codec, limits), 1000)).toEqual({ start: 0, end: 5 }));
  it('first + before', () => expect(settle(pageRequest({ first: 10, after: c(0), before: c(4) }, fp, codec, limits), 1000)).toEqual({ start: 1, end: 4 }));
  it('rejects sizes above the maximum and negative sizes', () => {
    expect(codeOf(() => pageRequest({ first: 101 }, fp, codec, limits))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => pageRequest({ last: -1 }, fp, codec, limits))).toBe('BAD_USER_INPUT');
  });
  it('slices in-memory lists with pageInfo and totalCount', () => {
    const all = Array.from({ length: 7 }, (_, i) => i);
    const page = sliceConnection(all, { first: 3, after: c(1) }, fp, codec, limits, (n, offset) => new Edge(n, offset, fp, codec));
    expect(page.edges.map((e) => e.node)).toEqual([2, 3, 4]);
    expect(page.totalCount).toBe(7);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(codec.decode(page.pageInfo.endCursor!, fp, 'after')).toBe(4);
  });
});

/** The MAC key the gateway used to derive from the connection's public base URL. */
function forgeWithBaseUrl(baseUrl: string, offset: number, listFp: string): string {
  const key = createHash('sha256').update(`iiq-graph cursor key|${baseUrl}`).digest();
  const payload = `c1:${offset}:${listFp}`;
  const mac = createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
  return Buffer.from(`${payload}:${mac}`, 'utf8').toString('base64url');
}
const fpOf = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8').split(':')[2]!;
const USERS = 'query($after: String) { users(first: 2, after: $after) { edges { node { userName } } pageInfo { endCursor } } }';

describe('cursor keys come from a secret, per connection', () => {
  it('single connection: a cursor forged with the public baseUrl as key is rejected with BAD_USER_INPUT', async () => {
    const gw = await startGateway({ sim: { users: 20 } });
    try {
      const first = await gw.gql<any>(USERS);
      const cursor = first.data!.users.pageInfo.endCursor as string;
      expect((await gw.gql<any>(USERS, { after: cursor })).data!.users.edges).toHaveLength(2);
      const forged = forgeWithBaseUrl(gw.client.baseUrl, 10, fpOf(cursor));
      const res = await gw.gql(USERS, { after: forged });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await gw.close();
    }
  });

  it('linked accounts: a cursor of connection A fails on connection B (same IdentityIQ); with IIQ_GRAPH_SECRET_KEY it survives into another gateway', async () => {
    const sim = await startSim({ users: 20 });
    const gw = await startLinkedGateway();
    let gw2: LinkedGateway | null = null;
    try {
      const { key } = await gw.tenant('T');
      const [a, b] = [await gw.link(key, sim, 'A'), await gw.link(key, sim, 'B')];
      const page = await gw.gql(key, USERS, {}, a);
      const cursor = page.body.data.users.pageInfo.endCursor as string;
      expect((await gw.gql(key, USERS, { after: cursor }, a)).body.data.users.edges).toHaveLength(2);
      const onB = await gw.gql(key, USERS, { after: cursor }, b);
      expect(onB.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const forged = await gw.gql(key, USERS, { after: forgeWithBaseUrl(sim.baseUrl, 10, fpOf(cursor)) }, a);
      expect(forged.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      // another replica (same store, same IIQ_GRAPH_SECRET_KEY) accepts the cursor
      gw2 = await startLinkedGateway({ db: gw.db });
      const replica = await gw2.gql(key, USERS, { after: cursor }, a);
      expect(replica.body.errors).toBeUndefined();
      expect(replica.body.data.users.edges).toHaveLength(2);
    } finally {
      await gw2?.close();
      await gw.close();
      await sim.close();
    }
  });
});
