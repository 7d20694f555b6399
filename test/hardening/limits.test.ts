// GraphQL request limits: depth, page-weighted cost, aliases, directives, tokens, batching, body size, page size,
// introspection and GraphiQL off, CSRF prevention, trusted documents — and legitimate queries still pass.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../src/app.ts';
import { startGateway, type Gateway } from '../gateway/harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('limits');
const post = (gw: Gateway, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const nest = (depth: number) => `{ users(first: 1) { edges { node { ${'manager { '.repeat(depth)}userName${' }'.repeat(depth)} } } } }`;

describe('request limits (defaults)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ waitForIndex: true, env: { MAX_DEPTH: '12', MAX_COST: '5000', MAX_ALIASES: '5', MAX_DIRECTIVES: '5', MAX_TOKENS: '400', MAX_BODY_BYTES: '8192' } });
  });
  afterAll(() => gw.close());

  async function refused(query: string, limit: string, variables?: Record<string, unknown>) {
    gw.sim.requests.reset();
    const started = Date.now();
    const res = await gw.gql(query, variables);
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.extensions?.limit).toBe(limit);
    expect(res.status).toBe(400);
    expect(res.data ?? null).toBeNull();
    expect(gw.sim.requests.count()).toBe(0); // refused before any IIQ call
    expect(Date.now() - started).toBeLessThan(2_000);
    count.add(`${limit} refusals`);
    return res;
  }

  it('the GraphiQL example query and a federation _entities lookup run clean', async () => {
    const ex = await gw.gql(EXAMPLE_QUERY);
    expect(ex.errors).toBeUndefined();
    const name = gw.sim.data.users[3]!.userName;
    const ent = await gw.gql('query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { userName } } }', { r: [{ __typename: 'User', userName: name }] });
    expect(ent.errors).toBeUndefined();
    expect((ent.data as any)._entities[0].userName).toBe(name);
    // GraphiQL's (and codegen's) full introspection query and a gateway's federation SDL fetch
    const intro = await gw.gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }));
    expect(intro.errors).toBeUndefined();
    expect((await gw.gql('{ _service { sdl } }')).errors).toBeUndefined();
    count.add('legitimate queries', 4);
  });

  it('depth: a manager chain deeper than MAX_DEPTH, also through fragments', async () => {
    expect((await gw.gql(nest(3))).errors).toBeUndefined();
    await refused(nest(12), 'depth');
    await refused(`fragment M on User { manager { manager { manager { manager { manager { manager { manager { manager { manager { userName } } } } } } } } } } { users(first: 1) { edges { node { ...M } } } }`, 'depth');
  });

  it('cost: list fields weighted by their page size (first/last, default page size otherwise), variables included', async () => {
    const q = 'query ($n: Int, $m: Int) { users(first: $n) { edges { node { userName roles(first: $m) { edges { node { name members(first: $m) { edges { node { userName } } } } } } } } } }';
    expect((await gw.gql(q, { n: 5, m: 3 })).errors).toBeUndefined();
    const res = await refused(q, 'cost', { n: 100, m: 100 });
    expect(res.errors![0]!.extensions!.cost).toBeGreaterThan(5000);
    expect(res.errors![0]!.extensions!.maxCost).toBe(5000);
    // the same document is checked again with other variables (no cached verdict)
    expect((await gw.gql(q, { n: 2, m: 2 })).errors).toBeUndefined();
    // default page size counts where first/last is absent
    await refused('{ users { edges { node { roles { edges { node { members { edges { node { userName } } } } } } } } } }', 'cost');
  });

  it('aliases, directives, tokens', async () => {
    await refused(`{ ${Array.from({ length: 6 }, (_, i) => `a${i}: users(first: 1) { totalCount }`).join(' ')} }`, 'aliases');
    await refused(`{ users(first: 1) { totalCount ${'@include(if: true) '.repeat(6)} } }`, 'directives');
    await refused(`{ users(first: 1) { totalCount ${'__typename '.repeat(400)} } }`, 'tokens');
  });

  it('page size: first/last above PAGE_SIZE_MAX or negative are BAD_USER_INPUT, nothing sent upstream', async () => {
    for (const first of [101, -1, 2 ** 31 - 1]) {
      gw.sim.requests.reset();
      const res = await gw.gql('query ($f: Int) { users(first: $f) { totalCount } }', { f: first });
      expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']).toContain(res.errors?.[0]?.extensions?.code);
      expect(gw.upstream()).toBe(0);
      count.add('page size refusals');
    }
  });

  it('batching is off by default: a JSON array is refused with 4xx', async () => {
    const res = await post(gw, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    count.add('batch refusals');
  });

  it('body size: a declared length above MAX_BODY_BYTES is 413 before the body is read; chunked bodies need a length (411)', async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(10_000) } });
    expect((await post(gw, big)).status).toBe(413);
    const chunked = await fetch(`${gw.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    count.add('body refusals', 2);
  });

  it('CSRF: a form / text/plain POST without a preflight header is 403; JSON and GET queries work', async () => {
    const form = await post(gw, 'query={__typename}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(403);
    const text = await post(gw, JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' });
    expect(text.status).toBe(403);
    const withHeader = await post(gw, JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain', 'x-graphql-yoga-csrf': '1' });
    expect(withHeader.status).toBeLessThan(500);
    const get = await fetch(`${gw.origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(200);
    const getMutation = await fetch(`${gw.origin}/graphql?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { accept: 'application/json' } });
    expect(getMutation.status).toBe(405);
    count.add('csrf checks', 5);
  });
});

describe('production switches', () => {
  it('INTROSPECTION=false and GRAPHIQL=false: no schema, no suggestions, no GraphiQL; queries still run', async () => {
    const gw = await startGateway({ env: { INTROSPECTION: 'false', GRAPHIQL: 'false' } });
    try {
      const intro = await gw.gql('{ __schema { types { name } } }');
      expect(intro.errors?.[0]?.message).toMatch(/introspection/i);
      const typo = await gw.gql('{ usrs { totalCount } }');
      expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
      const page = await fetch(`${gw.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');
      expect((await gw.gql('{ users(first: 1) { totalCount } }')).errors).toBeUndefined();
      count.add('production switches', 4);
    } finally {
      await gw.close();
    }
  });

  it('MAX_BATCH=3 allows batches of up to 3 operations', async () => {
    const gw = await startGateway({ env: { MAX_BATCH: '3' } });
    try {
      const ok = await post(gw, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toHaveLength(2);
      const tooMany = await post(gw, Array.from({ length: 4 }, () => ({ query: '{ __typename }' })));
      expect(tooMany.status).toBeGreaterThanOrEqual(400);
      count.add('batch checks', 2);
    } finally {
      await gw.close();
    }
  });

  it('TRUSTED_DOCUMENTS_FILE: only listed documents run, by sha256; anything else is refused before IIQ', async () => {
    const doc = '{ users(first: 2) { totalCount } }';
    const hash = createHash('sha256').update(doc).digest('hex');
    const dir = mkdtempSync(join(tmpdir(), 'iiq-graph-trusted-'));
    const file = join(dir, 'trusted.json');
    writeFileSync(file, JSON.stringify({ [hash]: doc }));
    // the background membership scan is waited for: its pages would be counted as upstream requests below
    const gw = await startGateway({ env: { TRUSTED_DOCUMENTS_FILE: file }, waitForIndex: true });
    try {
      const ok = await post(gw, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      expect(((await ok.json()) as any).data.users.totalCount).toBe(120);
      gw.sim.requests.reset();
      const arbitrary = await gw.gql('{ users(first: 1) { totalCount } }');
      expect(arbitrary.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      const unknown = await post(gw, { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
      expect(((await unknown.json()) as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(gw.upstream()).toBe(0);
      count.add('trusted document checks', 3);
    } finally {
      await gw.close();
    }
  });
});
