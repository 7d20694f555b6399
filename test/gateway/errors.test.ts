// Typed errors with extensions.code, partial results, masking of everything unexpected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { fromIiqError } from '../../src/graphql/errors.ts';
import { IiqError, type IiqErrorKind } from '../../src/iiq/errors.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import { encodeGlobalId } from '../../src/graphql/global-id.ts';
import { startGateway, type Gateway } from './harness.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ sim: { users: 60 } });
});
afterAll(async () => gw?.close());

describe('upstream failures', () => {
  it('UPSTREAM_UNAUTHORIZED for refused credentials, without leaking them', async () => {
    const bad = await startGateway({ sim: { users: 10 }, client: { auth: { kind: 'basic', username: 'spadmin', password: 'wrong-password' } }, ready: false });
    try {
      const res = await bad.gql(`{ users(first: 1) { totalCount } }`);
      expect(res.status).toBe(200);
      expect(res.data).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions!.code).toBe('UPSTREAM_UNAUTHORIZED');
      expect(res.errors![0]!.path).toEqual(['users']);
      expect(JSON.stringify(res)).not.toContain('wrong-password');
    } finally {
      await bad.close();
    }
  });

  it('UPSTREAM_UNAUTHORIZED for an identity without SCIM rights', async () => {
    const norights = await startGateway({ sim: { users: 10 }, client: { auth: { kind: 'basic', username: 'norights', password: 'norights' } }, ready: false });
    try {
      const res = await norights.gql(`{ users(first: 1) { totalCount } }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAUTHORIZED');
    } finally {
      await norights.close();
    }
  });

  it('UPSTREAM_UNAVAILABLE when IIQ keeps failing; other branches still resolve (partial result)', async () => {
    gw.sim.faults.inject({ type: 'status', status: 503, times: 10, pathPrefix: '/Users' });
    try {
      const res = await gw.gql(`{ user(userName: "spadmin") { userName } roles(first: 2) { totalCount } }`);
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(res.errors![0]!.path).toEqual(['user']);
      expect(res.data!.user).toBeNull();
      expect(res.data!.roles.totalCount).toBe(gw.sim.data.roles.length);
    } finally {
      gw.sim.faults.clear();
    }
  });

  it('a failing nested branch yields an error at its path and the rest of the page', async () => {
    // no membership index (ready() not called): manager lookups are GETs by id, not a userName filter, so a fault
    // on /Users/ fails only them
    const gw = await startGateway({ sim: { users: 60 }, ready: false });
    const probe = await gw.gql(`{ users(first: 10) { edges { node { userName manager { userName displayName } } } } }`);
    expect(probe.errors).toBeUndefined();
    gw.sim.faults.inject({ type: 'status', status: 503, times: 50, pathPrefix: '/Users/' });
    try {
      // fresh request: manager lookups are GETs by id; only the by-id path fails
      const res = await gw.gql(`{ users(first: 10) { totalCount edges { node { userName manager { userName displayName } } } } }`);
      expect(gw.sim.requests.list().some((r) => r.path.startsWith('/Users/') && r.status === 503)).toBe(true);
      expect(res.data!.users.edges).toHaveLength(10);
      const failed = res.errors!.filter((e) => e.extensions!.code === 'UPSTREAM_UNAVAILABLE');
      expect(failed.length).toBeGreaterThan(0);
      for (const e of failed) expect(e.path).toEqual(['users', 'edges', expect.any(Number), 'node', 'manager']);
      expect(res.data!.users.edges.every((e: any) => typeof e.node.userName === 'string')).toBe(true);
      expect(res.data!.users.edges.some((e: any) => e.node.manager === null)).toBe(true);
    } finally {
      await gw.close();
    }
  });

  it('UPSTREAM_INVALID_RESPONSE when IIQ answers with a body that fails validation', async () => {
    gw.sim.faults.inject({ type: 'badSchema', times: 5, pathPrefix: '/Users' });
    try {
      const res = await gw.gql(`{ users(first: 3) { totalCount } }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_INVALID_RESPONSE');
    } finally {
      gw.sim.faults.clear();
    }
  });

  it('an unsupported upstream filter is BAD_USER_INPUT', async () => {
    const res = await gw.gql(`{ users(first: 3, filter: { attributes: [{ name: "noSuchAttribute", eq: "x" }] }) { totalCount } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('masking', () => {
  it('unexpected errors are masked: no message, no stack, code INTERNAL_SERVER_ERROR', async () => {
    const { createApp } = await import('../../src/app.ts');
    const broken = new Proxy(gw.client, {
      get(target, prop, receiver) {
        if (prop === 'listUsers' || prop === 'countUsers') return async () => {
          throw new TypeError('secret internal detail at /srv/iiq-graph');
        };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as IiqClient;
    const app = createApp({ client: broken, config: gw.config });
    try {
      const res = await app.fetch(new Request('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ users(first: 1) { totalCount } roles(first: 1) { totalCount } }' }) }));
      const body = (await res.json()) as { data: unknown; errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(JSON.stringify(body)).not.toContain('secret');
      expect(body.errors[0]!.message).toBe('Unexpected error.');
      expect(body.errors[0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(body.errors[0]!.extensions).not.toHaveProperty('originalError');
    } finally {
      await app.close();
    }
  });

  it('maps every client error kind; upstream detail never reaches the client', () => {
    const expected: Record<IiqErrorKind, string | null> = {
      unauthorized: 'UPSTREAM_UNAUTHORIZED',
      notFound: 'NOT_FOUND',
      invalidFilter: 'BAD_USER_INPUT',
      badRequest: 'BAD_USER_INPUT',
      tooMany: 'BAD_USER_INPUT',
      upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
      transport: 'UPSTREAM_UNAVAILABLE',
      aborted: 'UPSTREAM_UNAVAILABLE',
      invalidResponse: 'UPSTREAM_INVALID_RESPONSE',
      conflict: null,
      mutability: null,
      preconditionFailed: null,
    };
    for (const [kind, code] of Object.entries(expected)) {
      const err = new IiqError({ kind: kind as IiqErrorKind, operation: 'listUsers', message: 'x', status: 400, detail: 'Resource O\'Brien not found' });
      const mapped = fromIiqError(err, new GraphQLError('located', { path: ['users'] }));
      expect(mapped?.extensions.code ?? null, kind).toBe(code);
      if (mapped) {
        expect(mapped.path).toEqual(['users']);
        expect(JSON.stringify(mapped.toJSON())).not.toContain('Brien');
      }
    }
    const rateLimited = fromIiqError(new IiqError({ kind: 'tooMany', operation: 'listUsers', message: 'x', status: 429 }));
    expect(rateLimited?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('NOT_FOUND end to end (IdentityIQ answers 404 where the gateway expects a resource)', () => {
  it('a SCIM base path IIQ does not serve: every read is NOT_FOUND with the upstream operation and status', async () => {
    // the container answers 404 for an unknown context path, as Tomcat does for a mistyped IIQ_BASE_URL
    const wrong = await startGateway({ sim: { users: 5 }, ready: false });
    const gw2 = await startGateway({ sim: { users: 1 }, ready: false, client: { baseUrl: wrong.client.baseUrl.replace(/\/scim\/v2$/, '/scim/v9') } });
    try {
      const res = await gw2.gql(`{ users(first: 2) { totalCount } }`);
      expect(res.status).toBe(200);
      expect(res.data).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!).toMatchObject({ path: ['users'], extensions: { code: 'NOT_FOUND', upstream: { status: 404 } } });
      // the simulator's own 404 page: no fault injected
    } finally {
      await gw2.close();
      await wrong.close();
    }
  });

  it('a nested resource IIQ answers 404 for: NOT_FOUND at its path, the rest of the query resolves', async () => {
    const sim = gw.sim.data.users[7]!;
    // an IIQ whose PolicyViolations endpoint is not deployed answers 404 for the list
    gw.sim.faults.inject({ type: 'status', status: 404, times: 5, pathPrefix: '/PolicyViolations' });
    try {
      const res = await gw.gql(`query ($n: String!) { a: user(userName: $n) { userName policyViolations { remoteId } } b: user(userName: $n) { userName } }`, { n: sim.userName });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!).toMatchObject({ path: ['a', 'policyViolations'], extensions: { code: 'NOT_FOUND', upstream: { operation: 'listPolicyViolations', status: 404 } } });
      expect(res.data).toEqual({ a: null, b: { userName: sim.userName } });
    } finally {
      gw.sim.faults.clear();
    }
  });

  it('a user that does not exist is null without an error, by userName and by id (IIQ 404 on GET /Users/{id})', async () => {
    gw.sim.requests.reset();
    const res = await gw.gql(`{ a: user(userName: "no-such") { id } b: user(id: "no-such-id") { id } c: node(id: "${encodeGlobalId('User', 'no-such-id')}") { id } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: null, b: null, c: null });
    expect(gw.sim.requests.list().some((r) => r.path.startsWith('/Users/') && r.status === 404)).toBe(true);
  });
});
