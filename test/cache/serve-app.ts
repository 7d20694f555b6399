// Serves an app over real HTTP on 127.0.0.1 port 0 (tests that build their own app: replicas, loggers).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/app.ts';

export async function serveApp(app: App): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(app.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** closes the app, then the listener and its sockets */
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
