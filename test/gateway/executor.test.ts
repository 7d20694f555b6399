// Compiled execution (graphql-jit) must answer exactly as graphql-js does, and fall back where it cannot compile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.ts';
import { recursiveInputTypes } from '../../src/graphql/jit.ts';
import { schema } from '../../src/graphql/schema.ts';
import { startGateway, type Gateway } from './harness.ts';

let gw: Gateway;
let standard: App;
let jit: App;
const logs: { msg?: string }[] = [];
beforeAll(async () => {
  gw = await startGateway({ sim: { users: 80 }, waitForIndex: true });
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as { msg?: string }) });
  standard = createApp({ client: gw.client, config: gw.config, executor: 'standard' });
  jit = createApp({ client: gw.client, config: gw.config, logger });
  for (const app of [standard, jit]) {
    await app.ready();
    await app.membershipReady();
  }
});
afterAll(async () => {
  await standard?.close();
  await jit?.close();
  await gw?.close();
});

const post = async (app: App, query: string, variables?: Record<string, unknown>) =>
  (await app.fetch(new Request('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }))).json();

const QUERIES: [string, Record<string, unknown>?][] = [
  [`{ users(first: 30) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id remoteId userName displayName email emails { value primary } active riskScore isManager department costCenters attributes manager { userName } roles { totalCount edges { acquired application node { name type { name iiq } owner { userName } parents { name } } } } } } } }`],
  [`query($n: String!) { user(userName: $n) { userName directReports(first: 5) { totalCount edges { node { userName } } } roles(first: 2) { edges { node { name members(first: 3) { totalCount edges { acquired node { userName displayName } } } } } } } }`, { n: 'spadmin' }],
  [`query($f: UserFilter) { users(first: 10, filter: $f) { totalCount edges { node { userName } } } }`, { f: { or: [{ active: false }, { isManager: true }] } }],
  [`{ a: user(userName: "nobody") { id } b: user { id } roles(first: 5, orderBy: { field: NAME, direction: DESC }) { edges { node { name children { totalCount } } } } }`],
];

describe('compiled execution', () => {
  it.each(QUERIES.map((q, i) => [i, ...q] as const))('query %i: same result as graphql-js', async (_i, query, variables) => {
    const a = await post(standard, query, variables);
    const b = await post(jit, query, variables);
    // graphql-jit reports an error's path, code and message but not its source location
    const withoutLocations = (r: { errors?: object[] }) => ({ ...r, ...(r.errors ? { errors: r.errors.map(({ locations: _l, ...e }: { locations?: unknown }) => e) } : {}) });
    expect(withoutLocations(b)).toEqual(withoutLocations(a));
  });

  it('recursive filter inputs are detected (graphql-jit cannot compile variables of them) and fall back', () => {
    expect([...recursiveInputTypes(schema)].sort()).toEqual(['RoleFilter', 'UserFilter']);
    expect(logs.filter((l) => l.msg?.includes('graphql-jit'))).toEqual([]);
  });
});
