// Upstream HTTP requests to IIQ, observed through undici's diagnostics channels
// (https://undici.nodejs.org/#/docs/api/DiagnosticsChannel): every attempt is counted, timed and traced,
// and carries the W3C traceparent and the request id, without the client knowing. Retries are the client's
// own reports (IIQ_RETRY_CHANNEL): counted by reason and added to the call's span as events. Only requests made inside an IIQ client call
// (runInUpstreamCall) are observed, so the gateway's own test traffic and the SCIM proxy are not.
import diagnostics from 'node:diagnostics_channel';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { IIQ_RETRY_CHANNEL } from '../iiq/http.ts';
import type { IiqRetryEvent } from '../iiq/types.ts';
import { upstreamInFlight, upstreamRequestDuration, upstreamRequestsTotal, upstreamRetriesTotal } from './metrics.ts';
import { currentRequest, currentUpstreamCall, type UpstreamScope } from './scope.ts';
import { tracer } from './tracing.ts';

/** The parts of undici's Request these hooks read (stable across undici 6/7 and Node's bundled fetch). */
interface UndiciRequest {
  origin?: string | URL;
  method: string;
  path: string;
  /** flat [name, value, ...] (undici 6/7) or a raw header block */
  headers?: unknown;
  addHeader(name: string, value: string): unknown;
}

interface InFlight {
  scope: UpstreamScope;
  key: string;
  started: bigint;
  span: Span;
}

const inFlight = new WeakMap<object, InFlight & { status?: number }>();
let installed = false;

function hasHeader(headers: unknown, name: string): boolean {
  if (typeof headers === 'string') return headers.toLowerCase().includes(`${name}:`);
  if (!Array.isArray(headers)) return false;
  for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
  return false;
}

function outcomeOf(status: number): string {
  if (status === 304) return 'not_modified';
  if (status >= 200 && status < 400) return 'success';
  if (status < 500) return 'client_error';
  return 'server_error';
}

function finish(request: object, error?: unknown): void {
  const entry = inFlight.get(request);
  if (!entry) return;
  inFlight.delete(request);
  const { scope, key, started, span, status } = entry;
  const connection = scope.connectionId;
  const method = key.slice(0, key.indexOf(' '));
  upstreamInFlight.dec({ connection });
  upstreamRequestDuration.observe({ connection, method }, Number(process.hrtime.bigint() - started) / 1e9);
  if (error !== undefined || status === undefined) {
    upstreamRequestsTotal.inc({ connection, method, status: 'none', outcome: 'transport_error' });
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { code?: string } | undefined)?.code ?? 'transport error' });
  } else {
    upstreamRequestsTotal.inc({ connection, method, status: String(status), outcome: outcomeOf(status) });
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Subscribes once per process; idempotent. */
export function observeUpstreamRequests(): void {
  if (installed) return;
  installed = true;
  diagnostics.subscribe(IIQ_RETRY_CHANNEL, (message) => {
    // published synchronously inside the client call: its scope names the connection, its span is active
    const event = message as IiqRetryEvent;
    const connection = currentUpstreamCall()?.connectionId ?? 'unscoped';
    upstreamRetriesTotal.inc({ connection, method: event.method, reason: event.reason });
    trace.getActiveSpan()?.addEvent('iiq.retry', {
      'iiq.retry.reason': event.reason,
      'iiq.retry.attempt': event.attempt,
      'iiq.retry.delay_ms': event.delayMs,
      ...(event.status !== undefined ? { 'http.response.status_code': event.status } : {}),
      ...(event.code !== undefined ? { 'error.type': event.code } : {}),
    });
  });
  diagnostics.subscribe('undici:request:create', (message) => {
    const scope = currentUpstreamCall();
    if (!scope) return;
    const { request } = message as { request: UndiciRequest };
    const method = request.method.toUpperCase();
    const pathOnly = request.path.split('?', 1)[0]!;
    const key = `${method} ${request.path}`;
    const connection = scope.connectionId;
    upstreamInFlight.inc({ connection });
    const origin = request.origin ? String(request.origin) : '';
    // the query string is left out of spans: SCIM filters carry user names
    const span = tracer().startSpan(`${method}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': method, 'url.path': pathOnly, 'server.address': origin, 'iiq.connection': connection },
    });
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    for (const [name, value] of Object.entries(carrier)) request.addHeader(name, value);
    // the caller's request id travels upstream (IIQ access logs), unless the call named its own
    const requestId = currentRequest()?.requestId;
    if (requestId && !hasHeader(request.headers, 'x-request-id')) request.addHeader('x-request-id', requestId);
    inFlight.set(request, { scope, key, started: process.hrtime.bigint(), span });
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const entry = inFlight.get(request);
    if (!entry) return;
    entry.status = response.statusCode;
    entry.span.setAttribute('http.response.status_code', response.statusCode);
  });
  diagnostics.subscribe('undici:request:trailers', (message) => finish((message as { request: object }).request));
  diagnostics.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: object; error: unknown };
    finish(request, error ?? new Error('request failed'));
  });
}
