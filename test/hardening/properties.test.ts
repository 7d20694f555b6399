// Property-based tests (fast-check): filter AST → stringify → IIQ's grammar (the simulator's parser) gives the same
// tree and the same matches; cursors round-trip and refuse anything else; the unified REST pages cover every item
// exactly once.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter, type FilterAst } from '../../simulator/filter.ts';
import { CursorCodec } from '../../src/graphql/cursor.ts';
import { f, stringifyUserFilter, userAttrPath, userFilterPaths, type FilterNode } from '../../src/iiq/filter.ts';
import type { UserField } from '../../src/iiq/types.ts';
import { BASIC, startHardenedGateway, type HardenedGateway } from './harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('properties');

type Canon = { op: string; attr?: string; value?: unknown; children?: Canon[] };

/** and/or flattened (associative), one-operand groups unwrapped, attributes as SCIM paths */
function canonOurs(n: FilterNode<UserField>): Canon {
  switch (n.op) {
    case 'and':
    case 'or': {
      if (n.children.length === 1) return canonOurs(n.children[0]!);
      const kids = n.children.map(canonOurs).flatMap((c) => (c.op === n.op ? c.children! : [c]));
      return { op: n.op, children: kids };
    }
    case 'not':
      return { op: 'not', children: [canonOurs(n.child)] };
    case 'pr':
      return { op: 'pr', attr: userAttrPath(n.attr) };
    default:
      return { op: n.op, attr: userAttrPath(n.attr), value: n.value };
  }
}

function canonTheirs(n: FilterAst): Canon {
  switch (n.op) {
    case 'and':
    case 'or': {
      const kids = [canonTheirs(n.left), canonTheirs(n.right)].flatMap((c) => (c.op === n.op ? c.children! : [c]));
      return { op: n.op, children: kids };
    }
    case 'not':
      return { op: 'not', children: [canonTheirs(n.child)] };
    case 'pr':
      return { op: 'pr', attr: n.attr };
    default:
      return { op: n.op, attr: n.attr, value: n.value };
  }
}

const hostileChar = fc.constantFrom('"', '\\', '(', ')', ' ', 'and', 'or', 'not', 'pr', 'eq', '\u0000', '\n', '\r', '\t', '\u2028', '\ud800', '\udc00', '😀', '%', '*', "'", '/', 'é');
const hostileString = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), hostileChar), { maxLength: 8 }).map((a) => a.join(''));
const FIELDS = Object.keys(userFilterPaths) as UserField[];
const value = fc.oneof(hostileString, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)), fc.boolean(), fc.constant(null));
const compare = fc.record({ op: fc.constantFrom('eq', 'ne', 'co', 'sw', 'gt', 'ge', 'lt', 'le'), attr: fc.constantFrom(...FIELDS), value }) as fc.Arbitrary<FilterNode<UserField>>;
const leaf = fc.oneof(compare, fc.constantFrom(...FIELDS).map((a) => f.pr(a)));
const filterTree = fc.letrec<{ node: FilterNode<UserField> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ op: fc.constantFrom('and', 'or'), children: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }) as fc.Arbitrary<FilterNode<UserField>>,
    tie('node').map((c) => f.not(c)),
  ),
})).node;

describe('filters: stringify → IIQ grammar', () => {
  it('parses to the same tree, whatever the values (quotes, backslashes, control characters, surrogates)', () => {
    fc.assert(
      fc.property(filterTree, (tree) => {
        const text = stringifyUserFilter(tree);
        expect(canonTheirs(parseFilter(text))).toEqual(canonOurs(tree));
      }),
      { numRuns: 500 },
    );
    count.add('filter trees round-tripped', 500);
  });

  describe('and matches the same users', () => {
    let gw: HardenedGateway;
    beforeAll(async () => {
      gw = await startHardenedGateway({});
    });
    afterAll(() => gw.close());

    it('JS evaluation over the generated users = what the simulator returns for the stringified filter', async () => {
      const users = gw.sim.data.users;
      const fragments = users.flatMap((u) => [u.userName, u.userName.slice(0, 3), u.userName.slice(2, 5), u.displayName ?? '']);
      const str = fc.oneof(fc.constantFrom(...fragments), hostileString);
      const cmp = fc.record({ op: fc.constantFrom('eq', 'co', 'sw'), attr: fc.constantFrom<UserField>('userName', 'displayName'), value: str }) as fc.Arbitrary<FilterNode<UserField>>;
      const tree = fc.letrec<{ node: FilterNode<UserField> }>((tie) => ({
        node: fc.oneof(
          { depthSize: 'small' },
          cmp,
          fc.record({ op: fc.constantFrom('and', 'or'), children: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }) as fc.Arbitrary<FilterNode<UserField>>,
          tie('node').map((c) => f.not(c)),
        ),
      })).node;
      const lower = (s: string | null | undefined) => (s == null || s === '' ? null : s.toLowerCase());
      const matches = (n: FilterNode<UserField>, u: (typeof users)[number]): boolean => {
        switch (n.op) {
          case 'and':
            return n.children.every((c) => matches(c, u));
          case 'or':
            return n.children.some((c) => matches(c, u));
          case 'not':
            return !matches(n.child, u);
          case 'pr':
            return false;
          default: {
            const have = lower(n.attr === 'userName' ? u.userName : u.displayName);
            const want = (n.value as string).toLowerCase(); // an empty value is a search for "" (sw/co match all)
            if (have === null) return false;
            return n.op === 'eq' ? have === want : n.op === 'co' ? have.includes(want) : have.startsWith(want);
          }
        }
      };
      const auth = `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`;
      await fc.assert(
        fc.asyncProperty(tree, async (t) => {
          const filter = stringifyUserFilter(t);
          const res = await fetch(`${gw.sim.baseUrl}/Users?filter=${encodeURIComponent(filter)}&count=1000&attributes=userName`, { headers: { authorization: auth } });
          const body = (await res.json()) as { Resources?: { userName: string }[] };
          expect(res.status).toBe(200);
          const got = (body.Resources ?? []).map((r) => r.userName).sort();
          const want = users.filter((u) => matches(t, u)).map((u) => u.userName).sort();
          expect(got).toEqual(want);
        }),
        { numRuns: 150 },
      );
      count.add('filters evaluated both ways', 150);
    });
  });
});

describe('cursors', () => {
  // the codec takes a 32-byte MAC key (a Buffer works with the string-secret constructor of earlier versions too)
  const codecWith = (key: Buffer) => new (CursorCodec as unknown as new (key: Buffer) => CursorCodec)(key);
  const codec = codecWith(randomBytes(32));
  const fp = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/); // fingerprints are base64url

  it('decode(encode(offset, fp), fp) = offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), fp, (o, p) => {
        expect(codec.decode(codec.encode(o, p), p, 'after')).toBe(o);
      }),
      { numRuns: 1000 },
    );
    count.add('cursor round trips', 1000);
  });

  it("another list's fingerprint, another key, or any one-character edit is refused (or, for base64's unused bits, decodes to the same offset)", () => {
    const other = codecWith(randomBytes(32));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), fp, fp, fc.nat(), fc.constantFrom(...alphabet), (o, p, q, at, ch) => {
        const c = codec.encode(o, p);
        if (q !== p) expect(() => codec.decode(c, q, 'after')).toThrow(/not a cursor of this list/);
        expect(() => other.decode(c, p, 'after')).toThrow(/not a cursor of this list/);
        const i = at % c.length;
        const edited = c.slice(0, i) + ch + c.slice(i + 1);
        if (edited !== c) {
          try {
            expect(codec.decode(edited, p, 'after')).toBe(o);
          } catch (err) {
            expect((err as Error).message).toMatch(/not a cursor of this list/);
          }
        }
      }),
      { numRuns: 1000 },
    );
    count.add('cursor tamper checks', 1000);
  });

  it('arbitrary strings never decode and never throw anything but BAD_USER_INPUT', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        try {
          codec.decode(s, 'fp', 'after');
          throw new Error(`decoded ${JSON.stringify(s)}`);
        } catch (err) {
          expect((err as { extensions?: { code?: string } }).extensions?.code).toBe('BAD_USER_INPUT');
        }
      }),
      { numRuns: 1000 },
    );
    count.add('garbage cursors refused', 1000);
  });
});

describe('unified REST pagination', () => {
  let gw: HardenedGateway;
  beforeAll(async () => {
    gw = await startHardenedGateway({ waitForIndex: true });
  });
  afterAll(() => gw.close());

  it('following next_cursor covers every user, role and role member exactly once, for any page size', async () => {
    const roleId = gw.sim.data.roles.find((r) => r.name === 'Employee Baseline')?.id ?? gw.sim.data.roles[0]!.id;
    const lists: { path: string; total: () => Promise<number> }[] = [
      { path: '/unified/user-directory/users', total: async () => gw.sim.data.users.length },
      { path: '/unified/user-directory/roles', total: async () => gw.sim.data.roles.length },
      { path: `/unified/user-directory/roles/${roleId}/members`, total: async () => -1 },
    ];
    let pages = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 7, max: 100 }), fc.constantFrom(...lists), async (limit, list) => {
        const ids: string[] = [];
        let cursor: string | null = null;
        for (let guard = 0; guard < 200; guard++) {
          const res = await gw.http(`${list.path}?limit=${limit}${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(res.status).toBe(200);
          const body = JSON.parse(res.text) as { result: { id: string }[]; next_cursor: string | null; result_count: number };
          expect(body.result.length).toBeLessThanOrEqual(limit);
          ids.push(...body.result.map((r) => r.id));
          pages++;
          cursor = body.next_cursor;
          if (!cursor) break;
        }
        expect(new Set(ids).size).toBe(ids.length);
        const total = await list.total();
        if (total >= 0) expect(ids.length).toBe(total);
        else expect(ids.length).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
    count.add('REST pages followed', pages);
  });
});
