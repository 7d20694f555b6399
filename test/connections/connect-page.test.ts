// The connect page in real headless Chromium at phone width: a customer's administrator fills the form
// against a simulator, sees the check pass, saves; the vendor then queries GraphQL with the new connection.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from './harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('connect page (headless Chromium, 375 px)', () => {
  let browser: Browser;
  let gw: LinkedGateway;
  let sim: Sim;
  let tenant: { tenantId: string; key: string };

  beforeAll(async () => {
    [sim, gw, browser] = await Promise.all([
      startSim({ users: 40, seed: 7 }),
      startLinkedGateway(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    tenant = await gw.tenant('Vendor');
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await sim?.close();
  });

  async function openWithNewToken() {
    const issued = await gw.gql(tenant.key, 'mutation { createLinkToken(ttlSeconds: 600) { url } }');
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${gw.origin}${issued.body.data.createLinkToken.url}`);
    await page.locator('#connect-form').waitFor({ state: 'visible' });
    return { page, context, requested, url: `${gw.origin}${issued.body.data.createLinkToken.url}` };
  }

  it('links an IdentityIQ end to end: fill, check passes, save, then GraphQL uses the new connection', async () => {
    const { page, context, requested, url } = await openWithNewToken();
    try {
      // accessible: every control has a label, the heading takes focus, nothing scrolls sideways at 375 px
      const unlabeled = await page.$$eval('input, textarea', (els) => els.filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id));
      expect(unlabeled).toEqual([]);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('title');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

      // submitting empty announces the problems and moves focus to them
      await page.click('#save-button');
      const summary = page.locator('#error-summary');
      await summary.waitFor({ state: 'visible' });
      expect(await summary.getAttribute('role')).toBe('alert');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      expect(await page.getAttribute('#baseUrl', 'aria-invalid')).toBe('true');
      expect(await page.textContent('#baseUrl-error')).toBe('Enter the IdentityIQ SCIM URL');

      // OAuth2 fields appear only when chosen
      await page.check('#kind-oauth2');
      expect(await page.isVisible('#clientId')).toBe(true);
      expect(await page.isVisible('#username')).toBe(false);
      await page.check('#kind-basic');

      await page.fill('#label', 'Globex IdentityIQ');
      await page.fill('#baseUrl', sim.baseUrl);
      await page.fill('#username', 'spadmin');
      await page.fill('#password', 'admin');
      await page.click('#test-button');
      await page.locator('#check-summary[data-ok]').waitFor();
      expect(await page.getAttribute('#check-summary', 'data-ok')).toBe('true');
      expect(await page.textContent('#check-summary')).toBe('Connection check passed.');
      const steps = await page.$$eval('#check-steps li', (lis) => lis.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-status')]));
      expect(steps).toEqual([['reachable', 'pass'], ['tls', 'skip'], ['serviceProviderConfig', 'pass'], ['credentials', 'pass'], ['users', 'pass'], ['roles', 'pass']]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

      await page.click('#save-button');
      await page.locator('#done').waitFor({ state: 'visible' });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('done-title');
      const connectionId = await page.getAttribute('#done', 'data-connection-id');
      expect(connectionId).toMatch(/^con_/);

      // nothing came from anywhere but the gateway (no CDN)
      expect(requested.filter((u) => !u.startsWith(gw.origin))).toEqual([]);

      // the vendor now queries through the new connection
      const res = await gw.gql(tenant.key, '{ users(first: 3) { totalCount edges { node { userName } } } }', undefined, connectionId!);
      expect(res.body.data.users.totalCount).toBe(sim.data.users.length);
      const conn = (await gw.http(`/api/connections/${connectionId}`, { key: tenant.key })).body;
      expect(conn).toMatchObject({ label: 'Globex IdentityIQ', status: 'active', auth: { kind: 'basic', username: 'spadmin', password: '********' } });

      // the link is single-use: opening it again shows an error instead of the form
      await page.goto(url);
      await page.locator('#token-error').waitFor({ state: 'visible' });
      expect(await page.textContent('#token-error')).toMatch(/invalid, expired or already used/);
      expect(await page.isVisible('#connect-form')).toBe(false);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows a failed check step by step for wrong credentials', async () => {
    const { page, context } = await openWithNewToken();
    try {
      await page.fill('#label', 'wrong');
      await page.fill('#baseUrl', sim.baseUrl);
      await page.fill('#username', 'spadmin');
      await page.fill('#password', 'not-the-password');
      await page.click('#test-button');
      await page.locator('#check-summary[data-ok]').waitFor();
      expect(await page.getAttribute('#check-summary', 'data-ok')).toBe('false');
      expect(await page.getAttribute('#check-steps li[data-step="credentials"]', 'data-status')).toBe('fail');
      expect(await page.getAttribute('#check-summary', 'aria-live')).toBe('polite');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('refuses a page without a valid token', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    try {
      await page.goto(`${gw.origin}/connect?token=lt1.bogus.token`);
      await page.locator('#token-error').waitFor({ state: 'visible' });
      expect(await page.isVisible('#connect-form')).toBe(false);
    } finally {
      await context.close();
    }
  }, 60_000);
});
