import { describe, expect, it } from 'vitest';
import { iteratePages } from '../../src/iiq/paging.ts';
import type { Page } from '../../src/iiq/types.ts';

function fakeServer(total: number, opts: { delay?: (start: number) => number; totalAfter?: number } = {}) {
  const calls: { start: number; count: number }[] = [];
  let active = 0;
  let maxActive = 0;
  const fetchPage = async (start: number, count: number, signal: AbortSignal): Promise<Page<number>> => {
    calls.push({ start, count });
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, opts.delay?.(start) ?? 1);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('aborted'));
        });
      });
      const items: number[] = [];
      for (let i = start; i < start + count && i <= total; i++) items.push(i);
      return { totalResults: calls.length > 1 && opts.totalAfter !== undefined ? opts.totalAfter : total, startIndex: start, items };
    } finally {
      active--;
    }
  };
  return { fetchPage, calls, maxActive: () => maxActive };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('iteratePages', () => {
  it('sequential: every item once, in order, 1-based, stops on totalResults (no extra empty page)', async () => {
    const s = fakeServer(25);
    expect(await collect(iteratePages(s.fetchPage, { pageSize: 10 }))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(s.calls.map((c) => c.start)).toEqual([1, 11, 21]);
    expect(s.maxActive()).toBe(1);
  });

  it('exact multiple of the page size: no trailing request', async () => {
    const s = fakeServer(20);
    await collect(iteratePages(s.fetchPage, { pageSize: 10 }));
    expect(s.calls.map((c) => c.start)).toEqual([1, 11]);
  });

  it('empty result set: one request', async () => {
    const s = fakeServer(0);
    expect(await collect(iteratePages(s.fetchPage, { pageSize: 10, concurrency: 4 }))).toEqual([]);
    expect(s.calls).toHaveLength(1);
  });

  it('parallel: yields in order even when later windows finish first, bounded to K in flight', async () => {
    const s = fakeServer(95, { delay: (start) => (start % 20 === 1 ? 30 : 2) });
    const items = await collect(iteratePages(s.fetchPage, { pageSize: 10, concurrency: 3 }));
    expect(items).toEqual(Array.from({ length: 95 }, (_, i) => i + 1));
    expect(s.calls.map((c) => c.start).sort((a, b) => a - b)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91]);
    expect(s.maxActive()).toBe(3);
  });

  it('does not keep going when a page comes back empty before totalResults; walks to totalResults', async () => {
    // totalResults says 30 although page 2 is empty: the walk follows totalResults, not emptiness
    const calls: number[] = [];
    const fetchPage = async (start: number): Promise<Page<number>> => {
      calls.push(start);
      return { totalResults: 30, startIndex: start, items: start === 11 ? [] : [start] };
    };
    expect(await collect(iteratePages(fetchPage, { pageSize: 10 }))).toEqual([1, 21]);
    expect(calls).toEqual([1, 11, 21]);
  });

  it('breaking out early aborts the windows still in flight', async () => {
    const s = fakeServer(1000, { delay: () => 20 });
    const seen: number[] = [];
    for await (const x of iteratePages(s.fetchPage, { pageSize: 10, concurrency: 4 })) {
      seen.push(x);
      if (x === 15) break;
    }
    expect(seen).toHaveLength(15);
    expect(s.calls.length).toBeLessThanOrEqual(6);
  });

  it('a failing window surfaces in order', async () => {
    const fetchPage = async (start: number): Promise<Page<number>> => {
      if (start === 21) throw new Error('boom');
      return { totalResults: 50, startIndex: start, items: [start] };
    };
    const seen: number[] = [];
    await expect(async () => {
      for await (const x of iteratePages(fetchPage, { pageSize: 10, concurrency: 4 })) seen.push(x);
    }).rejects.toThrow('boom');
    expect(seen).toEqual([1, 11]);
  });
});
