// IIQ's cost model: a list costs base + per item (more when roles/entitlements are expanded: N+1 loading,
// reference §4.2), and an app server serves a bounded number of requests at once; the rest queue (FIFO).

export interface Latency {
  baseMs: number;
  perItemMs: number;
  perItemRolesMs: number;
}

export const PROFILES: Record<'zero' | 'realistic', { latency: Latency; maxConcurrent: number }> = {
  zero: { latency: { baseMs: 0, perItemMs: 0, perItemRolesMs: 0 }, maxConcurrent: Number.POSITIVE_INFINITY },
  realistic: { latency: { baseMs: 30, perItemMs: 1, perItemRolesMs: 1 }, maxConcurrent: 16 },
};

export function costMs(latency: Latency, items: number, expanded: boolean): number {
  return latency.baseMs + latency.perItemMs * items + (expanded ? latency.perItemRolesMs * items : 0);
}

export class ConcurrencyLimiter {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  async acquire(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
