// Idempotency keys of createUser: in linked-accounts mode records in the connections store (SQLite and
// PostgreSQL), a replay within 24 hours answered without a second upstream POST, scoped per tenant; in
// single-connection mode the same store under DATA_DIR, so a replay after a restart is still answered; the
// store's expiry and concurrency rules on their own.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../simulator/index.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import { IDEMPOTENCY_TTL_MS, MemoryIdempotencyStore, SqlIdempotencyStore, requestHash, type IdempotencyStore } from '../../src/connections/idempotency.ts';
import { SQLITE_FILE, openStore } from '../../src/connections/open-store.ts';
import { SqlConnectionStore } from '../../src/connections/sql-store.ts';
import { DATABASES } from '../connections/databases.ts';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';

const CREATE = `mutation($input: CreateUserInput!, $key: String) {
  createUser(input: $input, idempotencyKey: $key) { __typename ... on MutationError { code } ... on CreateUserSuccess { user { remoteId userName } } }
}`;

for (const { name, make } of DATABASES) {
  describe(`createUser idempotency in linked-accounts mode (${name})`, () => {
    let gw: LinkedGateway;
    let sim: Sim;
    beforeAll(async () => {
      gw = await startLinkedGateway({ db: make() });
      sim = await startSim({ users: 40 });
    });
    afterAll(async () => {
      await gw?.close();
      await gw?.db.drop();
      await sim?.close();
    });

    it('a replay returns the first identity with one upstream POST; the key is stored hashed; tenants do not share keys', async () => {
      const a = await gw.tenant('Tenant A');
      const b = await gw.tenant('Tenant B');
      const connA = await gw.link(a.key, sim, 'A');
      const connB = await gw.link(b.key, sim, 'B');
      sim.requests.reset();
      const input = { userName: 'jit.linked', givenName: 'Lin' };
      const first = await gw.gql(a.key, CREATE, { input, key: 'ticket-CHG0042' }, connA);
      expect(first.body.data.createUser.__typename).toBe('CreateUserSuccess');
      const replay = await gw.gql(a.key, CREATE, { input, key: 'ticket-CHG0042' }, connA);
      expect(replay.body.data.createUser.user).toEqual(first.body.data.createUser.user);
      expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(1);
      // the record lives in the connections store, keyed by a hash (the client's key is not stored)
      const driver = (gw.store as SqlConnectionStore).driver;
      const rows = await driver.all(`SELECT id, result_id FROM idempotency_keys`);
      expect(rows).toHaveLength(1);
      expect(String(rows[0]!.result_id)).toBe(first.body.data.createUser.user.remoteId);
      expect(JSON.stringify(rows)).not.toContain('ticket-CHG0042');
      // tenant B with the same key on the same IIQ is another scope: its own POST (and IIQ's duplicate answer)
      const other = await gw.gql(b.key, CREATE, { input, key: 'ticket-CHG0042' }, connB);
      expect(other.body.data.createUser).toMatchObject({ __typename: 'DuplicateUserNameError', code: 'DUPLICATE_USER_NAME' });
      expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(2);
    });
  });
}

describe('createUser idempotency in single-connection mode (SQLite under DATA_DIR)', () => {
  it('a replay after a gateway restart on the same DATA_DIR returns the first identity with one upstream POST', async () => {
    const sim = createSimulator({ users: 40, seed: 42, profile: 'zero' });
    const { baseUrl } = await sim.listen(0, '127.0.0.1');
    const dataDir = mkdtempSync(join(tmpdir(), 'iiq-graph-idem-single-'));
    const start = () => {
      const client = createIiqClient({ baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' }, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } });
      const app = createApp({ client, config: loadConfig({ LOG_LEVEL: 'silent', CACHE: 'off', DATA_DIR: dataDir }) });
      const gql = async (query: string, variables: Record<string, unknown>) => {
        const res = await app.fetch(new Request('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }));
        return (await res.json()) as { data: any; errors?: unknown[] };
      };
      return { gql, close: async () => (await app.close(), await client.close()) };
    };
    try {
      const input = { userName: 'jit.restart', givenName: 'Re', familyName: 'Start' };
      const first = start();
      // a read-only gateway opens no database
      await first.gql('{ users(first: 1) { totalCount } }', {});
      expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(false);
      const created = await first.gql(CREATE, { input, key: 'change-CHG0099' });
      expect(created.data.createUser.__typename).toBe('CreateUserSuccess');
      await first.close();
      expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(true);

      const second = start(); // a new process as far as the gateway is concerned: nothing kept in memory
      try {
        const replay = await second.gql(CREATE, { input, key: 'change-CHG0099' });
        expect(replay.errors).toBeUndefined();
        expect(replay.data.createUser).toEqual(created.data.createUser);
        expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(1);
        // another input with the same key is refused, still without a POST
        const reuse = await second.gql(CREATE, { input: { ...input, givenName: 'Other' }, key: 'change-CHG0099' });
        expect(reuse.data.createUser).toMatchObject({ __typename: 'IdempotencyKeyReuseError' });
        expect(sim.requests.count({ method: 'POST', path: '/Users' })).toBe(1);
      } finally {
        await second.close();
      }
      // the record is in the store, keyed by a hash
      const store = (await openStore({ dataDir })) as SqlConnectionStore;
      try {
        const rows = await store.driver.all(`SELECT result_id FROM idempotency_keys`);
        expect(rows.map((r) => String(r.result_id))).toEqual([created.data.createUser.user.remoteId]);
      } finally {
        await store.close();
      }
    } finally {
      await sim.close();
    }
  });
});

describe('idempotency stores', () => {
  const stores: [string, () => Promise<{ store: IdempotencyStore; close(): Promise<void> }>][] = [
    ['memory', async () => ({ store: new MemoryIdempotencyStore(), close: async () => {} })],
    [
      'sqlite',
      async () => {
        const { mkdtempSync } = await import('node:fs');
        const { tmpdir } = await import('node:os');
        const { join } = await import('node:path');
        const conn = (await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'iiq-graph-idem-')) })) as SqlConnectionStore;
        return { store: new SqlIdempotencyStore(conn.driver), close: () => conn.close() };
      },
    ],
  ];
  for (const [name, open] of stores) {
    it(`${name}: claim once, pending for the others, done after complete, released on failure, expired after 24 h`, async () => {
      const { store, close } = await open();
      try {
        const h = requestHash({ userName: 'x', b: [1, 2] });
        expect(requestHash({ b: [1, 2], userName: 'x' })).toBe(h); // key order does not matter
        const now = Date.now();
        const claims = await Promise.all([1, 2, 3].map(() => store.claim('s', 'k', h, now)));
        expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
        expect(claims.filter((c) => c.state === 'pending')).toHaveLength(2);
        await store.complete('s', 'k', 'user-1');
        expect(await store.claim('s', 'k', h, now + 1000)).toEqual({ state: 'done', requestHash: h, resultId: 'user-1' });
        expect(await store.claim('other-scope', 'k', h, now)).toEqual({ state: 'claimed' });
        await store.release('other-scope', 'k');
        expect(await store.claim('other-scope', 'k', h, now)).toEqual({ state: 'claimed' });
        expect(await store.claim('s', 'k', h, now + IDEMPOTENCY_TTL_MS + 1)).toEqual({ state: 'claimed' });
      } finally {
        await close();
      }
    });
  }
});
