// Runs the example subgraph: `npx tsx examples/app-permissions/server.ts` (PORT, default 4001). Its demo data
// matches the embedded simulator of `npm start` (SIMULATOR_USERS, default 2000; seed 42).
import { createServer } from 'node:http';
import { createAppPermissionsService } from './app.ts';
import { demoStore } from './demo-data.ts';

const port = Number(process.env.PORT ?? 4001);
const users = Number(process.env.SIMULATOR_USERS ?? 2000);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number');
if (!Number.isInteger(users) || users < 1) throw new Error('SIMULATOR_USERS must be a positive integer');

const server = createServer(createAppPermissionsService(demoStore(users)));
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`app-permissions subgraph on http://${process.env.HOST ?? '127.0.0.1'}:${actual}/graphql`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
