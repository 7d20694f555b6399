// The CLI's IIQ: the same environment configuration as `npm start` (IIQ_BASE_URL and credentials), or, without
// IIQ_BASE_URL, the embedded simulator with demo data in a child process (its code is never imported).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../config.ts';
import { createIiqClient } from '../iiq/client.ts';
import type { IiqClient } from '../iiq/types.ts';

export interface CliUpstream {
  client: IiqClient;
  baseUrl: string;
  demo: boolean;
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

export async function openUpstream(config: GatewayConfig, warn: (msg: string) => void): Promise<CliUpstream> {
  if (config.iiq) {
    const { baseUrl, auth, ca, insecureTls, proxyUrl, maxConnections } = config.iiq;
    const client = createIiqClient({
      baseUrl,
      auth,
      tls: { ...(ca ? { ca } : {}), ...(insecureTls ? { rejectUnauthorized: false } : {}) },
      ...(proxyUrl ? { proxy: proxyUrl } : {}),
      maxConnections,
    });
    return { client, baseUrl, demo: false, close: () => client.close() };
  }
  const port = await freePort();
  const sim = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../simulator/cli.ts', import.meta.url)), '--port', String(port), '--users', String(config.simulator.users), '--seed', '42', '--profile', config.simulator.profile],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  process.once('exit', () => sim.kill('SIGTERM'));
  const baseUrl = `http://127.0.0.1:${port}/identityiq/scim/v2`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (sim.exitCode !== null) throw new Error(`the embedded simulator exited with code ${sim.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/ServiceProviderConfig`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the embedded simulator did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  warn(`IIQ_BASE_URL is not set: using the embedded IIQ simulator with demo data (${config.simulator.users} identities)`);
  const client = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } });
  return {
    client,
    baseUrl,
    demo: true,
    async close() {
      await client.close();
      sim.kill('SIGTERM');
    },
  };
}
