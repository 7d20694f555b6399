// Webhooks: a test receiver verifies every HMAC-SHA256 signature, fails on purpose, and must still receive each
// event once (retries with backoff; a failure holds later events so they arrive in order); the delivery log
// records every attempt; redelivery sends an event again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IiqClient } from '../../src/iiq/types.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { MirrorSync } from '../../src/mirror/sync.ts';
import { OutboundPolicy } from '../../src/connections/url-policy.ts';
import { SIGNATURE_HEADER, verifySignature, WebhookDispatcher } from '../../src/mirror/webhooks.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { MIRROR_DATABASES, type MirrorTestDb } from './harness.ts';

interface Received {
  id: string;
  cursor: string;
  type: string;
  at: number;
}

function receiver(secret: () => string, failFirst: number) {
  const accepted: Received[] = [];
  const attempts = new Map<string, number[]>();
  let bad = 0;
  let failures = failFirst;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifySignature(secret(), req.headers[SIGNATURE_HEADER] as string, body)) {
        bad++;
        res.writeHead(401).end();
        return;
      }
      const e = JSON.parse(body) as Received;
      attempts.set(e.id, [...(attempts.get(e.id) ?? []), Date.now()]);
      if (failures > 0) {
        failures--;
        res.writeHead(503).end('try later');
        return;
      }
      accepted.push({ ...e, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  return { server, accepted, attempts, bad: () => bad };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(MIRROR_DATABASES)('webhooks on $name', ({ make }) => {
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let store: MirrorStore;
  let secret = '';
  const rx = receiver(() => secret, 2);
  let url = '';

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 30 }));
    iiq = client(sim.baseUrl);
    db = make();
    store = await db.open();
    await new Promise<void>((r) => rx.server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(rx.server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await new Promise((r) => rx.server.close(r));
    await store?.close();
    await db?.drop();
    await iiq?.close();
    await sim?.close();
  });

  it('signed, retried with backoff, each event once and in order; delivery log and redelivery', async () => {
    const hook = await store.createWebhook({ tenantId: 't1', connectionId: 'c1', url, types: ['user.created', 'user.updated'] });
    secret = hook.secret;
    const dispatcher = new WebhookDispatcher(store, 'c1', { baseDelayMs: 40, maxDelayMs: 200, pollMs: 15, urlPolicy: OutboundPolicy.parse('127.0.0.1') });
    const sync = new MirrorSync(iiq, store, 'c1', { pageSize: 10, batchSize: 10 });
    sync.onChanges(() => void dispatcher.poke());
    dispatcher.start();
    await sync.run('full');
    const expected = (await store.listChanges('c1', { types: ['user.created', 'user.updated'], limit: 1000 })).map((e) => String(e.seq));
    expect(expected).toHaveLength(30);
    await until(() => rx.accepted.length >= expected.length);
    await dispatcher.stop();

    expect(rx.bad()).toBe(0);
    expect(rx.accepted.map((e) => e.cursor)).toEqual(expected); // once each, in order
    expect(rx.accepted.every((e) => e.type === 'user.created')).toBe(true);
    const first = rx.attempts.get(rx.accepted[0]!.id)!;
    expect(first).toHaveLength(3); // 503, 503, 204
    expect(first[1]! - first[0]!).toBeGreaterThanOrEqual(35); // backoff 40 ms, then 80 ms
    expect(first[2]! - first[1]!).toBeGreaterThanOrEqual(75);

    const log = await store.listDeliveries(hook.id, 1000);
    expect(log).toHaveLength(30);
    expect(log.every((d) => d.status === 'delivered' && d.responseStatus === 204)).toBe(true);
    const retried = log.find((d) => String(d.seq) === expected[0])!;
    expect(retried.attempts).toBe(3);

    // redelivery of one event
    expect(await store.redeliver(hook.id, retried.id)).toBe(true);
    await dispatcher.poke();
    expect(rx.accepted.filter((e) => e.cursor === expected[0])).toHaveLength(2);
    expect((await store.listDeliveries(hook.id, 1000)).find((d) => d.id === retried.id)).toMatchObject({ status: 'delivered', attempts: 4 });
  });

  it('an endpoint the outbound URL policy refuses (saved before the list changed) gets no request; the delivery fails with the reason', async () => {
    const before = rx.attempts.size;
    const hook = await store.createWebhook({ tenantId: 't1', connectionId: 'c2', url, types: ['user.created'] });
    const dispatcher = new WebhookDispatcher(store, 'c2', { pollMs: 15, urlPolicy: OutboundPolicy.parse(undefined) }); // unset: loopback refused, https only
    await new MirrorSync(iiq, store, 'c2', { pageSize: 10, batchSize: 10 }).run('full');
    await dispatcher.poke();
    await dispatcher.poke();
    await dispatcher.stop();
    const log = await store.listDeliveries(hook.id, 1000);
    expect(log.length).toBe(30);
    expect(log.every((d) => d.status === 'failed' && d.responseStatus === null && /refused by the outbound URL policy: url must use https/.test(d.error ?? ''))).toBe(true);
    expect(rx.attempts.size).toBe(before); // nothing reached the receiver
  });

  it('a wrong secret or a stale timestamp fails verification', () => {
    const body = '{"a":1}';
    const now = Date.now();
    const header = `t=${Math.floor(now / 1000)},v1=00`;
    expect(verifySignature('s', header, body, 300, now)).toBe(false);
    expect(verifySignature('s', null, body)).toBe(false);
  });
});
