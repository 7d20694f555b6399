// Request and upstream-call scopes carried through async work (AsyncLocalStorage), so that the request id
// reaches IIQ and log lines, and upstream requests are counted against the connection that made them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';

export interface RequestScope {
  readonly requestId: string;
}

/** One call of the IIQ client: which connection its requests (and retries) are counted against. */
export interface UpstreamScope {
  readonly connectionId: string;
}

const requestStorage = new AsyncLocalStorage<RequestScope>();
const upstreamStorage = new AsyncLocalStorage<UpstreamScope>();

export function runInRequest<T>(scope: RequestScope, fn: () => T): T {
  return requestStorage.run(scope, fn);
}

/**
 * Runs background work started while a request is handled (a membership scan and its timers) outside that
 * request: its upstream calls must not carry the request's id or join its trace.
 */
export function detachedFromRequest<T>(fn: () => T): T {
  return requestStorage.exit(() => context.with(ROOT_CONTEXT, fn));
}

export function currentRequest(): RequestScope | undefined {
  return requestStorage.getStore();
}

export function runInUpstreamCall<T>(connectionId: string, fn: () => T): T {
  return upstreamStorage.run({ connectionId }, fn);
}

export function currentUpstreamCall(): UpstreamScope | undefined {
  return upstreamStorage.getStore();
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's X-Request-Id when it is a plain token (it is logged and sent upstream), else a new UUID. */
export function requestIdFrom(header: string | null | undefined): string {
  const v = header?.trim();
  return v && SAFE_REQUEST_ID.test(v) ? v : randomUUID();
}
