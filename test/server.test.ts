// `npm start` as a user runs it: a real process, the embedded simulator, a real query, a clean shutdown.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverFile, waitUntilListening } from './support/server-process.ts';

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', serverFile], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
}

describe('npm start (src/server.ts)', () => {
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let logs: string[];

  beforeAll(async () => {
    child = start({ PORT: '0', SIMULATOR_USERS: '150', SIMULATOR_PROFILE: 'zero' });
    ({ url, logs } = await waitUntilListening(child));
  }, 60_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('says it started the embedded simulator and serves GraphQL from it', async () => {
    expect(logs.some((l) => l.includes('started the embedded IIQ simulator'))).toBe(true);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ users(first: 5) { totalCount edges { node { userName } } } }' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { users: { totalCount: number; edges: { node: { userName: string } }[] } } };
    expect(body.data.users.totalCount).toBe(150);
    expect(body.data.users.edges).toHaveLength(5);
  });

  it('serves GraphiQL to a browser from its own bundle (no CDN)', async () => {
    const res = await fetch(url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.toLowerCase()).toContain('graphiql');
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
  });

  it('shuts down on SIGTERM with exit code 0 and takes the simulator with it', async () => {
    const simLine = logs.find((l) => l.includes('started the embedded IIQ simulator'))!;
    const { baseUrl } = JSON.parse(simLine) as { baseUrl: string };
    expect((await fetch(`${baseUrl}/ServiceProviderConfig`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    await expect(fetch(`${baseUrl}/ServiceProviderConfig`)).rejects.toThrow();
  });
});

describe('npm start with bad configuration', () => {
  it('exits with code 2 and names every problem without echoing secrets', async () => {
    const child = start({ PORT: 'x', IIQ_BASE_URL: 'https://iiq.invalid/identityiq/scim/v2', IIQ_USERNAME: 'svc', IIQ_PASSWORD: 'hunter2-secret' });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(err).toContain('PORT');
    expect(err).not.toContain('hunter2-secret');
  });
});
