// The per-connection lease on the real PostgreSQL (a schema of its own per run): one owner at a time, takeover
// when the owner's session dies, release on stop, and fencing — a replica that lost the lease without noticing
// cannot commit a write of the mirror's sync.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencedError } from '../../src/mirror/db.ts';
import { PgLease } from '../../src/mirror/lease.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { PG_URL } from '../connections/databases.ts';
import { MIRROR_DATABASES, type MirrorTestDb } from '../mirror/harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('PgLease (PostgreSQL advisory lock + fencing token)', () => {
  let db: MirrorTestDb;
  let store: MirrorStore;
  const leases: PgLease[] = [];
  const make = (name: string, pollMs: number, events: string[]) => {
    const lease = new PgLease({
      connectionString: PG_URL,
      schema: db.config.pgSchema,
      name,
      pollMs,
      onAcquired: (token) => void events.push(`acquired ${token}`),
      onLost: () => void events.push('lost'),
    });
    leases.push(lease);
    return lease;
  };

  beforeAll(async () => {
    db = MIRROR_DATABASES.find((d) => d.name === 'postgres')!.make();
    store = await db.open();
  });

  afterAll(async () => {
    for (const l of leases) await l.stop();
    await store.close();
    await db.drop();
  });

  it('one owner; a dead session hands over with a newer token; the old token is fenced; stop releases', async () => {
    const name = 'mirror:lease-test';
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    // A never probes again (a replica frozen by GC or a partition): it will not notice losing the lease
    const leaseA = make(name, 60_000, a);
    leaseA.start();
    await until('A owns', () => leaseA.isOwner());
    const leaseB = make(name, 100, b);
    leaseB.start();
    await sleep(400);
    expect(leaseB.isOwner()).toBe(false);
    expect(a).toEqual(['acquired 1']);

    // A's sync writes are fenced with its token: accepted while it is current
    let fenceOf: PgLease = leaseA;
    store.setFence(() => ({ name, token: fenceOf.lastToken()! }));
    await store.patchState('lease-test', { lastRolesAt: new Date().toISOString() });

    // A's session dies (the server side: as after a crash or a partition); B takes over
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND objid = ((hashtext($1)::bigint & 4294967295)::text)::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [`iiq-graph-lease:${name}`],
    );
    await admin.end();
    expect(killed.rowCount).toBe(1);
    const t0 = Date.now();
    await until('B owns', () => leaseB.isOwner());
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(b).toEqual(['acquired 2']);
    expect(leaseA.isOwner()).toBe(true); // A has not noticed yet…
    // …but its next write is refused: the lease row holds B's token
    await expect(store.patchState('lease-test', { lastRolesAt: new Date().toISOString() })).rejects.toBeInstanceOf(FencedError);
    fenceOf = leaseB;
    await store.patchState('lease-test', { lastRolesAt: new Date().toISOString() });

    // graceful stop releases at once: C takes over at its next attempt
    const leaseC = make(name, 100, c);
    leaseC.start();
    await sleep(300);
    expect(leaseC.isOwner()).toBe(false);
    await leaseB.stop();
    const t1 = Date.now();
    await until('C owns', () => leaseC.isOwner());
    expect(Date.now() - t1).toBeLessThan(1_000);
    expect(c).toEqual(['acquired 3']);
    store.setFence(() => undefined);
  }, 30_000);

  it('an owner that goes silent (frozen, partitioned) loses the lock after its TTL: the server ends the idle session', async () => {
    const name = 'mirror:lease-ttl-test';
    const a: string[] = [];
    const b: string[] = [];
    // A acquires, then never talks to PostgreSQL again
    const leaseA = new PgLease({ connectionString: PG_URL, schema: db.config.pgSchema, name, pollMs: 60_000, ttlMs: 1_000, onAcquired: (t) => void a.push(`acquired ${t}`), onLost: () => void a.push('lost') });
    leases.push(leaseA);
    leaseA.start();
    await until('A owns', () => leaseA.isOwner());
    const t0 = Date.now();
    const leaseB = make(name, 100, b);
    leaseB.start();
    await until('B owns', () => leaseB.isOwner(), 5_000);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThan(3_000);
    expect(b).toEqual(['acquired 2']);
  }, 30_000);
});
