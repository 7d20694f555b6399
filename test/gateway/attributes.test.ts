// `User.attribute(name:)` and its typed variants, typed and checked by the connection's discovered schema
// (/Schemas, /ResourceTypes): unknown names are errors listing the known ones, values come typed, and the
// discovery is read once per connection (no request per row).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coerceAttributeValue, type UserAttributeInfo } from '../../src/graphql/schema-discovery.ts';
import { startGateway, type Gateway } from './harness.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => gw?.close());

const KNOWN = ['department', 'costcenter', 'jobtitle', 'location', 'locationOwner', 'region', 'regionOwner', 'empId'];

describe('User.attribute(name:) over the discovered schema', () => {
  it('an unknown name is a BAD_USER_INPUT error (reason UNKNOWN_ATTRIBUTE) listing the known custom attributes, not a silent null', async () => {
    const res = await gw.gql(`{ user(userName: "spadmin") { userName attribute(name: "noSuchAttribute") } }`);
    expect(res.data!.user).toEqual({ userName: 'spadmin', attribute: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['user', 'attribute']);
    expect(res.errors![0]!.message).toContain('"noSuchAttribute" is not a custom identity attribute');
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'name', reason: 'UNKNOWN_ATTRIBUTE', knownAttributes: KNOWN });
    // a standard attribute is not a custom one: the message points at its own field
    const std = await gw.gql(`{ user(userName: "spadmin") { attribute(name: "userName") } }`);
    expect(std.errors![0]!.message).toContain('standard User attribute');
    expect(std.errors![0]!.extensions).toMatchObject({ reason: 'UNKNOWN_ATTRIBUTE' });
  });

  it('known attributes come typed: single string, multi-valued list, identity-typed object; names are case-insensitive', async () => {
    const sim = gw.sim.data.users.find((u) => u.region && u.costcenter.length >= 1 && u.regionOwner && u.department)!;
    const res = await gw.gql(
      `query($n: String!) { user(userName: $n) {
        region: attribute(name: "REGION") cc: attribute(name: "costcenter") owner: attribute(name: "regionOwner")
        s: attributeString(name: "department") ss: attributeStrings(name: "costcenter") one: attributeStrings(name: "region")
      } }`,
      { n: sim.userName },
    );
    expect(res.errors).toBeUndefined();
    const u = res.data!.user;
    expect(u.region).toBe(sim.region);
    expect(u.cc).toEqual(sim.costcenter);
    expect(u.owner).toMatchObject({ id: sim.regionOwner });
    expect(u.s).toBe(sim.department);
    expect(u.ss).toEqual(sim.costcenter);
    expect(u.one).toEqual([sim.region]);
    // an absent multi-valued attribute is an empty list, an absent single one null
    const bare = gw.sim.data.users.find((u) => u.costcenter.length === 0 && u.jobtitle === null);
    if (bare) {
      const b = await gw.gql(`query($n: String!) { user(userName: $n) { cc: attribute(name: "costcenter") jt: attribute(name: "jobtitle") } }`, { n: bare.userName });
      expect(b.data!.user).toEqual({ cc: [], jt: null });
    }
  });

  it('typed accessors refuse attributes of another type (ATTRIBUTE_TYPE_MISMATCH)', async () => {
    const res = await gw.gql(`{ user(userName: "spadmin") { n: attributeNumber(name: "department") b: attributeBoolean(name: "region") s: attributeString(name: "costcenter") o: attributeStrings(name: "regionOwner") } }`);
    // attributeStrings is a non-null list: its error nulls the user
    expect(res.data!.user).toBeNull();
    const byPath = Object.fromEntries(res.errors!.map((e) => [e.path![1], e]));
    expect(byPath.n!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'ATTRIBUTE_TYPE_MISMATCH', attributeType: 'string' });
    expect(byPath.s!.message).toContain('use attributeStrings');
    expect(byPath.o!.extensions).toMatchObject({ reason: 'ATTRIBUTE_TYPE_MISMATCH', attributeType: 'complex' });
    expect(byPath.b!.extensions).toMatchObject({ reason: 'ATTRIBUTE_TYPE_MISMATCH' });
    expect(res.errors).toHaveLength(4);
  });

  it('request cost: discovery is read once per connection, never per row', async () => {
    const fresh = await startGateway({ ready: false });
    try {
      const q = `{ users(first: 50) { edges { node { userName attribute(name: "region") cc: attributeStrings(name: "costcenter") } } } }`;
      const plain = `{ users(first: 50) { edges { node { userName region: attributes } } } }`;
      await fresh.gql(plain); // the client's own first-use reads (default attribute set) out of the way
      fresh.sim.requests.reset();
      await fresh.gql(plain);
      const base = fresh.sim.requests.count({});
      fresh.sim.requests.reset();
      const first = await fresh.gql(q);
      expect(first.errors).toBeUndefined();
      expect(first.data!.users.edges).toHaveLength(50);
      expect(fresh.sim.requests.count({ path: '/Schemas' })).toBe(1);
      expect(fresh.sim.requests.count({ path: '/ResourceTypes' })).toBe(1);
      expect(fresh.sim.requests.count({})).toBe(base + 2);
      fresh.sim.requests.reset();
      await fresh.gql(q);
      expect(fresh.sim.requests.count({})).toBe(base);
    } finally {
      await fresh.close();
    }
  });
});

describe('coerceAttributeValue', () => {
  const a = (type: string, multiValued = false): UserAttributeInfo =>
    ({ name: 'x', type, multiValued, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', subAttributes: [], schema: 'urn', custom: true }) as unknown as UserAttributeInfo;
  it('integer, decimal, boolean, dateTime, identity-typed, string, multi-valued', () => {
    expect(coerceAttributeValue(a('integer'), '42')).toBe(42);
    expect(coerceAttributeValue(a('integer'), 7)).toBe(7);
    expect(coerceAttributeValue(a('integer'), 'x')).toBeNull();
    expect(coerceAttributeValue(a('decimal'), '2.5')).toBe(2.5);
    expect(coerceAttributeValue(a('boolean'), 'TRUE')).toBe(true);
    expect(coerceAttributeValue(a('boolean'), false)).toBe(false);
    expect(coerceAttributeValue(a('boolean'), 'yes')).toBeNull();
    expect(coerceAttributeValue(a('dateTime'), '2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000Z');
    expect(coerceAttributeValue(a('dateTime'), Date.UTC(2026, 0, 2))).toBe('2026-01-02T00:00:00.000Z');
    expect(coerceAttributeValue(a('dateTime'), 'not a date')).toBeNull();
    expect(coerceAttributeValue(a('complex'), { id: 'u1', displayName: 'U' })).toEqual({ id: 'u1', displayName: 'U' });
    expect(coerceAttributeValue(a('complex'), 'u1')).toEqual({ id: 'u1' });
    expect(coerceAttributeValue(a('complex'), 3)).toBeNull();
    expect(coerceAttributeValue(a('string'), 12)).toBe('12');
    expect(coerceAttributeValue(a('string'), ['a', 'b'])).toBe('a');
    expect(coerceAttributeValue(a('integer', true), ['1', 2, 'x'])).toEqual([1, 2]);
    expect(coerceAttributeValue(a('string', true), 'one')).toEqual(['one']);
    expect(coerceAttributeValue(a('string', true), null)).toEqual([]);
    expect(coerceAttributeValue(a('string'), undefined)).toBeNull();
  });
});
