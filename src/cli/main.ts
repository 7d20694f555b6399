// `npx iiq-graph …` (package.json `bin`): sync the mirror, export users / roles / the access report, probe a
// connection, run the simulator. Configured by the same environment as `npm start` (IIQ_BASE_URL, credentials,
// DATA_DIR / DATABASE_URL, ACCESS_MAP_FILE, MIRROR_*); built on commander.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type GatewayConfig } from '../config.ts';
import { createIiqClient } from '../iiq/client.ts';
import { f } from '../iiq/filter.ts';
import { AccessMapping } from '../mirror/access.ts';
import { loadMirrorConfig, type MirrorConfig } from '../mirror/config.ts';
import { EXPORT_FORMATS, EXPORT_KINDS, liveSource, writeExport, type ExportFormat, type ExportKind, type ExportSource } from '../mirror/export.ts';
import { PgLease } from '../mirror/lease.ts';
import type { ConnectionMirror } from '../mirror/service.ts';
import { openConnectionMirror } from '../mirror/setup.ts';
import type { SyncRun } from '../mirror/types.ts';
import { openUpstream, type CliUpstream } from './upstream.ts';

const err = (msg: string) => process.stderr.write(`${msg}\n`);

function configs(): { gateway: GatewayConfig; mirror: MirrorConfig } {
  try {
    return { gateway: loadConfig(process.env), mirror: loadMirrorConfig(process.env) };
  } catch (e) {
    err(e instanceof ConfigError ? e.message : (e as Error).message);
    process.exit(2);
  }
}

async function withMirror<T>(fn: (mirror: ConnectionMirror, upstream: CliUpstream) => Promise<T>): Promise<T> {
  const { gateway, mirror: mirrorConfig } = configs();
  const upstream = await openUpstream(gateway, err);
  const mirror = await openConnectionMirror(mirrorConfig, upstream.client, { schedule: false });
  try {
    return await fn(mirror, upstream);
  } finally {
    await mirror.stop();
    await mirror.store.close();
    await upstream.close();
  }
}

export function describeRun(r: SyncRun): string {
  const c = r.counts;
  const ms = r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : 0;
  const parts = [`fetched ${c.fetched}`, `created ${c.created}`, `updated ${c.updated}`, `unchanged ${c.unchanged}`, `deleted ${c.deleted}`, `memberships +${c.membershipsAdded}/-${c.membershipsRemoved}`];
  return `${r.kind.padEnd(11)} ${r.status} in ${(ms / 1000).toFixed(2)} s: ${parts.join(', ')}${r.error ? ` — ${r.error}` : ''}`;
}

const program = new Command()
  .name('iiq-graph')
  .description('iiq-graph: the directory mirror, exports and diagnostics for SailPoint IdentityIQ (SCIM 2.0).\nConfigured by the environment of `npm start` (IIQ_BASE_URL, IIQ_USERNAME/IIQ_PASSWORD or IIQ_CLIENT_ID/IIQ_CLIENT_SECRET, DATA_DIR, DATABASE_URL, ACCESS_MAP_FILE, MIRROR_*).')
  .showHelpAfterError();

program
  .command('sync')
  .description('bring the directory mirror up to date: a full sync (or its resumption) until one completed, then incremental; roles and deletions when due')
  .addOption(new Option('--kind <kind>', 'run only this kind').choices(['full', 'incremental', 'deletions', 'roles']))
  .option('--watch', 'keep syncing on the MIRROR_SYNC_INTERVAL schedule until interrupted', false)
  .action(async (opts: { kind?: 'full' | 'incremental' | 'deletions' | 'roles'; watch: boolean }) => {
    await withMirror(async (mirror) => {
      // gateway replicas on the same PostgreSQL own the sync through the connection's lease: run only while holding it
      const { mirror: mirrorConfig } = configs();
      let lease: PgLease | null = null;
      if (mirrorConfig.databaseUrl) {
        lease = new PgLease({ connectionString: mirrorConfig.databaseUrl, name: `mirror:${mirror.connectionId}`, pollMs: mirrorConfig.leasePollMs, onAcquired: () => undefined, onLost: () => void mirror.sync.stop() });
        if (!(await lease.tryAcquire())) {
          await lease.stop();
          err('another process (a gateway replica) holds this connection\'s sync lease: nothing was run (its owner syncs on its schedule)');
          process.exitCode = 1;
          return;
        }
        const held = lease;
        mirror.store.setFence(() => ({ name: held.name, token: held.lastToken()! }));
        held.start(); // probes the session while the runs last
      }
      try {
        await syncCommand(mirror, opts);
      } finally {
        await lease?.stop();
      }
    });
  });

async function syncCommand(mirror: ConnectionMirror, opts: { kind?: 'full' | 'incremental' | 'deletions' | 'roles'; watch: boolean }): Promise<void> {
  let failed = false;
  const once = async () => {
    try {
      for (const r of await mirror.runNow(opts.kind)) process.stdout.write(`${describeRun(r)}\n`);
    } catch (e) {
      failed = true;
      const last = (await mirror.store.listRuns(mirror.connectionId, 1))[0];
      process.stdout.write(`${last ? describeRun(last) : (e as Error).message}\n`);
    }
    const s = await mirror.status();
    process.stdout.write(`mirror: ${s.users} users, ${s.roles} roles, ${s.memberships} memberships; synced ${s.syncedAt?.toISOString() ?? 'never'}; feed cursor ${s.lastCursor}; store ${mirror.store.kind}\n`);
  };
  await once();
  if (!opts.watch) {
    process.exitCode = failed ? 1 : 0;
    return;
  }
  const interval = mirror.sync.options.incrementalIntervalMs;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => void once(), interval);
    process.once('SIGINT', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

const exportCommand = new Command('export')
  .description('export users, roles or the access report (user, role, acquired, application, account, permission), streamed')
  .argument('<what>', `one of ${EXPORT_KINDS.join(', ')}`, (v: string) => {
    if (!(EXPORT_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${EXPORT_KINDS.join(', ')}`);
    return v as ExportKind;
  })
  .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('ndjson'))
  .option('--out <file>', 'write to this file (default: standard output)')
  .addOption(new Option('--from <source>', 'live from IdentityIQ, or from the mirror (run `sync` first)').choices(['live', 'mirror']).default('live'))
  .option('--access-map <file>', 'access mapping JSON ({ "rules": [{ "role": "Payroll*", "permissions": ["payroll:read"] }] }); default ACCESS_MAP_FILE')
  .action(async (what: ExportKind, opts: { format: ExportFormat; out?: string; from: 'live' | 'mirror'; accessMap?: string }) => {
    const { gateway, mirror: mirrorConfig } = configs();
    // from the mirror nothing goes upstream: a client that is never called (no embedded simulator either)
    const upstream: CliUpstream =
      opts.from === 'live'
        ? await openUpstream(gateway, err)
        : (() => {
            const client = createIiqClient({ baseUrl: gateway.iiq?.baseUrl ?? 'http://127.0.0.1:9/identityiq/scim/v2', auth: gateway.iiq?.auth ?? { kind: 'basic', username: 'unused', password: 'unused' } });
            return { client, baseUrl: client.baseUrl, demo: false, close: () => client.close() };
          })();
    const mapFile = opts.accessMap ?? mirrorConfig.accessMapFile;
    const mirror = opts.from === 'mirror' || !mapFile ? await openConnectionMirror(mirrorConfig, upstream.client, { schedule: false }) : null;
    const mapping = async () => (mapFile ? AccessMapping.fromFile(mapFile) : mirror!.accessMapping());
    try {
      let source: ExportSource;
      let total: number | null = null;
      if (opts.from === 'mirror') {
        const s = await mirror!.status();
        if (!s.syncedAt) throw new Error('the mirror has not completed a full sync: run `iiq-graph sync` first (or export --from live)');
        source = { users: () => mirror!.store.iterateUsers(mirror!.connectionId), roles: () => mirror!.store.listRoles(mirror!.connectionId), mapping };
        total = what === 'roles' ? s.roles : what === 'users' ? s.users : null;
      } else {
        source = liveSource(upstream.client, mapping, { concurrency: mirrorConfig.sync.concurrency, pageSize: 500 });
        total = what === 'users' ? await upstream.client.countUsers() : null;
      }
      const out = opts.out && opts.out !== '-' ? createWriteStream(opts.out) : process.stdout;
      const bar = process.stderr.isTTY ? new SingleBar({ format: `${what} {bar} {value}/{total} | {eta_formatted}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
      bar?.start(total ?? 0, 0);
      const started = Date.now();
      const n = await writeExport(what, opts.format, source, out, () => {
        if (!bar) return;
        if (total === null || bar.getProgress() >= 1) bar.setTotal(bar.getTotal() + 1);
        bar.increment();
      });
      bar?.stop();
      err(`exported ${n} ${what === 'access' ? 'access rows' : what} as ${opts.format} from ${opts.from === 'mirror' ? 'the mirror' : 'IdentityIQ'} in ${((Date.now() - started) / 1000).toFixed(2)} s${opts.out ? ` to ${opts.out}` : ''}`);
    } finally {
      if (mirror) {
        await mirror.stop();
        await mirror.store.close();
      }
      await upstream.close();
    }
  });
program.addCommand(exportCommand);

program
  .command('doctor')
  .description('probe the IdentityIQ connection (and the mirror database) and print what works')
  .action(async () => {
    const { gateway, mirror: mirrorConfig } = configs();
    let failures = 0;
    const check = async (name: string, fn: () => Promise<string>) => {
      const started = Date.now();
      try {
        const detail = await fn();
        process.stdout.write(`✓ ${name} — ${detail} (${Date.now() - started} ms)\n`);
      } catch (e) {
        failures++;
        process.stdout.write(`✗ ${name} — ${(e as Error).message}\n`);
      }
    };
    let upstream: CliUpstream | null = null;
    await check('configuration', async () => {
      upstream = await openUpstream(gateway, err);
      return `${upstream.baseUrl}${upstream.demo ? ' (embedded simulator)' : ''}, auth ${gateway.iiq?.auth.kind ?? 'basic'}`;
    });
    if (upstream) {
      const iiq = (upstream as CliUpstream).client;
      let someId: string | null = null;
      await check('ServiceProviderConfig', async () => {
        const spc = await iiq.serviceProviderConfig();
        return `maxResults ${spc.maxResults}, filter ${spc.filterSupported}, sort ${spc.sortSupported}, etag ${spc.etagSupported}`;
      });
      await check('credentials and users', async () => `${await iiq.countUsers()} users visible`);
      await check('users with roles (full URN)', async () => {
        const page = await iiq.listUsers({ count: 5, includeRoles: true });
        someId = page.items[0]?.id ?? null;
        const withRoles = page.items.filter((u) => (u.roles?.length ?? 0) > 0).length;
        return `${page.items.length} listed, ${withRoles} with roles`;
      });
      await check('role catalog', async () => `${(await iiq.listRoles({ count: 1 })).totalResults} roles`);
      await check('incremental filter (meta.lastModified gt)', async () => `${await iiq.countUsers(f.gt('lastModified', new Date(Date.now() - 86_400_000).toISOString()))} users changed in 24 h`);
      await check('resumable full sync (userName gt)', async () => `${await iiq.countUsers(f.gt('userName', 'm'))} users after "m"`);
      await check('lookup by id (deletion checks)', async () => {
        if (!someId) return 'no user to look up';
        const [u] = await iiq.getUsersByIds([someId]);
        if (!u) throw new Error('a listed user was not found by id');
        return 'ok';
      });
      await (upstream as CliUpstream).close();
    }
    await check(`mirror database (${mirrorConfig.databaseUrl ? 'PostgreSQL' : `SQLite in ${mirrorConfig.dataDir}`})`, async () => {
      const { openMirrorStore } = await import('../mirror/open.ts');
      const store = await openMirrorStore({ dataDir: mirrorConfig.dataDir, databaseUrl: mirrorConfig.databaseUrl });
      try {
        const counts = await store.counts('default');
        const state = await store.getState('default');
        return `${counts.users} users mirrored, last full sync ${state.fullSyncedAt ?? 'never'}, feed cursor ${counts.lastSeq}`;
      } finally {
        await store.close();
      }
    });
    process.exitCode = failures ? 1 : 0;
  });

program
  .command('simulator')
  .description('run the IdentityIQ SCIM simulator (options as `npm run simulator -- --help`)')
  .allowUnknownOption(true)
  .helpOption(false)
  .argument('[args...]')
  .action((args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../simulator/cli.ts', import.meta.url)), ...args], { stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
    child.on('exit', (code) => process.exit(code ?? 0));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  err(`iiq-graph: ${(e as Error).message}`);
  process.exit(1);
});
