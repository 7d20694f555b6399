// Readiness (/readyz): each check is a small live probe; the answer is remembered briefly so that
// orchestrators polling every second do not turn into load on IIQ or the store.
/** resolves (optionally with details to report, e.g. whether this replica owns a lease) or rejects */
export type ReadinessCheck = () => Promise<void | Record<string, unknown>>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; optional?: true; [detail: string]: unknown }>;
}

export interface ReadinessOptions {
  /** how long a report is reused; default 5 s */
  cacheMs?: number;
  /** each probe's time limit; default 3 s */
  timeoutMs?: number;
  /** checks reported but not required (the gateway serves without them, e.g. the cache) */
  optional?: readonly string[];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createReadiness(checks: Record<string, ReadinessCheck>, options: ReadinessOptions = {}): () => Promise<ReadinessReport> {
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const optional = new Set(options.optional ?? []);
  let last: { at: number; report: Promise<ReadinessReport> } | null = null;
  const run = async (): Promise<ReadinessReport> => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          const detail = await withTimeout(check(), timeoutMs);
          return [name, { ...(detail ?? {}), ok: true, ...(optional.has(name) ? { optional: true as const } : {}) }] as const;
        } catch (err) {
          // the probe's message only: never a stack, credentials or upstream body
          return [name, { ok: false, error: (err as Error).message?.slice(0, 200) ?? 'failed', ...(optional.has(name) ? { optional: true as const } : {}) }] as const;
        }
      }),
    );
    const report: ReadinessReport['checks'] = Object.fromEntries(entries);
    return { ready: entries.every(([name, r]) => r.ok || optional.has(name)), checks: report };
  };
  return () => {
    const now = Date.now();
    if (!last || now - last.at > cacheMs) last = { at: now, report: run() };
    return last.report;
  };
}
