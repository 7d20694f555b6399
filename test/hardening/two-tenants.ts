// Two tenants, each with one linked connection to its own simulator, behind one linked-accounts gateway:
// the fixture of the per-connection breaker and upstream-status suites.
import { afterAll, beforeAll } from 'vitest';
import { startLinkedGateway, startSim, type LinkedGateway, type Sim } from '../connections/harness.ts';

export interface TwoTenants {
  gw: LinkedGateway;
  simA: Sim;
  simB: Sim;
  a: { key: string; id: string };
  b: { key: string; id: string };
  close(): Promise<void>;
}

export async function startTwoTenants(env: Record<string, string>): Promise<TwoTenants> {
  const [simA, simB] = await Promise.all([startSim(), startSim()]);
  const gw = await startLinkedGateway({ env });
  const ta = await gw.tenant('a');
  const tb = await gw.tenant('b');
  const a = { key: ta.key, id: await gw.link(ta.key, simA) };
  const b = { key: tb.key, id: await gw.link(tb.key, simB) };
  return {
    gw, simA, simB, a, b,
    async close() {
      await gw.close();
      await Promise.all([simA.close(), simB.close()]);
    },
  };
}

/**
 * The fixture for one describe block: started before its tests, closed after them. Read its fields inside the
 * tests (they are set by then).
 */
export function useTwoTenants(env: Record<string, string>): Omit<TwoTenants, 'close'> {
  const live = {} as TwoTenants;
  beforeAll(async () => void Object.assign(live, await startTwoTenants(env)));
  afterAll(() => live.close?.());
  return live;
}
