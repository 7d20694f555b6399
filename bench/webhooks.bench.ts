// Benchmark: webhook delivery throughput and the dispatcher's CPU per delivery, with and without lease fencing.
// BENCH_WEBHOOK_EVENTS (default 2,000) change events are queued for one endpoint (a receiver answering 204 in a
// child process, so this process's CPU is the dispatcher's and the database driver's) and delivered:
//   sqlite           one replica, no lease (two transactions per delivery: claim, result)
//   postgres         the mirror on PostgreSQL, no lease
//   postgres-fenced  the same with a held lease: each claim and result first checks the token (row FOR SHARE)
// Metrics per scenario: deliveries/s (wall) and CPU µs per delivery (process.cpuUsage, user + system).
// Run: npx tsx bench/run.ts webhooks
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { OutboundPolicy } from '../src/connections/url-policy.ts';
import { PgLease } from '../src/mirror/lease.ts';
import { openMirrorStore } from '../src/mirror/open.ts';
import type { MirrorStore } from '../src/mirror/store.ts';
import { WebhookDispatcher } from '../src/mirror/webhooks.ts';

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function receiver(): Promise<{ url: string; stop: () => void }> {
  const code = `import { createServer } from 'node:http';
const s = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
s.listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /PORT (\d+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (c) => reject(new Error(`receiver exited (${c})`)));
  });
  return { url: `http://127.0.0.1:${port}/hook`, stop: () => void proc.kill() };
}

async function seed(store: MirrorStore, connectionId: string, url: string): Promise<string> {
  const hook = await store.createWebhook({ tenantId: 't', connectionId, url });
  const at = new Date().toISOString();
  await store.db.tx(async (q) => {
    for (let i = 0; i < EVENTS; i++) {
      await q.run('INSERT INTO mirror_changes (connection_id, type, object_id, occurred_at, data) VALUES (?, ?, ?, ?, ?)', [connectionId, 'user.updated', `u${i}`, at, JSON.stringify({ id: `u${i}`, fields: ['displayName'] })]);
    }
  });
  return hook.id;
}

async function scenario(store: MirrorStore, url: string, lease: PgLease | null): Promise<{ perSecond: number; cpuMicrosPerDelivery: number }> {
  const connectionId = `bench_${randomBytes(4).toString('hex')}`;
  const hookId = await seed(store, connectionId, url);
  const d = new WebhookDispatcher(store, connectionId, { pollMs: 60_000, urlPolicy: OutboundPolicy.parse('127.0.0.1') });
  if (lease) {
    await lease.tryAcquire();
    if (!lease.isOwner()) throw new Error('bench: lease not acquired');
    d.setLease(lease);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // each poke delivers up to 200 pending deliveries (the dispatcher's page) in cursor order
  for (;;) {
    await d.poke();
    const pending = await store.db.all(`SELECT COUNT(*) AS n FROM mirror_webhook_deliveries WHERE webhook_id = ? AND status <> 'delivered'`, [hookId]);
    if (Number(pending[0]!.n) === 0) break;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await d.stop();
  const delivered = Number((await store.db.all(`SELECT COUNT(*) AS n FROM mirror_webhook_deliveries WHERE webhook_id = ? AND status = 'delivered'`, [hookId]))[0]!.n);
  if (delivered !== EVENTS) throw new Error(`bench: ${delivered} of ${EVENTS} delivered`);
  return { perSecond: Math.round((EVENTS / ms) * 1000), cpuMicrosPerDelivery: Math.round((cpu.user + cpu.system) / EVENTS) };
}

export default async function run(): Promise<Record<string, number | string>> {
  const rx = await receiver();
  const dir = mkdtempSync(join(tmpdir(), 'iiq-graph-bench-webhooks-'));
  const schema = `iiqg_bench_wh_${process.pid}`;
  const metrics: Record<string, number | string> = { events: EVENTS, receiver: 'child process, 204', pollMs: 'manual pokes' };
  try {
    const sqlite = await openMirrorStore({ dataDir: dir });
    const s = await scenario(sqlite, rx.url, null);
    await sqlite.close();
    metrics.sqlitePerSecond = s.perSecond;
    metrics.sqliteCpuMicrosPerDelivery = s.cpuMicrosPerDelivery;

    const pgStore = await openMirrorStore({ dataDir: dir, databaseUrl: PG_URL, pgSchema: schema });
    const p = await scenario(pgStore, rx.url, null);
    metrics.postgresPerSecond = p.perSecond;
    metrics.postgresCpuMicrosPerDelivery = p.cpuMicrosPerDelivery;
    const lease = new PgLease({ connectionString: PG_URL, schema, name: `mirror:bench-${process.pid}`, pollMs: 60_000, onAcquired: () => {}, onLost: () => {} });
    const f = await scenario(pgStore, rx.url, lease);
    await lease.stop();
    metrics.postgresFencedPerSecond = f.perSecond;
    metrics.postgresFencedCpuMicrosPerDelivery = f.cpuMicrosPerDelivery;
    await pgStore.close();
  } finally {
    rx.stop();
    rmSync(dir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
  return metrics;
}
