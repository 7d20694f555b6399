// Webhook deliveries fenced by the connection's lease, two dispatchers ("replicas") on the real PostgreSQL:
// A owns the lease and is mid-request when its lease session dies; B takes over with a newer token, delivers
// everything (the interrupted event again: same event id, same delivery id, same idempotency key); A's late
// result is refused by the token check and never overwrites B's. A deposed owner that did not notice cannot
// even claim a delivery: no request leaves.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundPolicy } from '../../src/connections/url-policy.ts';
import type { Logger } from '../../src/graphql/logger.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import { PgLease } from '../../src/mirror/lease.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { MirrorSync } from '../../src/mirror/sync.ts';
import { DELIVERY_HEADER, EVENT_ID_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verifySignature, WebhookDispatcher } from '../../src/mirror/webhooks.ts';
import { PG_URL } from '../connections/databases.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { MIRROR_DATABASES, type MirrorTestDb } from './harness.ts';

interface Hit {
  eventId: string;
  bodyId: string;
  delivery: string;
  idempotency: string;
  signed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function recordingLogger(lines: string[]): Logger {
  const push = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  return { info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') };
}

describe('webhook deliveries fenced by the lease (two replicas, PostgreSQL)', () => {
  const CID = `fence_${process.pid}_${Date.now().toString(36)}`;
  const LEASE = `mirror:${CID}`;
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let storeA: MirrorStore;
  let storeB: MirrorStore;
  let server: Server;
  let url = '';
  let secret = '';
  const hits: Hit[] = [];
  /** the first request is held open until the test releases it (A's request in flight while it loses the lease) */
  let held: { res: ServerResponse; release: (status: number) => void } | null = null;
  let holdNext = true;
  const leases: PgLease[] = [];
  const dispatchers: WebhookDispatcher[] = [];
  const logA: string[] = [];
  const policy = OutboundPolicy.parse('127.0.0.1');

  const replica = (store: MirrorStore, logger: Logger) => {
    const d = new WebhookDispatcher(store, CID, { baseDelayMs: 20, maxDelayMs: 100, pollMs: 20, timeoutMs: 20_000, urlPolicy: policy }, logger);
    d.setActive(false);
    const lease = new PgLease({
      connectionString: PG_URL,
      schema: db.config.pgSchema,
      name: LEASE,
      pollMs: 100,
      // as ConnectionMirror wires it (src/mirror/service.ts)
      onAcquired: () => {
        d.setActive(true);
        d.start();
      },
      onLost: () => d.setActive(false),
    });
    d.setLease(lease);
    leases.push(lease);
    dispatchers.push(d);
    return { d, lease };
  };

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 8 }));
    iiq = client(sim.baseUrl);
    db = MIRROR_DATABASES.find((x) => x.name === 'postgres')!.make();
    storeA = await db.open();
    storeB = await db.open();
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        hits.push({
          eventId: String(req.headers[EVENT_ID_HEADER]),
          bodyId: (JSON.parse(body) as { id: string }).id,
          delivery: String(req.headers[DELIVERY_HEADER]),
          idempotency: String(req.headers[IDEMPOTENCY_HEADER]),
          signed: verifySignature(secret, req.headers[SIGNATURE_HEADER] as string, body),
        });
        if (holdNext) {
          holdNext = false;
          held = { res, release: (status) => void (res.headersSent || res.writeHead(status).end()) };
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    held?.release(204);
    for (const d of dispatchers) await d.stop();
    for (const l of leases) await l.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await storeA?.close();
    await storeB?.close();
    await db?.drop();
    await iiq?.close();
    await sim?.close();
  });

  it('the owner loses its lease mid-request: the new owner delivers every event, the old owner\'s late result is refused', async () => {
    const hook = await storeA.createWebhook({ tenantId: 't1', connectionId: CID, url, types: ['user.created'] });
    secret = hook.secret;
    await new MirrorSync(iiq, storeA, CID, { pageSize: 50, batchSize: 50 }).run('full');
    const events = (await storeA.listChanges(CID, { types: ['user.created'], limit: 1000 })).map((e) => `evt_${e.seq}`);
    expect(events.length).toBeGreaterThanOrEqual(8);

    const A = replica(storeA, recordingLogger(logA));
    A.lease.start();
    await until('A owns the lease', () => A.lease.isOwner());
    const B = replica(storeB, recordingLogger([]));
    B.lease.start();
    await until('A has a request in flight', () => held !== null);
    expect(hits[0]!.eventId).toBe(events[0]);
    expect(B.lease.isOwner()).toBe(false);

    // A's lease session dies (crash of its database connection, failover, idle_session_timeout)
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND objid = ((hashtext($1)::bigint & 4294967295)::text)::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [`iiq-graph-lease:${LEASE}`],
    );
    expect(killed.rowCount).toBe(1);
    await until('B takes over with a newer token', () => B.lease.isOwner());
    expect(B.lease.lastToken()).toBe(A.lease.lastToken()! + 1);

    // B delivers everything, the interrupted event included
    await until('B delivered every event', async () => (await storeB.listDeliveries(hook.id, 1000)).every((d) => d.status === 'delivered'));
    const first = (await storeB.listDeliveries(hook.id, 1000)).find((d) => `evt_${d.seq}` === events[0])!;
    expect(first).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 204 });

    // only now A's request completes — with an error that, recorded, would put the event back to pending
    held!.release(500);
    await A.d.stop(); // waits for A's round to end
    const after = (await storeA.listDeliveries(hook.id, 1000)).find((d) => d.id === first.id)!;
    expect(after).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 204, error: null });
    expect(logA.some((l) => l.includes('webhook deliveries fenced'))).toBe(true);

    // every event arrived; the duplicate carries the same event id, delivery id and idempotency key
    expect(hits.every((h) => h.signed && h.eventId === h.bodyId && h.idempotency === h.eventId)).toBe(true);
    expect(new Set(hits.map((h) => h.eventId))).toEqual(new Set(events));
    const copies = hits.filter((h) => h.eventId === events[0]);
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((h) => h.delivery)).size).toBe(1);
    expect(hits.filter((h) => h.eventId !== events[0]).length).toBe(events.length - 1); // the others once each
  }, 60_000);

  it('an owner deposed without noticing cannot claim a delivery: no request leaves, nothing is written', async () => {
    const B = { d: dispatchers[1]!, lease: leases[1]! };
    const hook = (await storeB.listWebhooks({ connectionId: CID }))[0]!;
    const delivery = (await storeB.listDeliveries(hook.id, 1000))[0]!;
    await B.d.stop(); // no poller: only the pokes below
    // another replica took the lease (the token moved on); B still believes it owns it
    const admin = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${db.config.pgSchema}` });
    await admin.connect();
    await admin.query('UPDATE iiq_graph_leases SET token = token + 1 WHERE name = $1', [LEASE]);
    await admin.end();
    expect(B.lease.isOwner()).toBe(true);
    expect(await storeB.redeliver(hook.id, delivery.id)).toBe(true);
    const before = hits.length;
    await B.d.poke();
    expect(hits.length).toBe(before);
    expect((await storeB.listDeliveries(hook.id, 1000)).find((d) => d.id === delivery.id)).toMatchObject({ status: 'pending', attempts: delivery.attempts });
  }, 30_000);
});
