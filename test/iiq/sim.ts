// Test helpers: a simulator on port 0 and clients pointed at it. The simulator is the upstream; the client
// under test never imports it.
import { createSimulator } from '../../simulator/index.ts';
import { createIiqClient } from '../../src/iiq/client.ts';
import type { IiqClient, IiqClientOptions } from '../../src/iiq/types.ts';

export type Sim = ReturnType<typeof createSimulator>;
export type SimOptions = Parameters<typeof createSimulator>[0];

export async function startSim(opts: SimOptions = {}): Promise<{ sim: Sim; baseUrl: string; url: string; port: number }> {
  const sim = createSimulator({ users: 200, seed: 42, profile: 'zero', ...opts });
  const info = await sim.listen(0);
  return { sim, ...info };
}

export const BASIC = { kind: 'basic', username: 'spadmin', password: 'admin' } as const;
export const OAUTH = { kind: 'oauth2', clientId: 'iiq-graph', clientSecret: 'iiq-graph-secret' } as const;

/** A client with fast retries and no environment proxy, unless overridden. */
export function client(baseUrl: string, extra: Partial<IiqClientOptions> = {}): IiqClient {
  return createIiqClient({ baseUrl, auth: BASIC, proxy: null, ...extra, retry: { baseDelayMs: 10, maxDelayMs: 50, ...extra.retry } });
}

export interface CapturedLog {
  level: 'warn' | 'info' | 'debug';
  obj: object;
  msg: string | undefined;
}

export function captureLogger(): { logger: IiqClientOptions['logger'] & object; logs: CapturedLog[] } {
  const logs: CapturedLog[] = [];
  return {
    logs,
    logger: {
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
      debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
    },
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
