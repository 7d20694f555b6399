// Upstream protection per IIQ connection: a bulkhead (at most N calls in flight, a bounded queue, then fast
// rejection — IIQ servers are small) inside a circuit breaker (opens after consecutive failures, lets one probe
// through after a pause, closes on its success). Both from cockatiel; the client keeps its own timeouts, retries
// and time budget, so a "failure" here is a call that failed after those.
import {
  BrokenCircuitError, BulkheadRejectedError, CircuitState, ConsecutiveBreaker, bulkhead, circuitBreaker, handleWhen,
  wrap, type BulkheadPolicy, type CircuitBreakerPolicy,
} from 'cockatiel';
import { IiqError } from '../iiq/errors.ts';
import type { IiqClient } from '../iiq/types.ts';
import type { ProxyUpstream } from '../rest/proxy.ts';
import { errorResponse } from '../rest/http.ts';
import type { HardeningConfig } from './config.ts';

export type CircuitName = 'closed' | 'open' | 'halfOpen' | 'isolated';

export interface UpstreamStatus {
  circuit: CircuitName;
  /** calls running against IIQ now, and waiting for a slot */
  inFlight: number;
  queued: number;
  concurrency: number;
  queueLimit: number;
  /** ISO time the circuit last opened; null when it never did */
  openedAt: string | null;
  /** when an open circuit lets the next probe through */
  retryAfterSeconds: number | null;
  failures: number;
  rejected: number;
}

const CIRCUIT_NAMES: Record<CircuitState, CircuitName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'halfOpen',
  [CircuitState.Isolated]: 'isolated',
};

/** Failures that say "IIQ is not well" — never the caller's own mistakes (404, 400, 401) or a caller abort. */
export function countsAsUpstreamFailure(err: unknown): boolean {
  if (!(err instanceof IiqError)) return false;
  if (err.code === 'CIRCUIT_OPEN' || err.code === 'UPSTREAM_BUSY') return false;
  return err.kind === 'upstreamUnavailable' || err.kind === 'transport' || err.kind === 'invalidResponse' || (err.kind === 'tooMany' && err.status === 429);
}

const isProxyFailure = (r: unknown) => r instanceof Response && r.status >= 500 && r.status !== 501;

export type UpstreamLimits = HardeningConfig['upstream'];

export class UpstreamGuard {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private readonly policy;
  private openedAt: number | null = null;
  private failures = 0;
  private rejected = 0;

  constructor(private readonly limits: UpstreamLimits) {
    this.bulkhead = bulkhead(limits.concurrency, limits.queue);
    this.breaker = circuitBreaker(handleWhen(countsAsUpstreamFailure).orWhenResult(isProxyFailure), {
      halfOpenAfter: limits.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(limits.breakerThreshold),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.breaker.onFailure(({ reason }) => {
      if ('error' in reason ? countsAsUpstreamFailure(reason.error) : isProxyFailure(reason.value)) this.failures++;
    });
    // an open circuit answers fast without queueing; a full queue is not an upstream failure
    this.policy = wrap(this.breaker, this.bulkhead);
  }

  /** how long an open circuit waits before it lets a probe through */
  get halfOpenAfterMs(): number {
    return this.limits.halfOpenAfterMs;
  }

  get circuit(): CircuitName {
    return CIRCUIT_NAMES[this.breaker.state];
  }

  status(): UpstreamStatus {
    const circuit = this.circuit;
    const retryAt = circuit === 'open' && this.openedAt !== null ? this.openedAt + this.limits.halfOpenAfterMs : null;
    return {
      circuit,
      inFlight: this.limits.concurrency - this.bulkhead.executionSlots,
      queued: this.limits.queue - this.bulkhead.queueSlots,
      concurrency: this.limits.concurrency,
      queueLimit: this.limits.queue,
      openedAt: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
      retryAfterSeconds: retryAt === null ? null : Math.max(1, Math.ceil((retryAt - Date.now()) / 1000)),
      failures: this.failures,
      rejected: this.rejected,
    };
  }

  /** Runs one upstream call under the bulkhead and breaker; their refusals become typed IiqErrors. */
  async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(() => fn());
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        this.rejected++;
        throw new IiqError({ kind: 'upstreamUnavailable', operation, code: 'CIRCUIT_OPEN', message: `${operation} was not sent: the circuit to IIQ is open after repeated failures` });
      }
      if (err instanceof BulkheadRejectedError) {
        this.rejected++;
        throw new IiqError({ kind: 'upstreamUnavailable', operation, code: 'UPSTREAM_BUSY', message: `${operation} was not sent: too many calls to IIQ are in flight or queued` });
      }
      throw err;
    }
  }
}

/** The client with every upstream call (and every page of an iteration) run through the guard. */
export function guardClient(client: IiqClient, guard: UpstreamGuard): IiqClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'close' || prop === 'poolStats') return fn.bind(target); // poolStats: a synchronous read, not an IIQ call
      if (prop.startsWith('iterate')) {
        return (...args: unknown[]) => guardIterable(fn.apply(target, args) as AsyncIterable<unknown>, guard, prop);
      }
      return (...args: unknown[]) => guard.run(prop, () => fn.apply(target, args) as Promise<unknown>);
    },
  });
}

function guardIterable<T>(source: AsyncIterable<T>, guard: UpstreamGuard, operation: string): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      return {
        next: () => guard.run(operation, () => it.next()),
        return: (value?: unknown) => it.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined as T }),
      };
    },
  };
}

/** The proxy with each forwarded call run through the guard: 5xx answers and transport failures count. */
export function guardProxy(upstream: ProxyUpstream, guard: UpstreamGuard): ProxyUpstream {
  return new Proxy(upstream, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'forward' || typeof value !== 'function') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      const forward = value as ProxyUpstream['forward'];
      return async (...args: Parameters<ProxyUpstream['forward']>): Promise<Response> => {
        try {
          return await guard.run('proxy', () => forward.apply(target, args));
        } catch (err) {
          if (err instanceof IiqError && (err.code === 'CIRCUIT_OPEN' || err.code === 'UPSTREAM_BUSY')) return guardRefusal(err, guard);
          throw err;
        }
      };
    },
  });
}

/** REST/proxy answer for a call the guard did not send: 503 with Retry-After. */
export function guardRefusal(err: IiqError, guard: UpstreamGuard): Response {
  const open = err.code === 'CIRCUIT_OPEN';
  const res = errorResponse(503, 'UPSTREAM_UNAVAILABLE', open ? 'IdentityIQ is failing: the gateway stopped calling it for a while (circuit open)' : 'IdentityIQ is busy: too many calls in flight', { circuit: guard.circuit, reason: open ? 'circuitOpen' : 'busy' }, true);
  res.headers.set('retry-after', String(guard.status().retryAfterSeconds ?? 1));
  return res;
}

/** One guard per connection id, created on first use. */
export class UpstreamGuards {
  private readonly guards = new Map<string, UpstreamGuard>();
  constructor(private readonly limits: UpstreamLimits) {}

  for(connectionId: string): UpstreamGuard {
    let g = this.guards.get(connectionId);
    if (!g) this.guards.set(connectionId, (g = new UpstreamGuard(this.limits)));
    return g;
  }

  get(connectionId: string): UpstreamGuard | undefined {
    return this.guards.get(connectionId);
  }

  drop(connectionId: string): void {
    this.guards.delete(connectionId);
  }
}
