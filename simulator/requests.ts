// The request log: tests and benchmarks count upstream calls exactly.
import type { RequestRecord } from './types.ts';

/** a long-running demo must not grow without bound; tests never come near this */
const MAX_RECORDS = 200_000;

export class RequestLog {
  private records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, MAX_RECORDS / 10);
  }

  list(): RequestRecord[] {
    return this.records.map((r) => ({ ...r, query: { ...r.query } }));
  }

  count(match: { method?: string; path?: string | RegExp } = {}): number {
    let n = 0;
    for (const r of this.records) {
      if (match.method && r.method !== match.method.toUpperCase()) continue;
      if (match.path !== undefined) {
        if (typeof match.path === 'string' ? r.path !== match.path : !match.path.test(r.path)) continue;
      }
      n++;
    }
    return n;
  }

  reset(): void {
    this.records = [];
  }

  /** counters by method, path, "METHOD path" and "METHOD path?query" (the admin endpoint's view) */
  counters(): Record<string, Record<string, number>> {
    const byMethod: Record<string, number> = {};
    const byPath: Record<string, number> = {};
    const byMethodPath: Record<string, number> = {};
    const byQuery: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    const inc = (o: Record<string, number>, k: string): void => {
      o[k] = (o[k] ?? 0) + 1;
    };
    for (const r of this.records) {
      inc(byMethod, r.method);
      inc(byPath, r.path);
      inc(byMethodPath, `${r.method} ${r.path}`);
      const qs = new URLSearchParams(Object.entries(r.query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString();
      inc(byQuery, `${r.method} ${r.path}${qs ? `?${qs}` : ''}`);
      inc(byStatus, String(r.status));
    }
    return { byMethod, byPath, byMethodPath, byQuery, byStatus };
  }
}
