// The gateway's observability as one Yoga plugin: request id (X-Request-Id in, echoed out, sent upstream,
// on every log line), an access log line, a server span per request and an operation span per GraphQL
// execution, operation durations, and the /metrics and /readyz endpoints.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../graphql/logger.ts';
import type { ReadinessReport } from './health.ts';
import { graphqlOperationDuration, httpRequestsTotal, metricsRegistry, operationNameLabel } from './metrics.ts';
import { currentRequest, requestIdFrom, runInRequest } from './scope.ts';
import { tracer } from './tracing.ts';

export interface ObservabilityOptions {
  logger: Logger;
  /** /readyz: 200 when every check passes, else 503 */
  readiness: () => Promise<ReadinessReport>;
  /** who may read /metrics (linked accounts: the admin key); absent = anyone who can reach the gateway */
  authorizeMetrics?: (request: Request) => Promise<boolean>;
}

interface RequestState {
  requestId: string;
  path: string;
  started: bigint;
  span: Span;
}

const headerGetter = {
  keys: (h: Headers) => [...h.keys()],
  get: (h: Headers, key: string) => h.get(key) ?? undefined,
};

/** Paths are bounded labels: anything not known is "other". */
function routeOf(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname;
  const first = /^\/[a-z-]+/.exec(pathname)?.[0];
  return first && ['/api', '/proxy', '/admin', '/connect'].includes(first) ? first : 'other';
}

/** prom-client's labelled children, looked up once per label set (labels() hashes its label object on every call). */
function childCache<C>(make: (...values: string[]) => C): (...values: string[]) => C {
  const children = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let c = children.get(key);
    if (!c) children.set(key, (c = make(...values)));
    return c;
  };
}

export function useObservability(options: ObservabilityOptions): Plugin {
  const { logger } = options;
  const states = new WeakMap<Request, RequestState>();
  const operationSpans = new WeakSet<Span>();
  // label values are bounded (operation names by operationNameLabel, routes by routeOf, status classes)
  const durationOf = childCache((operation_type, operation_name, outcome) => graphqlOperationDuration.labels({ operation_type, operation_name, outcome }));
  const requestsOf = childCache((route, status) => httpRequestsTotal.labels({ route, status }));
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const requestId = requestIdFrom(request.headers.get('x-request-id'));
        const url = new URL(request.url);
        const parent = propagation.extract(context.active(), request.headers, headerGetter);
        const span = tracer().startSpan(`${request.method} ${routeOf(url.pathname)}`, {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'url.path': url.pathname, 'http.request.id': requestId },
        }, parent);
        states.set(request, { requestId, path: url.pathname, started: process.hrtime.bigint(), span });
        return runInRequest({ requestId }, () => context.with(trace.setSpan(parent, span), wrapped));
      },
      // the operation span is active while resolvers run, so client calls and upstream requests nest under it
      execute(_payload, wrapped) {
        const span = tracer().startSpan('graphql.execute');
        // tracing off (no provider registered): a non-recording span; nothing to make current
        if (!span.isRecording()) return wrapped();
        operationSpans.add(span);
        return context.with(trace.setSpan(context.active(), span), () => {
          let result: ReturnType<typeof wrapped>;
          try {
            result = wrapped();
          } catch (err) {
            span.end();
            throw err;
          }
          if (result && typeof (result as Promise<void>).then === 'function') return (result as Promise<void>).finally(() => span.end());
          span.end();
          return result;
        });
      },
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === '/metrics') {
        if (options.authorizeMetrics && !(await options.authorizeMetrics(request))) {
          endResponse(
            new fetchAPI.Response(JSON.stringify({ error: 'metrics need Authorization: Bearer <admin key>' }), {
              status: 401,
              headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
            }),
          );
          return;
        }
        endResponse(new fetchAPI.Response(await metricsRegistry.metrics(), { status: 200, headers: { 'content-type': metricsRegistry.contentType } }));
      } else if (url.pathname === '/readyz') {
        const report = await options.readiness();
        endResponse(
          new fetchAPI.Response(JSON.stringify({ status: report.ready ? 'ready' : 'not ready', checks: report.checks }), {
            status: report.ready ? 200 : 503,
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
          }),
        );
      }
    },
    onExecute({ args }) {
      const started = process.hrtime.bigint();
      const op = getOperationAST(args.document, args.operationName);
      const operationType = op?.operation ?? 'unknown';
      const operationName = operationNameLabel(op?.name?.value ?? args.operationName);
      const active = trace.getActiveSpan();
      const span = active && operationSpans.has(active) ? active : undefined;
      span?.updateName(`graphql.${operationType} ${operationName}`);
      span?.setAttributes({ 'graphql.operation.type': operationType, 'graphql.operation.name': operationName });
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result && Array.isArray(result.errors) ? result.errors.length : 0;
          durationOf(operationType, operationName, errors ? 'error' : 'ok').observe(Number(process.hrtime.bigint() - started) / 1e9);
          if (errors) span?.setStatus({ code: SpanStatusCode.ERROR, message: `${errors} error(s)` });
        },
      };
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      const requestId = state?.requestId ?? currentRequest()?.requestId;
      if (requestId) response.headers.set('x-request-id', requestId);
      if (!state) return;
      const route = routeOf(state.path);
      requestsOf(route, `${Math.floor(response.status / 100)}xx`).inc();
      state.span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) state.span.setStatus({ code: SpanStatusCode.ERROR });
      state.span.end();
      if (route !== '/metrics' && route !== '/healthz' && route !== '/readyz') {
        const ms = Number(process.hrtime.bigint() - state.started) / 1e6;
        logger.info({ requestId, method: request.method, path: state.path, status: response.status, ms: Math.round(ms * 10) / 10 }, 'request');
      }
    },
  };
}
