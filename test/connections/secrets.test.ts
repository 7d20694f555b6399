// Credentials at rest: AES-256-GCM envelopes, no plaintext in the raw database bytes (SQLite file and
// PostgreSQL rows), rotation to a new key (library and `npm run rotate-secrets`), masked in every API answer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/connections/open-store.ts';
import { rotateSecrets } from '../../src/connections/rotate.ts';
import { DecryptError, Keyring, SecretKeyError } from '../../src/connections/secrets.ts';
import { ConnectionService } from '../../src/connections/service.ts';
import { DATABASES, sqliteDatabase } from './databases.ts';
import { startLinkedGateway, startSim, type Sim } from './harness.ts';
import { OutboundPolicy } from '../../src/connections/url-policy.ts';

// the simulators listen on loopback, which linked accounts refuse unless allowed
const LOOPBACK_ALLOWED = OutboundPolicy.parse('127.0.0.1,::1,localhost');

const PASSWORD = 'Plain-Text-Marker-7f3a9c';
const CLIENT_SECRET = 'Client-Secret-Marker-51be20';
const key = (n: number) => Buffer.alloc(32, n).toString('base64');

describe('keyring', () => {
  it('parses kid:base64 lists; the first key encrypts, all decrypt', () => {
    const old = Keyring.parse(`k1:${key(1)}`);
    const both = Keyring.parse(`k2:${key(2)}, k1:${key(1)}`);
    const envelope = old.encrypt('secret', 'con_1');
    expect(Keyring.kidOf(envelope)).toBe('k1');
    expect(both.decrypt(envelope, 'con_1')).toBe('secret');
    expect(Keyring.kidOf(both.encrypt('secret', 'con_1'))).toBe('k2');
    expect(envelope).not.toContain('secret');
  });

  it('binds a ciphertext to its row and detects tampering', () => {
    const ring = Keyring.parse(`k1:${key(1)}`);
    const envelope = ring.encrypt('secret', 'con_1');
    expect(() => ring.decrypt(envelope, 'con_2')).toThrow(DecryptError);
    const parts = envelope.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => ring.decrypt(parts.join('.'), 'con_1')).toThrow(DecryptError);
    expect(() => Keyring.parse(`k9:${key(9)}`).decrypt(envelope, 'con_1')).toThrow(/key id "k1", which IIQ_GRAPH_SECRET_KEY does not list/);
  });

  it('refuses a truncated GCM tag (only full 16-byte tags authenticate)', () => {
    const ring = Keyring.parse(`k1:${key(1)}`);
    const envelope = ring.encrypt('secret', 'con_1');
    const parts = envelope.split('.');
    const tag = Buffer.from(parts[4]!, 'base64url');
    expect(tag).toHaveLength(16);
    for (const n of [4, 8, 12, 15]) {
      const truncated = [...parts.slice(0, 4), tag.subarray(0, n).toString('base64url')].join('.');
      expect(() => ring.decrypt(truncated, 'con_1'), `${n}-byte tag`).toThrow(DecryptError);
    }
    const empty = [...parts.slice(0, 4), ''].join('.');
    expect(() => ring.decrypt(empty, 'con_1')).toThrow(DecryptError);
    expect(ring.decrypt(envelope, 'con_1')).toBe('secret');
  });

  it('rejects malformed keys without echoing key material', () => {
    for (const bad of ['', 'nokid', `:${key(1)}`, 'k1:dG9vLXNob3J0', `k1:${key(1)},k1:${key(2)}`, `bad kid:${key(1)}`]) {
      let message = '';
      try {
        Keyring.parse(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(SecretKeyError);
        message = (err as Error).message;
      }
      expect(message, bad).not.toBe('');
      expect(message).not.toContain(key(1));
    }
  });
});

describe.each(DATABASES)('credentials at rest ($name)', ({ make }) => {
  let sim: Sim;
  const db = make();

  beforeAll(async () => {
    sim = await startSim({ users: 20, basic: { username: 'svc', password: PASSWORD }, oauth: { clientId: 'iiq-graph', clientSecret: CLIENT_SECRET } });
  });
  afterAll(async () => {
    await sim?.close();
    await db.drop();
  });

  it('stores no plaintext credential, returns them masked, and rotation re-encrypts under the new key', async () => {
    const store = await openStore(db.config);
    try {
      const k1 = Keyring.parse(`k1:${key(1)}`);
      const svc = new ConnectionService({ store, keyring: k1, urlPolicy: LOOPBACK_ALLOWED });
      const tenant = await svc.createTenant('T');
      const caller = { tenantId: tenant.id, actor: 'test' };
      const basic = await svc.create(caller, { label: 'basic', baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'svc', password: PASSWORD }, proxyUrl: `http://proxyuser:${PASSWORD}@127.0.0.1:1` });
      const oauth = await svc.create(caller, { label: 'oauth', baseUrl: sim.baseUrl, auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: CLIENT_SECRET } });
      expect(basic.auth).toEqual({ kind: 'basic', username: 'svc', password: '********' });
      expect(basic.proxyUrl).toBe('http://proxyuser:********@127.0.0.1:1/');
      expect(oauth.auth).toMatchObject({ clientSecret: '********' });
      const views = JSON.stringify(await svc.list(caller));
      expect(views).not.toContain(PASSWORD);
      expect(views).not.toContain(CLIENT_SECRET);

      const raw = await db.rawDump();
      expect(raw).toContain('basic'); // the dump does hold the rows
      expect(raw).not.toContain(PASSWORD);
      expect(raw).not.toContain(CLIENT_SECRET);
      expect(raw).not.toContain(Buffer.from(`svc:${PASSWORD}`).toString('base64'));

      // rotation: k2 first, k1 still listed for reading
      const k2 = Keyring.parse(`k2:${key(2)},k1:${key(1)}`);
      expect(await rotateSecrets(store, k2)).toEqual({ currentKid: 'k2', reencrypted: 2, alreadyCurrent: 0 });
      expect(await rotateSecrets(store, k2)).toEqual({ currentKid: 'k2', reencrypted: 0, alreadyCurrent: 2 });
      const rows = await store.allConnections();
      expect(rows.map((r) => [Keyring.kidOf(r.secret), r.secretKid])).toEqual([['k2', 'k2'], ['k2', 'k2']]);
      // only the new key is needed now; the old one alone can no longer read
      const onlyK2 = new ConnectionService({ store, keyring: Keyring.parse(`k2:${key(2)}`), urlPolicy: LOOPBACK_ALLOWED });
      expect(onlyK2.targetOf(rows[0]!).secret.auth).toEqual({ kind: 'basic', username: 'svc', password: PASSWORD });
      expect(() => svc.targetOf(rows[0]!)).toThrow(/cannot be decrypted: encrypted under key id "k2", which IIQ_GRAPH_SECRET_KEY does not list/);
      // and the rotated connection still works against IdentityIQ
      expect((await onlyK2.test(caller, oauth.id)).ok).toBe(true);
      expect((await store.listAudit(tenant.id, oauth.id)).map((e) => e.action)).toEqual(['connection.created', 'secrets.rotated', 'connection.tested']);
      // the basic one goes through its (unreachable) proxy: decrypted fine, check fails at the transport
      expect((await onlyK2.test(caller, basic.id)).steps[0]).toMatchObject({ name: 'reachable', status: 'fail' });
      expect(await db.rawDump()).not.toContain(PASSWORD);
    } finally {
      await store.close();
    }
  });
});

describe('npm run rotate-secrets', () => {
  it('re-encrypts a SQLite store from the environment and reports counts', async () => {
    const db = sqliteDatabase();
    const sim = await startSim({ users: 20 });
    try {
      const store = await openStore(db.config);
      const svc = new ConnectionService({ store, keyring: Keyring.parse(`old:${key(3)}`), urlPolicy: LOOPBACK_ALLOWED });
      const t = await svc.createTenant('T');
      await svc.create({ tenantId: t.id, actor: 'test' }, { label: 'x', baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'spadmin', password: 'admin' } });
      await store.close();
      const run = promisify(execFile);
      const env = { ...process.env, DATA_DIR: db.config.dataDir, IIQ_GRAPH_SECRET_KEY: `new:${key(4)},old:${key(3)}`, DATABASE_URL: '' };
      const { stdout } = await run('npm', ['run', '--silent', 'rotate-secrets'], { env });
      expect(stdout.trim()).toBe('re-encrypted 1 connection(s) under key "new"; 0 already used it');
      const failed = await run('npm', ['run', '--silent', 'rotate-secrets'], { env: { ...env, IIQ_GRAPH_SECRET_KEY: `other:${key(5)}` } }).catch((e: { code: number; stderr: string }) => e);
      expect((failed as { code: number }).code).toBe(1);
      expect((failed as { stderr: string }).stderr).toContain('rotate-secrets failed: encrypted under key id "new"');
      const reopened = await openStore(db.config);
      expect((await reopened.allConnections())[0]!.secretKid).toBe('new');
      await reopened.close();
    } finally {
      await sim.close();
      await db.drop();
    }
  }, 30_000);
});

describe('masked everywhere over HTTP', () => {
  it('never returns a credential from GraphQL or REST', async () => {
    const sim = await startSim({ users: 20, basic: { username: 'svc', password: PASSWORD }, oauth: { clientId: 'iiq-graph', clientSecret: CLIENT_SECRET } });
    const gw = await startLinkedGateway();
    try {
      const t = await gw.tenant('T');
      const created = await gw.http('/api/connections', { key: t.key, body: { label: 'x', baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'svc', password: PASSWORD } } });
      expect(created.status).toBe(201);
      const all = [
        created,
        await gw.http('/api/connections', { key: t.key }),
        await gw.http(`/api/connections/${created.body.id}`, { key: t.key }),
        await gw.http(`/api/connections/${created.body.id}/audit`, { key: t.key }),
        await gw.gql(t.key, '{ connections { id auth { kind username secret } lastCheck { ok steps { name status message } } } }'),
        // a refused password must not come back in the error either
        await gw.http('/api/connections', { key: t.key, body: { label: 'y', baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'svc', password: `${PASSWORD}-wrong` } } }),
      ];
      for (const r of all) expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
      expect(all[4]!.body.data.connections[0].auth).toEqual({ kind: 'BASIC', username: 'svc', secret: '********' });
    } finally {
      await gw.close();
      await sim.close();
    }
  });

  it('a gateway without the key a connection was rotated to answers 503 CREDENTIALS_UNREADABLE, naming only the key id', async () => {
    const sim = await startSim({ users: 20 });
    const gw = await startLinkedGateway(); // keyring: k1 only
    try {
      const t = await gw.tenant('T');
      await gw.link(t.key, sim);
      expect((await gw.http('/unified/user-directory/users?limit=1', { key: t.key })).status).toBe(200);
      // another instance rotated to k9 before this one was given the new key list
      await rotateSecrets(gw.store, new Keyring([{ kid: 'k9', key: Buffer.alloc(32, 9) }, gw.keyring.current]));
      const rest = await gw.http('/unified/user-directory/users?limit=1', { key: t.key });
      expect(rest.status).toBe(503);
      expect(rest.body.details.code).toBe('CREDENTIALS_UNREADABLE');
      expect(rest.body.message).toContain('key id "k9"');
      const gql = await gw.gql(t.key, '{ users(first: 1) { totalCount } }');
      expect(gql.status).toBe(503);
      expect(gql.body.errors[0].extensions.code).toBe('CREDENTIALS_UNREADABLE');
      expect((await gw.http('/proxy/scim/v2/Users', { key: t.key })).status).toBe(503);
    } finally {
      await gw.close();
      await sim.close();
    }
  });
});
