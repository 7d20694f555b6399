// Walks a SCIM result set page by page (1-based startIndex, RFC 7644 §3.4.2.4). Sequential, or with bounded
// parallel windows: the first page tells totalResults, then the remaining windows run K at a time and are
// yielded strictly in order. At most K pages are held; items are released as they are yielded.
import type { Page } from './types.ts';

export type FetchPage<T> = (startIndex: number, count: number, signal: AbortSignal) => Promise<Page<T>>;

export interface PagingOptions {
  pageSize: number;
  /** 1 = sequential */
  concurrency?: number;
  signal?: AbortSignal | undefined;
}

export async function* iteratePages<T>(fetchPage: FetchPage<T>, opts: PagingOptions): AsyncGenerator<T, void, undefined> {
  const pageSize = Math.max(1, Math.floor(opts.pageSize));
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  // Our own controller: stops in-flight windows when the consumer breaks out early or one window fails.
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const inFlight: Promise<Page<T>>[] = [];
  try {
    const first = await fetchPage(1, pageSize, ctl.signal);
    let total = first.totalResults;
    yield* drain(first.items);
    if (concurrency === 1) {
      // Stop on totalResults, not on an empty page (IIQ's itemsPerPage echoes the requested count).
      for (let start = 1 + pageSize; start <= total; start += pageSize) {
        const page = await fetchPage(start, pageSize, ctl.signal);
        total = page.totalResults;
        yield* drain(page.items);
      }
      return;
    }
    // Windows are fixed by the first page's total: a moving total during a parallel walk cannot be chased safely.
    let next = 1 + pageSize;
    const launch = () => {
      const p = fetchPage(next, pageSize, ctl.signal);
      p.catch(() => undefined); // surfaced when awaited in order; avoid an unhandled rejection meanwhile
      inFlight.push(p);
      next += pageSize;
    };
    while (inFlight.length < concurrency && next <= total) launch();
    while (inFlight.length > 0) {
      const page = await inFlight.shift()!;
      yield* drain(page.items);
      // launched after the drain, so at most K pages (in flight + being yielded) are held at any time
      if (next <= total) launch();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (inFlight.length > 0) ctl.abort(new Error('iteration stopped'));
  }
}

/** Yields and releases items one by one, so a page is freed as it is consumed. */
function* drain<T>(items: T[]): Generator<T, void, undefined> {
  items.reverse();
  while (items.length > 0) yield items.pop()!;
}
