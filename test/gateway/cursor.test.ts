import { describe, expect, it } from 'vitest';
import { CursorCodec, fingerprint, stableJson } from '../../src/graphql/cursor.ts';
import { Edge, pageRequest, settle, sliceConnection } from '../../src/graphql/paging.ts';

const codec = new CursorCodec('https://iiq.example.com/identityiq/scim/v2');
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

  it('is opaque (no readable offset or fingerprint) and URL safe', () => {
    const c = codec.encode(42, fp);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(c).not.toContain('42');
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
    const foreign = new CursorCodec('https://other.example.com/scim/v2').encode(5, fp);
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
