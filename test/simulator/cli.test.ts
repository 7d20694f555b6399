import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ADMIN } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('simulator CLI', () => {
  it('serves demo data on 127.0.0.1 and prints the base URL and credentials', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', '--port', '0', '--users', '30', '--seed', '7', '--admin', '--max-results', '25'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no banner: ${text}`)), 20_000);
        child.stdout.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes('Admin')) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      const base = /SCIM base URL\s+(http:\/\/127\.0\.0\.1:\d+\/identityiq\/scim\/v2)/.exec(out)?.[1];
      expect(base).toBeDefined();
      expect(out).toContain('spadmin / admin');
      expect(out).toContain('norights / norights');
      expect(out).toContain('iiq-graph / iiq-graph-secret');
      const res = await fetch(`${base}/Users?count=0`, { headers: { authorization: ADMIN } });
      expect(await res.json()).toEqual({ totalResults: 30, schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] });
      const spc = await fetch(`${base}/ServiceProviderConfig`);
      expect(((await spc.json()) as { filter: unknown }).filter).toEqual({ supported: true, maxResults: 25 });
      const admin = await fetch(`${base?.replace('/identityiq/scim/v2', '')}/__admin/requests`);
      expect(admin.status).toBe(200);
      await admin.text();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
