import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiqError } from '../../src/iiq/errors.ts';
import { makePki, type TestPki } from './certs.ts';
import { captureLogger, client, startSim, type Sim } from './sim.ts';

async function failure(p: Promise<unknown>): Promise<IiqError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(IiqError);
    return err as IiqError;
  }
  throw new Error('expected the call to fail');
}

describe('TLS', () => {
  let pki: TestPki;
  let otherCa: string;
  let sim: Sim;
  let baseUrl: string;

  beforeAll(async () => {
    pki = await makePki();
    otherCa = (await makePki('unrelated CA')).caCert;
    ({ sim, baseUrl } = await startSim({ users: 10, tls: { key: pki.serverKey, cert: pki.serverCert } }));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('serves over HTTPS and the client trusts the CA bundle it is given', async () => {
    expect(baseUrl.startsWith('https://')).toBe(true);
    const c = client(baseUrl, { tls: { ca: pki.caCert } });
    try {
      expect((await c.listUsers({ count: 2 })).items).toHaveLength(2);
    } finally {
      await c.close();
    }
  });

  it('an unknown CA is rejected as a transport error carrying the TLS code, not retried', async () => {
    for (const tls of [{ ca: otherCa }, undefined]) {
      const c = client(baseUrl, tls ? { tls } : {});
      try {
        sim.requests.reset();
        const err = await failure(c.listUsers({ count: 1 }));
        expect(err.kind).toBe('transport');
        expect(err.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
        expect(sim.requests.list()).toHaveLength(0);
      } finally {
        await c.close();
      }
    }
  });

  it('rejectUnauthorized: false is an explicit, loudly logged opt-out', async () => {
    const { logger, logs } = captureLogger();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const c = client(baseUrl, { tls: { rejectUnauthorized: false }, logger });
    try {
      expect((await c.listUsers({ count: 1 })).items).toHaveLength(1);
      expect(logs.some((l) => l.level === 'warn' && /verification is DISABLED/.test(l.msg ?? ''))).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(warnings.some((w) => /verification is DISABLED/.test(w))).toBe(true);
    } finally {
      process.off('warning', onWarning);
      await c.close();
    }
  });
});

describe('HTTP proxy', () => {
  let sim: Sim;
  let baseUrl: string;
  let proxyUrl: string;
  const seen: string[] = [];
  const proxyServer = createProxy(createServer());

  beforeAll(async () => {
    ({ sim, baseUrl } = await startSim({ users: 10 }));
    proxyServer.on('connect', (req: IncomingMessage) => seen.push(`CONNECT ${req.url}`));
    proxyServer.on('request', (req: IncomingMessage) => seen.push(`${req.method} ${req.url}`));
    await new Promise<void>((r) => proxyServer.listen(0, '127.0.0.1', () => r()));
    proxyUrl = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => proxyServer.close(() => r()));
    await sim.close();
  });

  it('routes through an explicit proxy', async () => {
    seen.length = 0;
    const c = client(baseUrl, { proxy: proxyUrl });
    try {
      expect((await c.listUsers({ count: 2 })).items).toHaveLength(2);
      const target = new URL(baseUrl).host;
      expect(seen.some((s) => s.includes(target))).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('honours HTTP_PROXY from the environment and NO_PROXY exemptions', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    try {
      delete process.env.http_proxy;
      delete process.env.no_proxy;
      delete process.env.NO_PROXY;
      process.env.HTTP_PROXY = proxyUrl;
      seen.length = 0;
      const viaEnv = client(baseUrl, { proxy: undefined });
      await viaEnv.listUsers({ count: 1 });
      await viaEnv.close();
      expect(seen.length).toBeGreaterThan(0);

      process.env.NO_PROXY = 'localhost,127.0.0.1';
      seen.length = 0;
      const exempt = client(baseUrl, { proxy: undefined });
      await exempt.listUsers({ count: 1 });
      await exempt.close();
      expect(seen).toHaveLength(0);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('HTTPS through the proxy (CONNECT tunnel) with the custom CA', async () => {
    const pki = await makePki();
    const { sim: tlsSim, baseUrl: tlsBase } = await startSim({ users: 5, tls: { key: pki.serverKey, cert: pki.serverCert } });
    seen.length = 0;
    const c = client(tlsBase, { proxy: proxyUrl, tls: { ca: pki.caCert } });
    try {
      expect((await c.listUsers({ count: 1 })).items).toHaveLength(1);
      expect(seen.some((s) => s.startsWith('CONNECT') && s.includes(new URL(tlsBase).host))).toBe(true);
    } finally {
      await c.close();
      await tlsSim.close();
    }
  });
});
