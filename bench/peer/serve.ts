// One gateway under test, in its own process so that its CPU can be read from /proc and autocannon's is
// not counted: `serve.ts ours <replayBaseUrl> [cache on|off]` or `serve.ts peer <replayBaseUrl> <supergraph>`.
// Prints "GATEWAY <graphql url>" when ready.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import { startPeer } from './hive.ts';

const [kind, baseUrl, arg] = process.argv.slice(2);
if (!kind || !baseUrl) throw new Error('usage: serve.ts ours|peer <baseUrl> [cache|supergraph]');
const authorization = `Basic ${Buffer.from('spadmin:admin').toString('base64')}`;

if (kind === 'ours') {
  const client = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, proxy: null });
  const config = loadConfig({ LOG_LEVEL: 'silent', CACHE: arg === 'on' ? 'on' : 'off', CACHE_TTL_USERS: '3600', CACHE_TTL_LISTS: '3600', RATE_LIMIT_PER_MINUTE: '0', CONNECTION_RATE_LIMIT_PER_MINUTE: '0' });
  const app = createApp({ client, config });
  await app.ready();
  await app.membershipReady();
  const server = createServer(app.handle);
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`GATEWAY http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void app.close().then(() => client.close()).then(() => process.exit(0)));
  });
} else {
  process.env.PEER_IIQ_BASE_URL = baseUrl;
  process.env.PEER_IIQ_AUTHORIZATION = authorization;
  const peer = await startPeer(arg!);
  process.stdout.write(`GATEWAY ${peer.url}\n`);
  process.on('SIGTERM', () => void peer.close().then(() => process.exit(0)));
}
