// Serving: /graphql, GraphiQL from our bundle, /healthz.
import { describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../src/app.ts';
import { startGateway } from './harness.ts';

describe('HTTP surface', () => {
  it('/healthz answers ok; GraphiQL is served from the bundle with the example query', async () => {
    const gw = await startGateway({ sim: { users: 10 }, ready: false });
    try {
      const health = await fetch(`${gw.origin}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const page = await fetch(`${gw.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('renderYogaGraphiQL');
      expect(html).not.toMatch(/<script[^>]+src="https?:\/\//); // nothing from a CDN
      expect(html).toContain('members(first: 3)');
      const q = await fetch(`${gw.origin}/graphql?query=${encodeURIComponent('{ users(first: 1) { totalCount } }')}`, { headers: { accept: 'application/json' } });
      expect(((await q.json()) as any).data.users.totalCount).toBe(gw.sim.data.users.length);
      expect((await fetch(`${gw.origin}/nope`)).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  it('the GraphiQL example query (users -> roles -> members) runs without errors', async () => {
    const gw = await startGateway({ sim: { users: 25 }, waitForIndex: true });
    try {
      const res = await gw.gql(EXAMPLE_QUERY);
      expect(res.errors).toBeUndefined();
      expect(res.data!.users.edges.length).toBe(5);
      expect(res.data!.users.edges[0].node.roles.edges[0].node.members.totalCount).toBeGreaterThan(0);
    } finally {
      await gw.close();
    }
  });

  it('GraphiQL is off when config.graphiql is false', async () => {
    const gw = await startGateway({ sim: { users: 10 }, env: { GRAPHIQL: 'false' }, ready: false });
    try {
      const page = await fetch(`${gw.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('renderYogaGraphiQL');
    } finally {
      await gw.close();
    }
  });
});
