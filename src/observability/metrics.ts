// Prometheus metrics (prom-client), served at /metrics. One registry per process: it is meant to be shared
// by every connection and request, like the HTTP pools it describes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'iiq_graph_' });

const registers = [metricsRegistry];
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const graphqlOperationDuration = new Histogram({
  name: 'iiq_graph_graphql_operation_duration_seconds',
  help: 'GraphQL operations from parse to result, by operation type, name and outcome',
  labelNames: ['operation_type', 'operation_name', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const httpRequestsTotal = new Counter({
  name: 'iiq_graph_http_requests_total',
  help: 'HTTP requests answered by the gateway, by route and status class',
  labelNames: ['route', 'status'] as const,
  registers,
});

export const upstreamRequestsTotal = new Counter({
  name: 'iiq_graph_upstream_requests_total',
  help: 'HTTP requests sent to IIQ (every attempt), by connection, method, status and outcome',
  labelNames: ['connection', 'method', 'status', 'outcome'] as const,
  registers,
});

export const upstreamRequestDuration = new Histogram({
  name: 'iiq_graph_upstream_request_duration_seconds',
  help: 'Time from sending a request to IIQ until its body has been received',
  labelNames: ['connection', 'method'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const upstreamRetriesTotal = new Counter({
  name: 'iiq_graph_upstream_retries_total',
  help: 'Retries the IIQ client made, as it reports them, by connection, method and reason (status: 429/502/503/504; timeout; connection: reset, refused, ...; token_renewal: 401 with a bearer token)',
  labelNames: ['connection', 'method', 'reason'] as const,
  registers,
});

export const upstreamInFlight = new Gauge({
  name: 'iiq_graph_upstream_requests_in_flight',
  help: 'Requests to IIQ currently open (sent, answer not fully read), by connection',
  labelNames: ['connection'] as const,
  registers,
});

/** What the pool gauges read at scrape time: an IIQ client's poolStats(). */
export interface PoolStatsSource {
  poolStats?(): { connected: number; free: number; pending: number; queued: number; running: number; size: number }[];
}

const poolSources = new Map<string, WeakRef<PoolStatsSource>>();
const POOL_STATS = ['connected', 'free', 'pending', 'queued', 'running', 'size'] as const;

/** The client of a connection whose undici pools are reported; a newer client of the connection replaces it. */
export function watchPoolStats(connection: string, client: PoolStatsSource): void {
  if (typeof client.poolStats === 'function') poolSources.set(connection, new WeakRef(client));
}

new Gauge({
  name: 'iiq_graph_upstream_pool',
  help: "undici Pool.stats of the connection's pools to IIQ, read at scrape time and summed over origins: connected (sockets), free (idle sockets), pending (waiting for a socket), queued, running (being served), size (pending + queued + running)",
  labelNames: ['connection', 'stat'] as const,
  registers,
  collect() {
    this.reset();
    for (const [connection, ref] of poolSources) {
      const client = ref.deref();
      if (!client) {
        poolSources.delete(connection);
        continue;
      }
      let pools: ReturnType<NonNullable<PoolStatsSource['poolStats']>>;
      try {
        pools = client.poolStats!();
      } catch {
        continue; // a closed client
      }
      for (const stat of POOL_STATS) this.set({ connection, stat }, pools.reduce((sum, p) => sum + p[stat], 0));
    }
  },
});

export const cacheRequestsTotal = new Counter({
  name: 'iiq_graph_cache_requests_total',
  help: 'SCIM read cache lookups by connection, resource kind and result (hit, miss, stale = revalidation needed)',
  labelNames: ['connection', 'kind', 'result'] as const,
  registers,
});

export const cacheRevalidationsTotal = new Counter({
  name: 'iiq_graph_cache_revalidations_total',
  help: 'Conditional GETs (If-None-Match) for stale cache entries, by connection and result (not_modified, changed, gone)',
  labelNames: ['connection', 'kind', 'result'] as const,
  registers,
});

export const cacheErrorsTotal = new Counter({
  name: 'iiq_graph_cache_errors_total',
  help: 'Cache store failures (treated as misses), by store',
  labelNames: ['store'] as const,
  registers,
});

export const cacheInvalidationsTotal = new Counter({
  name: 'iiq_graph_cache_invalidations_total',
  help: 'Cache invalidations after writes through the gateway, by connection and kind',
  labelNames: ['connection', 'kind'] as const,
  registers,
});

/** What the membership-index gauges read at scrape time. */
export interface MembershipIndexSource {
  status(): { state: string; indexedAt: Date | null; scannedUsers: number; lastError?: string | null };
}

/** newest last; a stopped index (connection closed or rebuilt) stops being reported */
const indexSources = new Map<string, WeakRef<MembershipIndexSource>[]>();

/** Called once per connection state; the newest live index of a connection is the one reported. */
export function watchMembershipIndex(connection: string, index: MembershipIndexSource): void {
  const refs = indexSources.get(connection) ?? [];
  refs.push(new WeakRef(index));
  indexSources.set(connection, refs);
}

function eachIndex(fn: (connection: string, index: MembershipIndexSource) => void): void {
  for (const [connection, refs] of indexSources) {
    const live = refs.filter((r) => {
      const index = r.deref();
      return index !== undefined && index.status().state !== 'stopped';
    });
    if (live.length === 0) indexSources.delete(connection);
    else {
      indexSources.set(connection, live);
      fn(connection, live[live.length - 1]!.deref()!);
    }
  }
}

new Gauge({
  name: 'iiq_graph_membership_index_age_seconds',
  help: 'Age of the role membership index (time since its last completed scan); absent before the first scan',
  labelNames: ['connection'] as const,
  registers,
  collect() {
    this.reset();
    const now = Date.now();
    eachIndex((connection, index) => {
      const at = index.status().indexedAt;
      if (at) this.set({ connection }, (now - at.getTime()) / 1000);
    });
  },
});

new Gauge({
  name: 'iiq_graph_membership_index_ready',
  help: '1 when the role membership index has completed a scan, else 0',
  labelNames: ['connection'] as const,
  registers,
  collect() {
    this.reset();
    eachIndex((connection, index) => this.set({ connection }, index.status().indexedAt ? 1 : 0));
  },
});

new Gauge({
  name: 'iiq_graph_membership_index_scanned_users',
  help: 'Identities read by the running (or last) membership index scan',
  labelNames: ['connection'] as const,
  registers,
  collect() {
    this.reset();
    eachIndex((connection, index) => this.set({ connection }, index.status().scannedUsers));
  },
});

/** What the circuit-breaker gauges read at scrape time (src/hardening's UpstreamGuard). */
export interface UpstreamGuardSource {
  status(): { circuit: string; inFlight: number; queued: number; rejected: number };
}

const guardSources = new Map<string, WeakRef<UpstreamGuardSource>>();
const CIRCUIT_STATES = ['closed', 'open', 'halfOpen', 'isolated'];

/** The guard (bulkhead + circuit breaker) in front of a connection; a newer one replaces it. */
export function watchUpstreamGuard(connection: string, guard: UpstreamGuardSource): void {
  guardSources.set(connection, new WeakRef(guard));
}

function eachGuard(fn: (connection: string, status: ReturnType<UpstreamGuardSource['status']>) => void): void {
  for (const [connection, ref] of guardSources) {
    const guard = ref.deref();
    if (guard) fn(connection, guard.status());
    else guardSources.delete(connection);
  }
}

new Gauge({
  name: 'iiq_graph_upstream_circuit_state',
  help: 'Circuit breaker in front of IIQ: 1 for the current state (closed, open, halfOpen, isolated), by connection',
  labelNames: ['connection', 'state'] as const,
  registers,
  collect() {
    this.reset();
    eachGuard((connection, s) => {
      for (const state of CIRCUIT_STATES) this.set({ connection, state }, s.circuit === state ? 1 : 0);
    });
  },
});

new Gauge({
  name: 'iiq_graph_upstream_guard_calls',
  help: 'Client calls admitted by the upstream bulkhead (in_flight) and waiting for a slot (queued), by connection',
  labelNames: ['connection', 'state'] as const,
  registers,
  collect() {
    this.reset();
    eachGuard((connection, s) => {
      this.set({ connection, state: 'in_flight' }, s.inFlight);
      this.set({ connection, state: 'queued' }, s.queued);
    });
  },
});

new Gauge({
  name: 'iiq_graph_upstream_guard_rejected',
  help: 'Calls refused by the bulkhead or an open circuit since the guard was created, by connection',
  labelNames: ['connection'] as const,
  registers,
  collect() {
    this.reset();
    eachGuard((connection, s) => this.set({ connection }, s.rejected));
  },
});

/** Operation names come from clients: keep label values bounded. */
const seenOperationNames = new Set<string>();
const MAX_OPERATION_NAMES = 200;
export function operationNameLabel(name: string | null | undefined): string {
  if (!name) return '(anonymous)';
  if (!/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return '(other)';
  if (seenOperationNames.has(name)) return name;
  if (seenOperationNames.size >= MAX_OPERATION_NAMES) return '(other)';
  seenOperationNames.add(name);
  return name;
}
