// Serves the composed peer supergraph with Hive Gateway's runtime (2.x) and the REST transport, on
// 127.0.0.1 port 0. Upstream URL and credentials come from the environment at run time.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import rest from '@graphql-mesh/transport-rest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** Runs `mesh-compose` on bench/peer/mesh.config.ts; returns the supergraph path. */
export function composePeer(out = join(tmpdir(), `iiq-graph-peer-supergraph-${process.pid}.graphql`)): string {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', '@graphql-mesh', 'compose-cli', 'esm', 'bin.js'), '-c', join(here, 'mesh.config.ts'), '-o', out], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() },
  });
  if (r.status !== 0) throw new Error(`mesh-compose failed (${r.status}): ${r.stderr || r.stdout}`);
  return out;
}

export interface Peer {
  url: string;
  close(): Promise<void>;
}

/** env: PEER_IIQ_BASE_URL and PEER_IIQ_AUTHORIZATION must be set before the first request. */
export async function startPeer(supergraph: string): Promise<Peer> {
  const gateway = createGatewayRuntime({
    supergraph,
    transports: { rest },
    logging: false,
    // measured as users run it, minus anything that would hide upstream requests
    inboundInflightRequestDeduplication: false,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
  });
  const server: Server = createServer(gateway);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
