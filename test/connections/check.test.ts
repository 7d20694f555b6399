// The connection check against real servers: each step passes or fails for the right reason.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/connections/secrets.ts';
import { ConnectionService } from '../../src/connections/service.ts';
import type { ConnectionCheck, ConnectionStore } from '../../src/connections/types.ts';
import { makePki, type TestPki } from '../iiq/certs.ts';
import { startSim, type Sim } from './harness.ts';
import { OutboundPolicy } from '../../src/connections/url-policy.ts';

// the simulators listen on loopback, which linked accounts refuse unless allowed
const LOOPBACK_ALLOWED = OutboundPolicy.parse('127.0.0.1,::1,localhost');

const statuses = (c: ConnectionCheck) => Object.fromEntries(c.steps.map((s) => [s.name, s.status]));
const basic = { kind: 'basic' as const, username: 'spadmin', password: 'admin' };

describe('connection check', () => {
  let sim: Sim;
  let tlsSim: Sim;
  let pki: TestPki;
  // checks never touch the store
  const svc = new ConnectionService({ store: {} as ConnectionStore, keyring: new Keyring([{ kid: 'k1', key: Buffer.alloc(32, 1) }]), urlPolicy: LOOPBACK_ALLOWED });

  beforeAll(async () => {
    pki = await makePki();
    [sim, tlsSim] = await Promise.all([startSim({ users: 30 }), startSim({ users: 30, tls: { key: pki.serverKey, cert: pki.serverCert } })]);
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), tlsSim?.close()]);
  });

  it('passes every step against a working IdentityIQ and records what it read', async () => {
    const check = await svc.checkDraft({ baseUrl: sim.baseUrl, auth: basic });
    expect(check.ok).toBe(true);
    expect(statuses(check)).toEqual({ reachable: 'pass', tls: 'skip', serviceProviderConfig: 'pass', credentials: 'pass', users: 'pass', roles: 'pass' });
    expect(check.serviceProvider).toMatchObject({ maxResults: 1000, authenticationSchemes: expect.arrayContaining(['httpbasic']) });
    expect(check.users).toEqual({ total: sim.data.users.length });
    expect(check.roles?.total).toBeGreaterThan(0);
  });

  it('works with OAuth2 client credentials', async () => {
    const check = await svc.checkDraft({ baseUrl: sim.baseUrl, auth: { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret' } });
    expect(check.ok).toBe(true);
  });

  it('fails "credentials" for a wrong password and skips what depends on it', async () => {
    const check = await svc.checkDraft({ baseUrl: sim.baseUrl, auth: { ...basic, password: 'wrong' } });
    expect(check.ok).toBe(false);
    expect(statuses(check)).toMatchObject({ reachable: 'pass', credentials: 'fail', roles: 'skip' });
    expect(JSON.stringify(check)).not.toContain('wrong');
  });

  it('fails "reachable" when nothing listens', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const check = await svc.checkDraft({ baseUrl: `http://127.0.0.1:${port}/identityiq/scim/v2`, auth: basic });
    expect(statuses(check)).toMatchObject({ reachable: 'fail', tls: 'skip', serviceProviderConfig: 'skip', credentials: 'skip' });
    expect(check.steps[0]!.message).toMatch(/refused/);
  });

  it('fails "tls" for an untrusted certificate and passes with the CA bundle', async () => {
    const untrusted = await svc.checkDraft({ baseUrl: tlsSim.baseUrl, auth: basic });
    expect(statuses(untrusted)).toMatchObject({ reachable: 'pass', tls: 'fail', serviceProviderConfig: 'skip' });
    expect(untrusted.steps[1]!.message).toMatch(/not trusted/);
    const trusted = await svc.checkDraft({ baseUrl: tlsSim.baseUrl, auth: basic, caBundle: pki.caCert });
    expect(trusted.ok).toBe(true);
    expect(statuses(trusted).tls).toBe('pass');
  });

  it('fails "serviceProviderConfig" for a URL that is not the SCIM base', async () => {
    const check = await svc.checkDraft({ baseUrl: sim.baseUrl.replace('/scim/v2', '/nothing/v2'), auth: basic });
    expect(statuses(check)).toMatchObject({ reachable: 'pass', serviceProviderConfig: 'fail' });
  });

  it('rejects invalid input before probing', async () => {
    await expect(svc.checkDraft({ baseUrl: 'ftp://x', auth: basic })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(svc.checkDraft({ baseUrl: sim.baseUrl, auth: { kind: 'basic', username: 'x' } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
