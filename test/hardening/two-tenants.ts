// Two tenants, each with one linked connection to its own simulator, behind one linked-accounts gateway:
// the fixture of the per-connection breaker and upstream-status suites.
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
