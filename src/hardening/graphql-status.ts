// Query.upstreamStatus: the caller's connection's upstream guard (circuit breaker + concurrency limit), the same
// figures as GET /healthz/upstream (single connection) and GET /api/connections/{id}/upstream (linked accounts,
// where the context's connection is the calling tenant's own). Reading it never calls IIQ.
import { builder } from '../graphql/builder.ts';
import type { UpstreamGuard, UpstreamStatus } from './upstream-guard.ts';

interface StatusView {
  connectionId: string | null;
  status: UpstreamStatus;
  halfOpenAfterMs: number;
}

const UpstreamCircuitState = builder.enumType('UpstreamCircuitState', {
  description: 'The circuit breaker in front of IdentityIQ',
  values: {
    CLOSED: { value: 'closed', description: 'calls go through' },
    OPEN: { value: 'open', description: 'after repeated failures: calls are refused without reaching IdentityIQ until the pause ends' },
    HALF_OPEN: { value: 'halfOpen', description: 'one probe call is in flight; its outcome closes or reopens the circuit' },
    ISOLATED: { value: 'isolated', description: 'held open by the gateway' },
  } as const,
});

const UpstreamCircuit = builder.objectRef<StatusView>('UpstreamCircuit').implement({
  fields: (t) => ({
    state: t.field({ type: UpstreamCircuitState, resolve: (v) => v.status.circuit }),
    failures: t.int({ description: 'upstream failures counted since the gateway started', resolve: (v) => v.status.failures }),
    rejected: t.int({ description: 'calls refused without reaching IdentityIQ (circuit open or queue full)', resolve: (v) => v.status.rejected }),
    openedAt: t.field({ type: 'DateTime', nullable: true, description: 'when the circuit last opened', resolve: (v) => v.status.openedAt }),
    retryAfterSeconds: t.int({ nullable: true, description: 'open circuit: seconds until the next probe may go through', resolve: (v) => v.status.retryAfterSeconds }),
    halfOpenAfterMs: t.int({ description: 'the pause after which an open circuit lets a probe through', resolve: (v) => v.halfOpenAfterMs }),
  }),
});

const UpstreamConcurrency = builder.objectRef<StatusView>('UpstreamConcurrency').implement({
  fields: (t) => ({
    active: t.int({ description: 'calls to IdentityIQ in flight now', resolve: (v) => v.status.inFlight }),
    queued: t.int({ description: 'calls waiting for a slot', resolve: (v) => v.status.queued }),
    limit: t.int({ description: 'calls allowed in flight at once', resolve: (v) => v.status.concurrency }),
    queueLimit: t.int({ description: 'calls allowed to wait; more are refused', resolve: (v) => v.status.queueLimit }),
  }),
});

const UpstreamStatusRef = builder.objectRef<StatusView>('UpstreamStatus').implement({
  description: "The protection in front of this connection's IdentityIQ: circuit breaker and concurrency limit",
  fields: (t) => ({
    connectionId: t.id({ nullable: true, description: 'the linked connection; null in single-connection mode', resolve: (v) => v.connectionId }),
    circuit: t.field({ type: UpstreamCircuit, resolve: (v) => v }),
    concurrency: t.field({ type: UpstreamConcurrency, resolve: (v) => v }),
  }),
});

export function upstreamStatusView(connectionId: string | null, guard: UpstreamGuard): StatusView {
  return { connectionId, status: guard.status(), halfOpenAfterMs: guard.halfOpenAfterMs };
}

builder.queryField('upstreamStatus', (t) =>
  t.field({
    type: UpstreamStatusRef,
    nullable: true,
    description: "The caller's connection's circuit breaker and concurrency limit (null when the connection has no guard)",
    resolve: (_root, _args, ctx) => (ctx.conn.upstream ? upstreamStatusView(ctx.conn.upstream.connectionId, ctx.conn.upstream.guard) : null),
  }),
);
