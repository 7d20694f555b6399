import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to demo mode (embedded simulator) on 127.0.0.1:4000', () => {
    const c = loadConfig({});
    expect(c.iiq).toBeUndefined();
    expect(c.port).toBe(4000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.pageSize).toEqual({ default: 20, max: 100 });
    expect(c.attributeMap.jobTitle).toBe('jobtitle');
  });

  it('builds Basic and OAuth2 upstream settings', () => {
    const basic = loadConfig({ IIQ_BASE_URL: 'https://iiq.corp/identityiq/scim/v2', IIQ_USERNAME: 'svc', IIQ_PASSWORD: 'pw' });
    expect(basic.iiq?.auth).toEqual({ kind: 'basic', username: 'svc', password: 'pw' });
    const oauth = loadConfig({ IIQ_BASE_URL: 'https://iiq.corp/identityiq/scim/v2', IIQ_CLIENT_ID: 'id', IIQ_CLIENT_SECRET: 's' });
    expect(oauth.iiq?.auth).toEqual({ kind: 'oauth2', clientId: 'id', clientSecret: 's' });
  });

  it('lists every problem at once and never echoes a secret', () => {
    const p = problems({ PORT: 'http', IIQ_BASE_URL: 'ftp://x', IIQ_USERNAME: 'svc', IIQ_PASSWORD: 'hunter2', IIQ_CLIENT_ID: 'id', IIQ_CLIENT_SECRET: 'topsecret' });
    expect(p.some((m) => m.startsWith('PORT'))).toBe(true);
    expect(p.some((m) => m.includes('http or https'))).toBe(true);
    expect(p.join('\n')).not.toMatch(/hunter2|topsecret/);
  });

  it('requires credentials with IIQ_BASE_URL, in pairs', () => {
    expect(problems({ IIQ_BASE_URL: 'https://iiq/identityiq/scim/v2' })[0]).toMatch(/needs credentials/);
    expect(problems({ IIQ_BASE_URL: 'https://iiq/identityiq/scim/v2', IIQ_CLIENT_ID: 'id' })[0]).toMatch(/together/);
  });

  it('validates the attribute map, page sizes and the CA file', () => {
    expect(problems({ IIQ_ATTRIBUTE_MAP: '{nope' })[0]).toMatch(/must be JSON/);
    expect(problems({ IIQ_ATTRIBUTE_MAP: '{"dept":"x"}' })[0]).toMatch(/IIQ_ATTRIBUTE_MAP/);
    expect(loadConfig({ IIQ_ATTRIBUTE_MAP: '{"department":"Department"}' }).attributeMap.department).toBe('Department');
    expect(problems({ PAGE_SIZE_DEFAULT: '200', PAGE_SIZE_MAX: '100' })[0]).toMatch(/PAGE_SIZE_DEFAULT/);
    const dir = mkdtempSync(join(tmpdir(), 'iiq-graph-config-'));
    writeFileSync(join(dir, 'bad.pem'), 'not a cert');
    expect(problems({ IIQ_CA_FILE: join(dir, 'bad.pem') })[0]).toMatch(/PEM/);
    expect(problems({ IIQ_CA_FILE: join(dir, 'missing.pem') })[0]).toMatch(/ENOENT/);
  });
});
