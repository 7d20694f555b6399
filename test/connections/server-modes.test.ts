// `npm start` in the modes this issue adds: refusal to serve without keys off loopback, linked-accounts mode
// end to end (admin key -> tenant -> API key -> connection -> query), and the REST face and proxy of the
// single connection.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverFile, waitUntilListening } from '../support/server-process.ts';
import { startSim, type Sim } from './harness.ts';

const ADMIN = 'server-test-admin-key-0123456789';

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => (!k.startsWith('IIQ_') || k === 'IIQ_GRAPH_TEST_LOG_DIR') && k !== 'DATABASE_URL'));
  return spawn(process.execPath, ['--import', 'tsx', serverFile], { env: { ...clean, LOG_LEVEL: 'info', PORT: '0', ...env } });
}

async function listening(child: ChildProcessWithoutNullStreams): Promise<{ origin: string; logs: string[] }> {
  const { url, logs } = await waitUntilListening(child);
  return { origin: new URL(url).origin, logs };
}

describe('npm start: bind rules', () => {
  it('refuses to start on a non-loopback address without API keys, saying why', async () => {
    const child = start({ HOST: '0.0.0.0' });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('HOST=0.0.0.0 is not a loopback address and no API keys are configured');
  });
});

describe('npm start: linked accounts', () => {
  let child: ChildProcessWithoutNullStreams;
  let origin: string;
  let logs: string[];
  let sim: Sim;
  const dataDir = mkdtempSync(join(tmpdir(), 'iiq-graph-server-'));

  beforeAll(async () => {
    sim = await startSim({ users: 25 });
    child = start({ IIQ_GRAPH_ADMIN_KEY: ADMIN, IIQ_GRAPH_SECRET_KEY: `k1:${Buffer.alloc(32, 5).toString('base64')}`, DATA_DIR: dataDir, IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1' });
    ({ origin, logs } = await listening(child));
  }, 60_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes from the admin key to a query through a linked connection, then shuts down cleanly', async () => {
    expect(logs.some((l) => l.includes('linked accounts: every request needs Authorization'))).toBe(true);
    const post = (path: string, key: string, body: unknown) =>
      fetch(`${origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const tenant = await post('/admin/tenants', ADMIN, { name: 'Acme' });
    expect(tenant.status).toBe(201);
    const apiKey = await post(`/admin/tenants/${tenant.body.id}/api-keys`, ADMIN, { label: 'backend' });
    expect(apiKey.body.key).toMatch(/^iiqg_/);
    const conn = await post('/api/connections', apiKey.body.key, { label: 'Acme IIQ', baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } });
    expect(conn.body.status).toBe('active');
    const q = await post('/graphql', apiKey.body.key, { query: '{ users(first: 2) { totalCount } }' });
    expect(q.body.data.users.totalCount).toBe(25);
    expect((await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ connections { id } }"}' })).status).toBe(401);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(JSON.stringify(logs)).not.toContain('"admin"'); // the IIQ password never reaches the log
  });
});

describe('npm start: single connection', () => {
  let child: ChildProcessWithoutNullStreams;
  let origin: string;
  let sim: Sim;

  beforeAll(async () => {
    sim = await startSim({ users: 25 });
    child = start({ IIQ_BASE_URL: sim.baseUrl, IIQ_USERNAME: 'spadmin', IIQ_PASSWORD: 'admin' });
    ({ origin } = await listening(child));
  }, 60_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
  });

  it('serves the unified REST face and the SCIM proxy of the configured IdentityIQ without keys on loopback', async () => {
    const unified = await fetch(`${origin}/unified/user-directory/users?limit=3`);
    expect(((await unified.json()) as { result_count: number }).result_count).toBe(3);
    const proxied = await fetch(`${origin}/proxy/scim/v2/Users?count=1`);
    expect(proxied.status).toBe(200);
    expect(((await proxied.json()) as { totalResults: number }).totalResults).toBe(25);
    // linked-accounts routes do not exist here
    expect((await fetch(`${origin}/admin/tenants`, { method: 'POST', body: '{}' })).status).toBe(404);
    const gql = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ connections { id } }"}' });
    expect(((await gql.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('LINKED_ACCOUNTS_DISABLED');
  });
});
