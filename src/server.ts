// The only file that reads the environment and listens. `npm start` runs it.
// With no IIQ_BASE_URL it starts the embedded IIQ simulator with demo data (and says so), so a fresh clone
// shows real-looking data with zero setup.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createApp, type App } from './app.ts';
import { clusterWorker, ownsBackgroundWork, runPrimary, SIMULATOR_URL_ENV, webConcurrency } from './cluster.ts';
import cluster from 'node:cluster';
import { createLogger } from './hardening/log-capture.ts';
import { secretSafeLoggerOptions } from './hardening/redaction.ts';
import { ConfigError, loadConfig, type GatewayConfig } from './config.ts';
import { openStore } from './connections/open-store.ts';
import { Keyring } from './connections/secrets.ts';
import { createIiqClient } from './iiq/client.ts';
import { currentRequest } from './observability/scope.ts';
import { setupTracing } from './observability/tracing.ts';
import { ProxyUpstream } from './rest/proxy.ts';
import { createLinkedAccounts } from './tenancy/setup.ts';
import type { IiqClientOptions } from './iiq/types.ts';
import { loadMirrorConfig } from './mirror/config.ts';
import { openConnectionMirror } from './mirror/setup.ts';
import { openMirrorStore } from './mirror/open.ts';
import type { ConnectionMirror } from './mirror/service.ts';

interface Upstream {
  options: IiqClientOptions;
  close(): Promise<void>;
}

async function upstreamFor(config: GatewayConfig, logger: pino.Logger): Promise<Upstream> {
  if (config.iiq) {
    const { baseUrl, auth, ca, insecureTls, proxyUrl, maxConnections } = config.iiq;
    return {
      options: {
        baseUrl,
        auth,
        tls: { ...(ca ? { ca } : {}), ...(insecureTls ? { rejectUnauthorized: false } : {}) },
        ...(proxyUrl ? { proxy: proxyUrl } : {}),
        maxConnections,
        logger: logger.child({ component: 'iiq-client' }),
      },
      close: async () => {},
    };
  }
  // Demo mode: the simulator runs as its own process and is reached over HTTP like any IIQ; the gateway
  // imports none of its code. Cluster mode: the primary started it once (src/cluster.ts).
  const started = clusterWorker() ? process.env[SIMULATOR_URL_ENV] : undefined;
  if (started) {
    return { options: { baseUrl: started, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, logger: logger.child({ component: 'iiq-client' }) }, close: async () => {} };
  }
  const port = await freePort();
  const sim = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../simulator/cli.ts', import.meta.url)),
      '--port', String(port), '--users', String(config.simulator.users), '--seed', '42', '--profile', config.simulator.profile],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // Never leave an orphaned simulator behind, however this process ends.
  process.once('exit', () => sim.kill('SIGTERM'));
  const baseUrl = `http://127.0.0.1:${port}/identityiq/scim/v2`;
  await waitForHttp(`${baseUrl}/ServiceProviderConfig`, sim);
  logger.warn(
    { baseUrl, users: config.simulator.users, profile: config.simulator.profile },
    'IIQ_BASE_URL is not set: started the embedded IIQ simulator with demo data (set IIQ_BASE_URL to use a real IdentityIQ)',
  );
  return {
    options: {
      baseUrl,
      auth: { kind: 'basic', username: 'spadmin', password: 'admin' },
      logger: logger.child({ component: 'iiq-client' }),
    },
    close: async () => {
      sim.kill('SIGTERM');
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the embedded simulator exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the embedded simulator did not start within 60 s');
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  let workers: number;
  try {
    config = loadConfig(process.env);
    workers = webConcurrency(process.env);
    if (workers > 1 && config.linked && process.env.MIRROR === 'true' && !config.linked.databaseUrl) {
      throw new ConfigError(['WEB_CONCURRENCY > 1 with linked accounts and MIRROR=true needs DATABASE_URL (its lease picks the one worker that syncs each connection); on SQLite use WEB_CONCURRENCY=1']);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // createLogger: pino, plus the test run's log capture when IIQ_GRAPH_TEST_LOG_DIR is set
  const logger = createLogger({
    level: config.logLevel,
    // credentials, tokens, API keys and Authorization headers, at any depth and inside messages and errors
    ...secretSafeLoggerOptions(),
    // every line logged while a request is handled names it (the same id is echoed and sent to IIQ)
    mixin: () => {
      const requestId = currentRequest()?.requestId;
      return requestId ? { requestId } : {};
    },
  });
  let tracing: ReturnType<typeof setupTracing> = null;
  try {
    tracing = setupTracing(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (tracing) logger.info({ exporter: tracing.exporter }, 'OpenTelemetry tracing is on (OTEL_* environment variables)');
  // WEB_CONCURRENCY > 1: this process supervises the workers (src/cluster.ts); each worker runs the rest of main()
  if (workers > 1 && cluster.isPrimary) {
    const startSimulator = config.iiq || config.linked ? undefined : async () => {
      const u = await upstreamFor(config, logger);
      return { baseUrl: u.options.baseUrl, close: u.close };
    };
    return runPrimary({ workers, logger, host: config.host, ...(startSimulator ? { startSimulator } : {}) });
  }
  const worker = clusterWorker();
  if (worker && config.cache?.enabled && !config.cache.redisUrl) {
    // an in-memory cache per worker could serve what another worker just changed: shared only through Redis
    config = { ...config, cache: { ...config.cache, enabled: false } };
    if (worker.id === 1) logger.warn({ workers: worker.count }, 'CACHE=on without REDIS_URL is turned off in cluster mode (WEB_CONCURRENCY > 1): each worker would hold its own copy; set REDIS_URL to cache');
  }

  let app: App;
  let closeUpstream: () => Promise<void>;
  if (config.linked) {
    // linked accounts: connections come from the store, every request carries an API key
    const { adminKey, secretKey, dataDir, databaseUrl } = config.linked;
    const store = await openStore({ dataDir, databaseUrl });
    // MIRROR=true: a mirror per connection in the same database (SQLite file of its own under DATA_DIR, or
    // DATABASE_URL shared by the replicas, each connection's background work owned through a lease)
    let mirror: Parameters<typeof createLinkedAccounts>[0]['mirror'];
    try {
      const mirrorConfig = loadMirrorConfig(process.env);
      if (mirrorConfig.enabled) mirror = { store: await openMirrorStore({ dataDir, databaseUrl }), config: mirrorConfig, databaseUrl };
    } catch (err) {
      console.error((err as Error).message);
      process.exit(2);
    }
    const linked = createLinkedAccounts({ store, keyring: Keyring.parse(secretKey), adminKey, config, logger: logger.child({ component: 'linked-accounts' }), ...(mirror ? { mirror } : {}) });
    app = createApp({ linked, config, logger });
    const mirrors = linked.mirrors;
    if (mirrors) {
      mirrors.start().then(
        () => logger.info({ store: mirrors.store.kind, connections: mirrors.ids().length }, 'directory mirrors started, one per linked connection: send X-IIQ-Consistency: mirror to read from them'),
        (err: unknown) => logger.error({ err }, 'directory mirrors failed to start'),
      );
    }
    // app.close() closes the linked accounts (registry, then the mirrors and their lease session)
    closeUpstream = () => store.close();
    logger.info(
      { store: store.kind, ...(store.kind === 'sqlite' ? { dataDir } : {}), tenants: (await store.listTenants()).length },
      'linked accounts: every request needs Authorization: Bearer <API key>; the admin key manages tenants at /admin/tenants',
    );
  } else {
    const upstream = await upstreamFor(config, logger);
    const client = createIiqClient(upstream.options);
    const { baseUrl, auth, tls, proxy } = upstream.options;
    const ca = typeof tls?.ca === 'string' ? tls.ca : null;
    const scimProxy = new ProxyUpstream({ baseUrl, secret: { auth, proxyUrl: proxy ?? null }, caBundle: ca }, { rejectUnauthorized: !config.iiq?.insecureTls });
    // MIRROR=true: the directory mirror (its own tables in DATA_DIR's SQLite or DATABASE_URL) syncs on a schedule
    let mirror: ConnectionMirror | undefined;
    try {
      const mirrorConfig = loadMirrorConfig(process.env);
      // cluster mode on SQLite: only worker 1 syncs and delivers webhooks (PostgreSQL: the lease picks one)
      const background = ownsBackgroundWork() || Boolean(mirrorConfig.databaseUrl);
      if (mirrorConfig.enabled) mirror = await openConnectionMirror(mirrorConfig, client, { logger: logger.child({ component: 'mirror' }), schedule: background, deliverWebhooks: background });
    } catch (err) {
      console.error((err as Error).message);
      process.exit(2);
    }
    app = createApp({ client, config, logger, proxy: scimProxy, ...(mirror ? { mirror } : {}) });
    if (mirror) {
      const m = mirror;
      m.start().then(
        () => logger.info({ store: m.store.kind }, 'directory mirror started: send X-IIQ-Consistency: mirror to read from it'),
        (err: unknown) => logger.error({ err }, 'directory mirror failed to start'),
      );
    }
    closeUpstream = async () => {
      await mirror?.stop();
      await mirror?.store.close();
      await client.close();
      await scimProxy.close();
      await upstream.close();
    };
  }
  const server = worker
    ? createServer((req, res) => {
        res.setHeader('x-iiq-graph-worker', String(worker.id));
        return app.handle(req, res);
      })
    : createServer(app.handle);
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (worker) logger.info({ worker: worker.id, port }, 'gateway worker listening');
  else logger.info({ url: `http://${config.host}:${port}/graphql` }, 'iiq-graph is listening; open /graphql in a browser for GraphiQL');
  app.ready().catch((err: unknown) => logger.error({ err }, 'background start-up work failed'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close(async () => {
      await app.close();
      await closeUpstream();
      await tracing?.shutdown().catch(() => undefined);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // a worker whose primary is gone (killed) drains and exits instead of running unsupervised
  if (worker) process.on('disconnect', () => stop('primary gone'));
}

main().catch((err: unknown) => {
  console.error('iiq-graph failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
