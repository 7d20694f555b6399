// Fault matrix: every simulator fault × representative operations (user lookup, users page with roles, role
// members, a mutation, a REST list, a proxied call), each fault once (transient) and persistent. Every cell: no
// crash, no unhandled rejection, a typed error or the same data as without the fault, bounded latency, the
// client's pool back to idle, and the gateway still answering correctly afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../simulator/types.ts';
import { startHardenedGateway, type HardenedGateway } from './harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('fault matrix');
const TYPED = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_INVALID_RESPONSE', 'UPSTREAM_UNAUTHORIZED']);
const MAX_MS = 5_000; // 3 s retry budget + a delay fault + slack on a shared 2-core machine

const FAULTS: { name: string; spec: Omit<FaultSpec, 'times' | 'method' | 'pathPrefix'> }[] = [
  { name: '500', spec: { type: 'status', status: 500 } },
  { name: '502', spec: { type: 'status', status: 502 } },
  { name: '503', spec: { type: 'status', status: 503 } },
  { name: '429 + Retry-After', spec: { type: 'rateLimit', retryAfter: '1' } },
  { name: 'delay past the timeout', spec: { type: 'delay', delayMs: 600 } },
  { name: 'connection reset', spec: { type: 'reset' } },
  { name: 'truncated body', spec: { type: 'truncate' } },
  { name: 'invalid JSON', spec: { type: 'invalidJson' } },
  { name: 'schema-violating body', spec: { type: 'badSchema' } },
];

type Outcome = 'data' | 'typed error';
interface Operation {
  name: string;
  method: 'GET' | 'POST';
  pathPrefix: string;
  /** runs the operation; returns a comparable result, or throws with the reason the answer is unacceptable */
  run(gw: HardenedGateway, round: number): Promise<{ outcome: Outcome; value: unknown; ms: number }>;
}

function graphqlOutcome(res: { status: number; body: any; ms: number }, pick: (data: any) => unknown): { outcome: Outcome; value: unknown; ms: number } {
  if (typeof res.body !== 'object' || res.body === null) throw new Error(`not JSON (HTTP ${res.status})`);
  const errors = (res.body.errors ?? []) as { extensions?: { code?: string } }[];
  if (errors.length === 0) return { outcome: 'data', value: pick(res.body.data), ms: res.ms };
  const codes = errors.map((e) => e.extensions?.code);
  if (!codes.every((c) => c && TYPED.has(c))) throw new Error(`untyped errors: ${JSON.stringify(codes)}`);
  return { outcome: 'typed error', value: codes, ms: res.ms };
}

const OPERATIONS: Operation[] = [
  {
    name: 'user lookup',
    method: 'GET',
    pathPrefix: '/Users',
    run: async (gw) => graphqlOutcome(await gw.gql('query ($n: String) { user(userName: $n) { userName displayName } }', { n: gw.sim.data.users[7]!.userName }), (d) => d.user),
  },
  {
    name: 'users page with roles',
    method: 'GET',
    pathPrefix: '/Users',
    run: async (gw) => graphqlOutcome(await gw.gql('{ users(first: 5) { totalCount edges { node { userName roles(first: 3) { totalCount edges { acquired node { name } } } } } } }'), (d) => d.users.edges),
  },
  {
    name: 'role members',
    method: 'GET',
    pathPrefix: '/Roles',
    run: async (gw) => graphqlOutcome(await gw.gql('query ($n: String) { role(name: $n) { name members(first: 3) { totalCount edges { node { userName } } } } }', { n: 'Employee Baseline' }), (d) => d.role),
  },
  {
    name: 'REST list',
    method: 'GET',
    pathPrefix: '/Users',
    run: async (gw) => {
      const res = await gw.http('/unified/user-directory/users?limit=5');
      const body = JSON.parse(res.text);
      if (res.status === 200) return { outcome: 'data', value: body.result, ms: res.ms };
      if (res.status >= 500 && TYPED.has(body.details?.code) && body.is_remote_error === true) return { outcome: 'typed error', value: body.details.code, ms: res.ms };
      throw new Error(`REST answered ${res.status} ${res.text.slice(0, 200)}`);
    },
  },
  {
    name: 'proxied call',
    method: 'GET',
    pathPrefix: '/Users',
    run: async (gw) => {
      const res = await gw.http('/proxy/scim/v2/Users?count=2&startIndex=1&sortBy=userName');
      // 1-to-1 pass-through: IIQ's own status and body, or the gateway's 502/503 for transport failures
      if (res.status === 200 && !res.text.startsWith('[body failed')) {
        try {
          const body = JSON.parse(res.text);
          return { outcome: 'data', value: (body.Resources ?? []).map((u: any) => u?.userName), ms: res.ms };
        } catch {
          return { outcome: 'typed error', value: 'passed through a broken body', ms: res.ms };
        }
      }
      if (res.status >= 400 || res.text.startsWith('[body failed')) return { outcome: 'typed error', value: res.status, ms: res.ms };
      throw new Error(`proxy answered ${res.status}`);
    },
  },
  {
    name: 'mutation createUser',
    method: 'POST',
    pathPrefix: '/Users',
    run: async (gw, round) => {
      const res = await gw.gql(
        'mutation ($i: CreateUserInput!) { createUser(input: $i) { __typename ... on CreateUserSuccess { user { userName } } ... on MutationError { code } } }',
        { i: { userName: `zz.fault.matrix.${round}`, displayName: 'Fault Matrix' } }, // created users page last
      );
      const r = graphqlOutcome(res, (d) => d.createUser);
      const v = r.value as { __typename?: string; user?: { userName: string } } | null;
      if (r.outcome === 'data' && v?.__typename === 'CreateUserSuccess') return { outcome: 'data', value: 'created', ms: r.ms };
      if (r.outcome === 'data') return { outcome: 'typed error', value: v?.__typename, ms: r.ms }; // a typed result union member
      return r;
    },
  },
];

describe('fault matrix', () => {
  let gw: HardenedGateway;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const baseline = new Map<string, unknown>();
  let round = 0;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    gw = await startHardenedGateway({ waitForIndex: true, env: { BREAKER_THRESHOLD: '100000' } });
    for (const op of OPERATIONS) {
      const r = await op.run(gw, round++);
      expect(r.outcome, op.name).toBe('data');
      baseline.set(op.name, r.value);
    }
  });
  afterAll(async () => {
    await gw.close();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  for (const fault of FAULTS) {
    for (const times of [1, 10]) {
      it(`${fault.name} ×${times === 1 ? '1 (transient)' : `${times} (persistent)`}`, async () => {
        const outcomes: string[] = [];
        for (const op of OPERATIONS) {
          gw.sim.faults.clear();
          gw.sim.faults.inject({ ...fault.spec, times, method: op.method, pathPrefix: op.pathPrefix });
          const r = await op.run(gw, round++).catch((err: Error) => {
            throw new Error(`${op.name} under ${fault.name}: ${err.message}`);
          });
          expect(r.ms, `${op.name} latency`).toBeLessThan(MAX_MS);
          if (r.outcome === 'data' && op.name !== 'mutation createUser') expect(r.value, `${op.name}: data after retries equals the fault-free answer`).toEqual(baseline.get(op.name));
          outcomes.push(`${op.name}: ${r.outcome}`);
          count.add(`cells (${r.outcome})`);
          gw.sim.faults.clear();
          // sockets back to idle (a reset or a timeout must not leave a request hanging in the pool)
          await expect.poll(() => gw.poolIdle(), { timeout: 2_000 }).toBe(true);
        }
        // the gateway still answers correctly once the fault is gone
        const after = await OPERATIONS[1]!.run(gw, round++);
        expect(after.outcome).toBe('data');
        expect(after.value).toEqual(baseline.get('users page with roles'));
      });
    }
  }
});
