// Outbound URL policy (IIQ_GRAPH_ALLOWED_HOSTS): linked accounts refuse loopback and link-local / metadata
// targets unless allowed — on create, update, the connect page's check and save, GraphQL — with BAD_USER_INPUT and
// no request sent; the allow-list admits exactly what it names; the socket-level lookup refuses a host name that
// resolves to a refused address at connect time (the DNS-rebind case); the connect page's framing policy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameAncestorsOf, loadConfig } from '../../src/config.ts';
import { OutboundPolicy } from '../../src/connections/url-policy.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import { startLinkedGateway, startSim, upstreamCount, type LinkedGateway, type Sim } from './harness.ts';

const BASIC = { kind: 'basic', username: 'spadmin', password: 'admin' } as const;

describe('OutboundPolicy grammar and checks', () => {
  it('parses names, *.suffix, *, addresses and CIDRs; refuses anything else with the entry named', () => {
    const p = OutboundPolicy.parse(' iiq.example.com, *.corp.example ,10.0.0.0/8, [::1], 192.168.1.5 ');
    expect(p.restricted).toBe(true);
    expect(p.problem('https://IIQ.example.com./identityiq/scim/v2', 'connection')).toBeNull();
    expect(p.problem('https://a.b.corp.example/x', 'connection')).toBeNull();
    expect(p.problem('https://corp.example/x', 'connection')).toMatch(/not in IIQ_GRAPH_ALLOWED_HOSTS/);
    expect(p.problem('https://evil.example.com/x', 'connection')).toMatch(/host evil\.example\.com is not in IIQ_GRAPH_ALLOWED_HOSTS/);
    expect(p.problem('http://10.20.30.40:8080/x', 'connection')).toBeNull();
    expect(p.problem('http://11.0.0.1/x', 'connection')).toMatch(/not in IIQ_GRAPH_ALLOWED_HOSTS/);
    expect(p.problem('http://[::1]:9/x', 'connection')).toBeNull(); // loopback, but allowed explicitly
    expect(p.problem('http://192.168.1.5/x', 'connection')).toBeNull();
    expect(p.problem('ftp://iiq.example.com/x', 'connection')).toMatch(/http or https/);
    for (const bad of ['exa mple.com', '10.0.0.0/33', '*.', 'http://x.example', '1.2.3.4/-1', 'a;b']) {
      expect(() => OutboundPolicy.parse(bad), bad).toThrow(/IIQ_GRAPH_ALLOWED_HOSTS: ".*" is not/);
    }
    expect(() => loadConfig({ IIQ_GRAPH_ALLOWED_HOSTS: 'ok.example,10.0.0.0/99' })).toThrow(/10\.0\.0\.0\/99/);
    expect(loadConfig({ IIQ_GRAPH_ALLOWED_HOSTS: ' *.example.com ' }).allowedHosts).toBe('*.example.com');
  });

  it('unset: any name, but no loopback, link-local, metadata or unspecified address (all spellings)', () => {
    const p = OutboundPolicy.parse(undefined);
    expect(p.restricted).toBe(false);
    expect(p.problem('https://iiq.example.com/x', 'connection')).toBeNull();
    expect(p.problem('http://10.1.2.3/x', 'connection')).toBeNull(); // private ranges: an on-premises IIQ
    for (const url of [
      'http://127.0.0.1:8080/x', 'http://127.1/x', 'http://2130706433/x', 'http://0x7f.0.0.1/x', 'http://[::1]/x', 'http://[::ffff:127.0.0.1]/x',
      'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://[fe80::1]/', 'http://0.0.0.0/', 'http://[::]/',
      'http://100.100.100.200/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://localhost:1/x', 'http://api.localhost/x', 'http://LOCALHOST./x',
    ]) {
      expect(p.problem(url, 'connection'), url).toMatch(/internal address|loopback name/);
    }
  });

  it('webhook URLs: https, or http for a host the list names explicitly (not through *)', () => {
    expect(OutboundPolicy.parse(undefined).problem('http://hooks.example.com/x', 'webhook')).toMatch(/must use https/);
    expect(OutboundPolicy.parse(undefined).problem('https://hooks.example.com/x', 'webhook')).toBeNull();
    expect(OutboundPolicy.parse('*').problem('http://hooks.example.com/x', 'webhook')).toMatch(/must use https/);
    expect(OutboundPolicy.parse('hooks.example.com').problem('http://hooks.example.com/x', 'webhook')).toBeNull();
    expect(OutboundPolicy.parse('127.0.0.1').problem('http://127.0.0.1:9/x', 'webhook')).toBeNull();
    expect(OutboundPolicy.parse('hooks.example.com').problem('https://127.0.0.1:9/x', 'webhook')).toMatch(/not in IIQ_GRAPH_ALLOWED_HOSTS/);
  });

  it('IIQ_GRAPH_FRAME_ANCESTORS: source expressions only (it goes into a header)', () => {
    expect(frameAncestorsOf("'self'")).toBe("'self'");
    expect(frameAncestorsOf("'self', https://app.vendor.example https://*.vendor.example:8443")).toBe("'self' https://app.vendor.example https://*.vendor.example:8443");
    for (const bad of ["'self'; script-src *", 'https://a.example/path', "'unsafe-inline'", "'none' 'self'", 'javascript:', '']) {
      expect(frameAncestorsOf(bad), bad).toHaveProperty('problem');
    }
    expect(loadConfig({}).frameAncestors).toBe("'self'");
    expect(() => loadConfig({ IIQ_GRAPH_FRAME_ANCESTORS: "* ; report-uri x" })).toThrow(/IIQ_GRAPH_FRAME_ANCESTORS/);
  });
});

describe('connect-time check after DNS (rebind): the client socket refuses what the lookup answers', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ users: 5 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('a name resolving to loopback is refused inside connect; the same client with the address allowed reaches it', async () => {
    const port = new URL(sim.baseUrl).port;
    const before = upstreamCount(sim);
    // `localhost` stands for any name whose DNS answer turned internal after the URL was checked
    const refused = createIiqClient({ baseUrl: `http://localhost:${port}/identityiq/scim/v2`, auth: BASIC, lookup: OutboundPolicy.parse(undefined).lookup, retry: { maxAttempts: 1 } });
    await expect(refused.serviceProviderConfig()).rejects.toThrow();
    await refused.close();
    expect(upstreamCount(sim)).toBe(before); // nothing reached the simulator

    const lookupErr = await new Promise<NodeJS.ErrnoException | null>((resolve) => OutboundPolicy.parse(undefined).lookup('localhost', { all: true }, (err) => resolve(err)));
    expect(lookupErr?.code).toBe('EADDRNOTALLOWED');
    expect(lookupErr?.message).toMatch(/internal address/);

    const allowed = createIiqClient({ baseUrl: `http://localhost:${port}/identityiq/scim/v2`, auth: BASIC, lookup: OutboundPolicy.parse('localhost,127.0.0.1,::1').lookup, retry: { maxAttempts: 1 } });
    expect((await allowed.serviceProviderConfig()).maxResults).toBeGreaterThan(0);
    await allowed.close();
  });
});

describe('linked accounts without IIQ_GRAPH_ALLOWED_HOSTS', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let tenant: { tenantId: string; key: string };
  let trap: Server;
  let trapHits = 0;
  let trapUrl = '';

  beforeAll(async () => {
    [sim, gw] = await Promise.all([startSim({ users: 5 }), startLinkedGateway({ env: { IIQ_GRAPH_ALLOWED_HOSTS: '' } })]);
    tenant = await gw.tenant('Acme');
    // a loopback listener that must never be called
    trap = createServer((_req, res) => {
      trapHits++;
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/identityiq/scim/v2`;
  });
  afterAll(async () => {
    await new Promise((r) => trap?.close(r));
    await gw?.close();
    await sim?.close();
  });

  const refusedTargets = () => [
    { baseUrl: sim.baseUrl, auth: BASIC },
    { baseUrl: trapUrl, auth: BASIC },
    { baseUrl: trapUrl.replace('127.0.0.1', 'localhost'), auth: BASIC },
    { baseUrl: 'http://169.254.169.254/latest/meta-data/', auth: BASIC },
    { baseUrl: 'http://[fd00:ec2::254]/', auth: BASIC },
    { baseUrl: 'https://iiq.example.com/identityiq/scim/v2', auth: { kind: 'oauth2', clientId: 'a', clientSecret: 'b', tokenUrl: 'http://169.254.169.254/token' } },
    { baseUrl: 'https://iiq.example.com/identityiq/scim/v2', auth: BASIC, proxyUrl: trapUrl },
  ];

  it('REST create and the connect page check refuse loopback / metadata targets with BAD_USER_INPUT; no request leaves', async () => {
    const before = upstreamCount(sim);
    for (const target of refusedTargets()) {
      const res = await gw.http('/api/connections', { key: tenant.key, body: { label: 'x', ...target } });
      expect(res.status, JSON.stringify(target)).toBe(400);
      expect(res.body.details.code).toBe('BAD_USER_INPUT');
      expect(res.body.message).toMatch(/internal address|loopback name/);
      expect(JSON.stringify(res.body)).not.toContain('admin"'); // no credential echoed
    }
    const token = (await gw.http('/api/link-tokens', { key: tenant.key, body: {} })).body.token as string;
    for (const target of refusedTargets()) {
      const check = await gw.http('/connect/api/check', { body: { token, connection: { label: 'x', ...target } } });
      expect(check.status).toBe(400);
      expect(check.body.details.code).toBe('BAD_USER_INPUT');
      const save = await gw.http('/connect/api/save', { body: { token, connection: { label: 'x', ...target } } });
      expect(save.status).toBe(400);
    }
    // the refused saves did not burn the link
    expect((await gw.http('/connect/api/session', { body: { token } })).status).toBe(200);
    expect(upstreamCount(sim)).toBe(before);
    expect(trapHits).toBe(0);
    expect((await gw.http('/api/connections', { key: tenant.key })).body.result ?? []).toHaveLength(0);
  });

  it('GraphQL createConnection: extensions.code BAD_USER_INPUT', async () => {
    const res = await gw.gql(tenant.key, 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }', {
      i: { label: 'meta', baseUrl: 'http://169.254.169.254/latest/', auth: { kind: 'BASIC', username: 'a', password: 'b' } },
    });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/169\.254\.169\.254 is an internal address/);
    expect(trapHits).toBe(0);
  });
});

describe('linked accounts with IIQ_GRAPH_ALLOWED_HOSTS', () => {
  let gw: LinkedGateway;
  let sim: Sim;
  let tenant: { tenantId: string; key: string };

  beforeAll(async () => {
    [sim, gw] = await Promise.all([startSim({ users: 5 }), startLinkedGateway({ env: { IIQ_GRAPH_ALLOWED_HOSTS: '127.0.0.1,*.iiq.example' } })]);
    tenant = await gw.tenant('Acme');
  });
  afterAll(async () => {
    await gw?.close();
    await sim?.close();
  });

  it('admits the listed address (create, query, update); refuses other hosts on update and the link-token re-link', async () => {
    const id = await gw.link(tenant.key, sim);
    const q = await gw.gql(tenant.key, '{ users(first: 1) { totalCount } }', undefined, id);
    expect(q.body.data.users.totalCount).toBeGreaterThan(0);
    const before = upstreamCount(sim);
    const upd = await gw.http(`/api/connections/${id}`, { key: tenant.key, method: 'PATCH', body: { baseUrl: 'https://elsewhere.example.com/scim/v2', auth: BASIC } });
    expect(upd.status).toBe(400);
    expect(upd.body.message).toMatch(/elsewhere\.example\.com is not in IIQ_GRAPH_ALLOWED_HOSTS/);
    const token = (await gw.http('/api/link-tokens', { key: tenant.key, body: { connectionId: id } })).body.token as string;
    const relink = await gw.http('/connect/api/save', { body: { token, connection: { baseUrl: 'http://[::1]:1/scim', auth: BASIC } } });
    expect(relink.status).toBe(400);
    expect(relink.body.details.code).toBe('BAD_USER_INPUT');
    expect(upstreamCount(sim)).toBe(before);
    // the stored connection is unchanged and still answers
    expect((await gw.http(`/api/connections/${id}`, { key: tenant.key })).body.baseUrl).toBe(sim.baseUrl);
  });
});

describe('connect page framing (IIQ_GRAPH_FRAME_ANCESTORS)', () => {
  it("default 'self' (+ X-Frame-Options SAMEORIGIN); a configured list replaces it", async () => {
    const dflt = await startLinkedGateway();
    const listed = await startLinkedGateway({ env: { IIQ_GRAPH_FRAME_ANCESTORS: 'https://app.vendor.example,https://*.vendor.example' } });
    try {
      const a = await dflt.http('/connect');
      expect(a.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'$/);
      expect(a.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      const b = await listed.http('/connect/app.js');
      expect(b.headers.get('content-security-policy')).toMatch(/frame-ancestors https:\/\/app\.vendor\.example https:\/\/\*\.vendor\.example$/);
      expect(b.headers.get('x-frame-options')).toBeNull();
    } finally {
      await dflt.close();
      await listed.close();
    }
  });
});
