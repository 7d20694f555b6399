// Fault matrix, the sync run: every simulator fault (transient and persistent) during a mirror sync. A run either
// completes (the mirror then equals IIQ) or fails with a typed IiqError; it never corrupts the mirror (what a
// completed sync stored stays, nothing is deleted on a failed run), never leaves a socket busy, and the next
// fault-free run brings the mirror back to IIQ exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../simulator/index.ts';
import type { FaultSpec } from '../../simulator/types.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import { IiqError } from '../../src/iiq/errors.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import { openMirrorStore } from '../../src/mirror/open.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { MirrorSync } from '../../src/mirror/sync.ts';
import { liveView, mirrorView } from '../mirror/harness.ts';
import { BASIC } from './harness.ts';
import { suiteCounter } from './summary.ts';

const count = suiteCounter('fault matrix (sync run)');
const CONN = 'con_faults';
const OPTS = { concurrency: 3, pageSize: 25, batchSize: 25, skewMs: 2_000 };
const FAULTS: Omit<FaultSpec, 'times'>[] = [
  { type: 'status', status: 500 }, { type: 'status', status: 502 }, { type: 'status', status: 503 }, { type: 'rateLimit', retryAfter: '1' },
  { type: 'delay', delayMs: 600 }, { type: 'reset' }, { type: 'truncate' }, { type: 'invalidJson' }, { type: 'badSchema' },
];

describe('sync run under every fault', () => {
  const sim = createSimulator({ users: 80, seed: 7, profile: 'zero' });
  let pool: Pool;
  let iiq: IiqClient;
  let store: MirrorStore;
  let dir: string;
  let live: Awaited<ReturnType<typeof liveView>>;

  beforeAll(async () => {
    const { url, baseUrl } = await sim.listen(0, '127.0.0.1');
    pool = new Pool(new URL(url).origin, { connections: 8 });
    iiq = createIiqClient({ baseUrl, auth: { kind: 'basic', ...BASIC }, dispatcher: pool, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10, maxRetryAfterMs: 200, budgetMs: 3_000 }, timeouts: { headersMs: 300, bodyMs: 300 } });
    dir = mkdtempSync(join(tmpdir(), 'iiq-graph-hardening-mirror-'));
    store = await openMirrorStore({ dataDir: dir });
    const sync = new MirrorSync(iiq, store, CONN, OPTS);
    await sync.run('roles');
    await sync.run('full');
    live = await liveView(iiq);
    expect(await mirrorView(store, CONN)).toEqual(live);
  });
  afterAll(async () => {
    await store.close();
    await iiq.close();
    await pool.close().catch(() => undefined);
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const fault of FAULTS) {
    for (const times of [1, 10]) {
      it(`${fault.type}${fault.status ? ` ${fault.status}` : ''} ×${times}`, async () => {
        for (const kind of ['full', 'incremental'] as const) {
          sim.faults.inject({ ...fault, times, method: 'GET', pathPrefix: '/Users' });
          const started = Date.now();
          let outcome: string;
          try {
            await new MirrorSync(iiq, store, CONN, OPTS).run(kind);
            outcome = 'completed';
            expect(await mirrorView(store, CONN)).toEqual(live);
          } catch (err) {
            outcome = 'typed error';
            expect(err, String(err)).toBeInstanceOf(IiqError);
            // nothing lost: every user and role a completed sync stored is still there, unchanged
            expect(await mirrorView(store, CONN)).toEqual(live);
          }
          sim.faults.clear();
          expect(Date.now() - started).toBeLessThan(15_000);
          await expect.poll(() => pool.stats.running === 0 && pool.stats.pending === 0, { timeout: 2_000 }).toBe(true);
          count.add(`${kind} runs (${outcome})`);
        }
        await new MirrorSync(iiq, store, CONN, OPTS).run('full');
        expect(await mirrorView(store, CONN)).toEqual(live);
      });
    }
  }
});
