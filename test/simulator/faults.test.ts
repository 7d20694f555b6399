import { request as httpsRequest } from 'node:https';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../simulator/index.ts';
import { ADMIN, ERROR_URN, LIST_URN, call, startSimulator } from './helpers.ts';

describe('simulator fault injection', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 40 });
  });
  afterEach(() => {
    sim.faults.clear();
    sim.requests.reset();
  });
  afterAll(() => sim.close());

  it('fails the next N matching requests with a status, then recovers', async () => {
    sim.faults.inject({ type: 'status', status: 500, times: 2, pathPrefix: '/Users' });
    expect((await call(sim, '/Roles?count=1')).status).toBe(200);
    const first = await call(sim, '/Users?count=1');
    expect(first.status).toBe(500);
    expect(first.json.schemas).toEqual([ERROR_URN]);
    expect(first.json.status).toBe('500');
    expect((await call(sim, '/Users/spadmin')).status).toBe(500);
    expect((await call(sim, '/Users?count=1')).status).toBe(200);
    expect(sim.requests.count({ path: /^\/Users/ })).toBe(3);
    expect(sim.requests.list().filter((r) => r.status === 500)).toHaveLength(2);
  });

  it.each([502, 503, 504])('answers %i like a load balancer (non-SCIM body)', async (status) => {
    sim.faults.inject({ type: 'status', status });
    const res = await call(sim, '/Users');
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('limits faults by method', async () => {
    sim.faults.inject({ type: 'status', status: 503, method: 'PUT' });
    expect((await call(sim, '/Users/spadmin')).status).toBe(200);
    expect((await call(sim, '/Users/spadmin', { method: 'PUT', body: {} })).status).toBe(503);
    expect((await call(sim, '/Users/spadmin', { method: 'PUT', body: {} })).status).toBe(200);
  });

  it('rate limits with Retry-After sent verbatim', async () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    sim.faults.inject({ type: 'rateLimit', retryAfter: '2', times: 1 });
    sim.faults.inject({ type: 'rateLimit', retryAfter: date, times: 1 });
    const a = await call(sim, '/Users');
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('2');
    const b = await call(sim, '/Users');
    expect(b.status).toBe(429);
    expect(b.headers.get('retry-after')).toBe(date);
    expect((await call(sim, '/Users?count=1')).status).toBe(200);
  });

  it('delays past a client timeout, then answers normally', async () => {
    sim.faults.inject({ type: 'delay', delayMs: 400 });
    const started = Date.now();
    await expect(fetch(`${sim.baseUrl}/Users?count=1`, { headers: { authorization: ADMIN }, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(350);
    sim.faults.inject({ type: 'delay', delayMs: 150 });
    const t = Date.now();
    const slow = await call(sim, '/Users?count=1');
    expect(slow.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });

  it('resets the connection without a response', async () => {
    sim.faults.inject({ type: 'reset' });
    await expect(fetch(`${sim.baseUrl}/Users`, { headers: { authorization: ADMIN } })).rejects.toThrow();
    expect(sim.requests.list()[0]?.status).toBe(0);
    expect((await call(sim, '/Users?count=1')).status).toBe(200);
  });

  it('truncates the body below its content-length', async () => {
    sim.faults.inject({ type: 'truncate' });
    const res = await fetch(`${sim.baseUrl}/Users?count=5`, { headers: { authorization: ADMIN } });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(100);
    await expect(res.text()).rejects.toThrow();
  });

  it('sends 200 with invalid JSON', async () => {
    sim.faults.inject({ type: 'invalidJson' });
    const res = await call(sim, '/Users?count=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('sends 200 with valid JSON that violates the SCIM schema', async () => {
    sim.faults.inject({ type: 'badSchema', times: 2 });
    const list = await call(sim, '/Users?count=5');
    expect(list.status).toBe(200);
    expect(list.json.schemas).toEqual([LIST_URN]);
    expect(typeof list.json.totalResults).toBe('string');
    expect(Array.isArray(list.json.Resources)).toBe(false);
    const one = await call(sim, '/Users/spadmin');
    expect(one.status).toBe(200);
    expect(one.json.userName).toBeUndefined();
  });

  it('fails a fraction of requests until cleared', async () => {
    sim.faults.inject({ type: 'status', status: 500, rate: 1 });
    for (let i = 0; i < 3; i++) expect((await call(sim, '/Users?count=1')).status).toBe(500);
    sim.faults.clear();
    expect((await call(sim, '/Users?count=1')).status).toBe(200);
    sim.faults.inject({ type: 'status', status: 500, rate: 0 });
    expect((await call(sim, '/Users?count=1')).status).toBe(200);
  });

  it('validates fault specs', () => {
    expect(() => sim.faults.inject({ type: 'nope' as 'status' })).toThrow();
    expect(() => sim.faults.inject({ type: 'status' })).toThrow();
    expect(() => sim.faults.inject({ type: 'status', status: 500, rate: 2 })).toThrow();
  });

  it('can fail the OAuth token endpoint', async () => {
    sim.faults.inject({ type: 'status', status: 503, pathPrefix: '/oauth2' });
    const res = await fetch(`${sim.url}/identityiq/oauth2/token`, { method: 'POST', body: 'grant_type=client_credentials' });
    expect(res.status).toBe(503);
    await res.text();
    expect(sim.requests.count({ method: 'POST', path: '/oauth2/token' })).toBe(1);
  });
});

describe('simulator request log', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ users: 40 });
  });
  afterAll(() => sim.close());

  it('records method, SCIM-relative path, query and status', async () => {
    sim.requests.reset();
    await call(sim, '/Users?count=2&sortBy=userName');
    await call(sim, '/Users/spadmin');
    await call(sim, `/Users/${encodeURIComponent('Mary Ann Smith')}/`);
    await call(sim, '/Roles?count=1');
    await call(sim, '/Nope');
    await call(sim, '/ServiceProviderConfig', { auth: null });
    const records = sim.requests.list();
    expect(records.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/Users', 200],
      ['GET', '/Users/spadmin', 200],
      ['GET', '/Users/Mary Ann Smith', 200],
      ['GET', '/Roles', 200],
      ['GET', '/Nope', 404],
      ['GET', '/ServiceProviderConfig', 200],
    ]);
    expect(records[0]?.query).toEqual({ count: '2', sortBy: 'userName' });
    expect(typeof records[0]?.at).toBe('number');
    expect(sim.requests.count()).toBe(6);
    expect(sim.requests.count({ path: '/Users' })).toBe(1);
    expect(sim.requests.count({ path: /^\/Users\// })).toBe(2);
    expect(sim.requests.count({ method: 'get', path: /^\/Users/ })).toBe(3);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
    sim.requests.reset();
    expect(sim.requests.count()).toBe(0);
  });
});

describe('simulator admin endpoint', () => {
  it('is off by default', async () => {
    const sim = await startSimulator({ users: 20 });
    try {
      for (const [method, path] of [['GET', '/__admin/requests'], ['POST', '/__admin/faults'], ['DELETE', '/__admin/faults']] as const) {
        const res = await fetch(`${sim.url}${path}`, { method, body: method === 'POST' ? '{"type":"reset"}' : undefined });
        expect(res.status).toBe(404);
        await res.text();
      }
      expect((await call(sim, '/Users?count=1')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('injects faults and reports counters when enabled', async () => {
    const sim = await startSimulator({ users: 20, admin: true });
    try {
      const admin = (method: string, path: string, body?: unknown) =>
        fetch(`${sim.url}/__admin${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const bad = await admin('POST', '/faults', { type: 'explode' });
      expect(bad.status).toBe(400);
      await bad.text();
      const ok = await admin('POST', '/faults', { type: 'status', status: 502, times: 1, pathPrefix: '/Users' });
      expect(ok.status).toBe(201);
      await ok.text();
      expect((await call(sim, '/Users?count=1')).status).toBe(502);
      expect((await call(sim, '/Users?count=1')).status).toBe(200);
      await call(sim, '/Roles?count=1');
      const log = await admin('GET', '/requests');
      const json = (await log.json()) as { total: number; records: unknown[]; counters: Record<string, Record<string, number>> };
      expect(json.total).toBe(3);
      expect(json.records).toHaveLength(3);
      expect(json.counters['byMethodPath']).toEqual({ 'GET /Users': 2, 'GET /Roles': 1 });
      expect(json.counters['byQuery']).toEqual({ 'GET /Users?count=1': 2, 'GET /Roles?count=1': 1 });
      expect(json.counters['byStatus']).toEqual({ '502': 1, '200': 2 });
      await admin('POST', '/faults', { type: 'status', status: 500, rate: 1 });
      expect((await call(sim, '/Users?count=1')).status).toBe(500);
      expect((await admin('DELETE', '/faults')).status).toBe(204);
      expect((await call(sim, '/Users?count=1')).status).toBe(200);
      expect((await admin('DELETE', '/requests')).status).toBe(204);
      expect(sim.requests.count()).toBe(0);
      // the admin endpoint itself is never logged nor faulted
      sim.faults.inject({ type: 'reset', rate: 1 });
      const still = await admin('GET', '/requests');
      expect(still.status).toBe(200);
      await still.text();
    } finally {
      await sim.close();
    }
  });
});

describe('simulator cost model', () => {
  it('charges base + per item (+ per item with roles) with timers', async () => {
    const sim = await startSimulator({ users: 100, latency: { baseMs: 40, perItemMs: 3, perItemRolesMs: 5 } });
    try {
      const time = async (path: string) => {
        const t = performance.now();
        expect((await call(sim, path)).status).toBe(200);
        return performance.now() - t;
      };
      const small = await time('/Users?count=1&sortBy=userName');
      const page = await time('/Users?count=30&sortBy=userName');
      const roles = await time('/Users?count=30&sortBy=userName&attributes=urn:ietf:params:scim:schemas:sailpoint:1.0:User:roles');
      expect(small).toBeGreaterThanOrEqual(42);
      expect(page).toBeGreaterThanOrEqual(40 + 3 * 30 - 2);
      expect(roles).toBeGreaterThanOrEqual(40 + 8 * 30 - 2);
      expect(roles - page).toBeGreaterThan(100);
    } finally {
      await sim.close();
    }
  });

  it('serves at most maxConcurrent requests at once and queues the rest in FIFO order', async () => {
    const sim = await startSimulator({ users: 30, latency: { baseMs: 100, perItemMs: 0 }, maxConcurrent: 2 });
    try {
      const started = performance.now();
      const done: number[] = [];
      await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => {
        await new Promise((r) => setTimeout(r, i * 5));
        await call(sim, `/Users?count=1&i=${i}`);
        done.push(i);
      }));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(295);
      expect(elapsed).toBeLessThan(900);
      expect(done).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await sim.close();
    }
  });

  it("uses the 'realistic' profile's latency", async () => {
    const sim = await startSimulator({ users: 30, profile: 'realistic' });
    try {
      const t = performance.now();
      await call(sim, '/Users?count=10');
      expect(performance.now() - t).toBeGreaterThanOrEqual(38);
    } finally {
      await sim.close();
    }
  });

  it('has no latency with the default zero profile', async () => {
    const sim = await startSimulator({ users: 30 });
    try {
      await call(sim, '/Users?count=1');
      const t = performance.now();
      for (let i = 0; i < 10; i++) await call(sim, '/Users?count=10');
      expect(performance.now() - t).toBeLessThan(300);
    } finally {
      await sim.close();
    }
  });
});

describe('simulator lifecycle', () => {
  it('closes promptly even with open keep-alive connections and pending delays', async () => {
    const sim = await startSimulator({ users: 20 });
    await call(sim, '/Users?count=1');
    sim.faults.inject({ type: 'delay', delayMs: 10_000 });
    const pending = fetch(`${sim.baseUrl}/Users`, { headers: { authorization: ADMIN } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    await sim.close();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${sim.baseUrl}/Users`)).rejects.toThrow();
    // and it can listen again, with its data intact
    await sim.listen(0);
    try {
      expect((await call(sim, '/Users?count=0')).json.totalResults).toBe(20);
    } finally {
      await sim.close();
    }
  });

  it('serves HTTPS when given a key and certificate', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048, algorithm: 'sha256' });
    const sim = createSimulator({ users: 20, tls: { key: pems.private, cert: pems.cert } });
    const { url, baseUrl } = await sim.listen(0);
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${baseUrl}/ServiceProviderConfig`, { ca: pems.cert, rejectUnauthorized: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body).meta.location).toBe(`${baseUrl}/ServiceProviderConfig`);
    } finally {
      await sim.close();
    }
  });
});
