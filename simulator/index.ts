// The faithful SailPoint IdentityIQ SCIM 2.0 simulator, as a library: createSimulator(options).listen(0).
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { PROFILES } from './cost.ts';
import { FaultInjector } from './faults.ts';
import { generateDataset } from './generate.ts';
import { ListEngine } from './query.ts';
import { IdSource, Rng } from './random.ts';
import { RequestLog } from './requests.ts';
import { SimServer } from './server.ts';
import { Store } from './store.ts';
import type { Simulator, SimulatorOptions } from './types.ts';

export type {
  FaultSpec, FaultType, RequestRecord, SimAccount, SimAccountRef, SimApplication, SimEntitlement, SimPolicyViolation,
  SimRole, SimRoleAssignment, SimRoleType, SimTaskResult, SimUser, SimWorkflow, Simulator, SimulatorData,
  SimulatorOptions,
} from './types.ts';
export { DEMO_IDENTITIES, MIN_USERS } from './generate.ts';
export { HOSTILE_USERS } from './catalog.ts';

export const DEFAULTS = {
  users: 2000,
  seed: 42,
  contextRoot: '/identityiq',
  basic: { username: 'spadmin', password: 'admin' },
  oauth: { clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret', tokenTtlSeconds: 1200 },
  maxResults: 1000,
} as const;

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const seed = options.seed ?? DEFAULTS.seed;
  const basic = options.basic ?? { ...DEFAULTS.basic };
  const profile = PROFILES[options.profile ?? 'zero'];
  let contextRoot = options.contextRoot ?? DEFAULTS.contextRoot;
  if (contextRoot !== '' && !contextRoot.startsWith('/')) contextRoot = `/${contextRoot}`;
  contextRoot = contextRoot.replace(/\/+$/, '');
  const maxResults = options.maxResults ?? DEFAULTS.maxResults;

  const dataset = generateDataset({
    users: options.users ?? DEFAULTS.users,
    seed,
    adminUserName: basic.username,
    adminPassword: basic.password,
  });
  const store = new Store(dataset);
  const engine = new ListEngine(store, maxResults, options.idFilterable ?? false, seed);
  const faults = new FaultInjector();
  const log = new RequestLog();
  const scheme = options.tls ? 'https' : 'http';
  const handler = new SimServer(
    {
      contextRoot,
      basic,
      oauth: {
        clientId: options.oauth?.clientId ?? DEFAULTS.oauth.clientId,
        clientSecret: options.oauth?.clientSecret ?? DEFAULTS.oauth.clientSecret,
        tokenTtlSeconds: options.oauth?.tokenTtlSeconds ?? DEFAULTS.oauth.tokenTtlSeconds,
      },
      maxResults,
      admin: options.admin ?? false,
      latency: { ...profile.latency, ...options.latency },
      maxConcurrent: options.maxConcurrent ?? profile.maxConcurrent,
      scheme,
    },
    store,
    engine,
    // ids of created resources continue from their own seeded stream
    new IdSource(new Rng(seed ^ 0x7e57)),
    faults,
    log,
  );

  let server: Server | null = null;
  let url = '';

  const sim: Simulator = {
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('simulator is already listening');
      handler.resume();
      const s = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler.handle) : createHttpServer(handler.handle);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      const address = s.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      url = `${scheme}://${shownHost}:${address.port}`;
      return { url, baseUrl: `${url}${handler.scimPrefix}`, port: address.port };
    },
    async close() {
      const s = server;
      server = null;
      handler.shutdown();
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    get url() {
      return url;
    },
    get baseUrl() {
      return url ? `${url}${handler.scimPrefix}` : '';
    },
    data: store,
    faults: {
      inject: (spec) => faults.inject(spec),
      clear: () => faults.clear(),
    },
    requests: {
      list: () => log.list(),
      count: (match) => log.count(match),
      reset: () => log.reset(),
    },
  };
  return sim;
}
