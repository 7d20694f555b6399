// Wraps an IIQ client so that every call runs in an upstream scope (its HTTP requests are counted against
// the connection and carry the request id) and inside a span (the resolver work that reaches IIQ).
// A Proxy, so methods added to the client later are covered without changes here.
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { IiqClient } from '../iiq/types.ts';
import { watchPoolStats } from './metrics.ts';
import { observeUpstreamRequests } from './upstream.ts';
import { runInUpstreamCall } from './scope.ts';
import { tracer } from './tracing.ts';

function settle<T>(span: Span, p: Promise<T>): Promise<T> {
  return p.then(
    (v) => {
      span.end();
      return v;
    },
    (err: unknown) => {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { kind?: string }).kind ?? 'error' });
      span.end();
      throw err;
    },
  );
}

function scopedIterable<T>(source: AsyncIterable<T>, connectionId: string): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      // a generator runs in the context of whoever calls next(): enter the scope on every step; no span per
      // item, most steps are served from a page already fetched (the HTTP spans show the pages)
      const it = runInUpstreamCall(connectionId, () => source[Symbol.asyncIterator]());
      return {
        next: () => runInUpstreamCall(connectionId, () => it.next()),
        return: (value?: unknown) => runInUpstreamCall(connectionId, () => it.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined as T })),
      };
    },
  };
}

export function instrumentClient(client: IiqClient, connectionId: string): IiqClient {
  observeUpstreamRequests();
  watchPoolStats(connectionId, client);
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'close' || prop === 'poolStats') return fn.bind(target);
      if (prop.startsWith('iterate')) return (...args: unknown[]) => scopedIterable(fn.apply(target, args) as AsyncIterable<unknown>, connectionId);
      return (...args: unknown[]) =>
        tracer().startActiveSpan(`iiq.${prop}`, { attributes: { 'iiq.connection': connectionId, 'iiq.operation': prop } }, (span) =>
          settle(span, runInUpstreamCall(connectionId, () => Promise.resolve(fn.apply(target, args)))),
        );
    },
  });
}
