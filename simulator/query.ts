// List semantics of IIQ (reference §4): filter compilation against a resource's mapped attributes, sortBy with
// cached orders (a page must not cost O(all items)), 1-based paging and the deliberately unstable unsorted order.
import { errors } from './errors.ts';
import { parseFilter, type FilterAst, type Literal } from './filter.ts';
import { Rng } from './random.ts';
import type { AttrDef, ResourceType, Scalar } from './resources.ts';
import type { Store } from './store.ts';

export type Predicate<T> = (item: T) => boolean;

export function resolveAttribute<T>(rt: ResourceType<T>, raw: string, idFilterable: boolean): AttrDef<T> {
  const lower = raw.toLowerCase();
  let urn: string | null = null;
  let path = raw;
  for (const candidate of [rt.coreUrn, ...rt.extensionUrns].sort((a, b) => b.length - a.length)) {
    if (lower.startsWith(`${candidate.toLowerCase()}:`)) {
      urn = candidate;
      path = raw.slice(candidate.length + 1);
      break;
    }
  }
  const p = path.toLowerCase();
  const def = rt.filterable.find((x) => (urn === null || x.urn === urn) && x.path.toLowerCase() === p);
  if (def) {
    if (def.path === 'id' && idFilterable) return { ...def, search: 'yes' };
    if (def.search === 'noMapping') throw errors.noMapping(raw);
    if (def.search === 'noSearch') throw errors.noSearch(raw);
    return def;
  }
  const root = p.split('.')[0] ?? '';
  for (const [schemaUrn, roots] of Object.entries(rt.noSearchRoots)) {
    if ((urn === null || urn === schemaUrn) && roots.some((r) => r.toLowerCase() === root)) throw errors.noSearch(raw);
  }
  throw errors.attributeNotFound(raw);
}

function coerce<T>(def: AttrDef<T>, value: Literal, filterText: string): Scalar {
  if (value === null) return null;
  switch (def.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw errors.invalidBoolean(String(value));
    case 'integer':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
      throw errors.invalidFilter(filterText);
    case 'dateTime': {
      if (typeof value === 'number') return value;
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms)) throw errors.invalidDate(String(value));
      return ms;
    }
    default:
      return def.caseExact ? String(value) : String(value).toLowerCase();
  }
}

function normalize<T>(def: AttrDef<T>, v: Scalar): Scalar {
  if (v === null || v === '') return null;
  if (typeof v === 'string' && !def.caseExact && def.kind !== 'dateTime') return v.toLowerCase();
  return v;
}

export function compileFilter<T>(rt: ResourceType<T>, text: string, store: Store, idFilterable: boolean): Predicate<T> {
  const ast = parseFilter(text);
  const build = (node: FilterAst): Predicate<T> => {
    switch (node.op) {
      case 'and': {
        const l = build(node.left);
        const r = build(node.right);
        return (i) => l(i) && r(i);
      }
      case 'or': {
        const l = build(node.left);
        const r = build(node.right);
        return (i) => l(i) || r(i);
      }
      case 'not': {
        const c = build(node.child);
        return (i) => !c(i);
      }
      case 'pr': {
        const def = resolveAttribute(rt, node.attr, idFilterable);
        return (i) => values(def, i, store).length > 0;
      }
      default: {
        const def = resolveAttribute(rt, node.attr, idFilterable);
        const target = coerce(def, node.value, text);
        const op = node.op;
        if (target === null) {
          // `eq null` / `ne null` behave like not-present / present
          if (op === 'eq') return (i) => values(def, i, store).length === 0;
          if (op === 'ne') return (i) => values(def, i, store).length > 0;
          throw errors.invalidFilter(text);
        }
        const test = comparator(op, target);
        // database semantics: a missing value never matches, not even `ne`
        if (op === 'ne') {
          return (i) => {
            const vs = values(def, i, store);
            return vs.length > 0 && vs.every((v) => test(v));
          };
        }
        return (i) => values(def, i, store).some((v) => test(v));
      }
    }
  };
  return build(ast);
}

function values<T>(def: AttrDef<T>, item: T, store: Store): Scalar[] {
  const raw = def.get(item, store);
  const list = Array.isArray(raw) ? raw : [raw];
  const out: Scalar[] = [];
  for (const v of list) {
    const nv = normalize(def, v);
    if (nv !== null) out.push(nv);
  }
  return out;
}

function comparator(op: string, target: Scalar): (v: Scalar) => boolean {
  switch (op) {
    case 'eq':
      return (v) => v === target;
    case 'ne':
      return (v) => v !== target;
    case 'co':
      return (v) => String(v).includes(String(target));
    case 'sw':
      return (v) => String(v).startsWith(String(target));
    case 'gt':
      return (v) => (v as number | string) > (target as number | string);
    case 'ge':
      return (v) => (v as number | string) >= (target as number | string);
    case 'lt':
      return (v) => (v as number | string) < (target as number | string);
    default:
      return (v) => (v as number | string) <= (target as number | string);
  }
}

// ---------------------------------------------------------------------------------------------------------
// paging
// ---------------------------------------------------------------------------------------------------------

export interface ListParams {
  filter?: string | undefined;
  sortBy?: string | undefined;
  sortOrder?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
}

export interface ListPage<T> {
  totalResults: number;
  /** null: literal count=0, totals only */
  items: T[] | null;
  startIndex: number;
  /** the requested (or defaulted) count */
  count: number;
}

interface SortCacheEntry {
  revision: number;
  order: unknown[];
}

export class ListEngine {
  private readonly sortCache = new Map<string, SortCacheEntry>();
  private readonly shuffle: Rng;

  constructor(
    private readonly store: Store,
    private readonly maxResults: number,
    private readonly idFilterable: boolean,
    seed: number,
  ) {
    this.shuffle = new Rng(seed ^ 0x0bad5eed);
  }

  /** count: missing / non-numeric / negative -> maxResults; > maxResults -> 400 tooMany; literal 0 -> totals only */
  parseCount(raw: string | undefined): { count: number; totalsOnly: boolean } {
    if (raw === undefined || !/^\s*-?\d+\s*$/.test(raw)) return { count: this.maxResults, totalsOnly: false };
    const n = Number(raw);
    if (n === 0) return { count: 0, totalsOnly: true };
    if (n < 0) return { count: this.maxResults, totalsOnly: false };
    if (n > this.maxResults) throw errors.tooMany(n, this.maxResults);
    return { count: n, totalsOnly: false };
  }

  list<T>(rt: ResourceType<T>, params: ListParams): ListPage<T> {
    const { count, totalsOnly } = this.parseCount(params.count);
    const predicate = params.filter !== undefined && params.filter.trim() !== '' ? compileFilter(rt, params.filter, this.store, this.idFilterable) : null;
    const sortDef = params.sortBy !== undefined && params.sortBy !== '' ? resolveAttribute(rt, params.sortBy, this.idFilterable) : null;
    const descending = (params.sortOrder ?? '').toLowerCase() === 'descending';
    const parsedStart = params.startIndex !== undefined && /^\s*-?\d+\s*$/.test(params.startIndex) ? Number(params.startIndex) : 1;
    const startIndex = parsedStart < 1 ? 1 : parsedStart;

    let pool: T[];
    if (sortDef) {
      const order = this.sorted(rt, sortDef);
      pool = predicate ? order.filter(predicate) : order;
    } else {
      const all = rt.all(this.store);
      pool = predicate ? all.filter(predicate) : all;
    }
    const total = pool.length;
    if (totalsOnly) return { totalResults: total, items: null, startIndex, count };
    const from = startIndex - 1;
    const to = Math.min(total, from + count);
    const items: T[] = [];
    if (sortDef) {
      for (let k = from; k < to; k++) items.push(pool[descending ? total - 1 - k : k] as T);
    } else {
      // no ORDER BY in IIQ without sortBy: every call sees a different permutation (reference §4.2)
      const { a, b } = this.permutation(total);
      for (let k = from; k < to; k++) items.push(pool[(a * k + b) % total] as T);
    }
    return { totalResults: total, items, startIndex, count };
  }

  private permutation(n: number): { a: number; b: number } {
    if (n <= 1) return { a: 1, b: 0 };
    for (;;) {
      const a = 1 + Math.floor(this.shuffle.next() * (n - 1));
      if (gcd(a, n) === 1) return { a, b: Math.floor(this.shuffle.next() * n) };
    }
  }

  /** ascending order by the attribute (case-insensitive unless caseExact), missing values last, ties by id */
  private sorted<T>(rt: ResourceType<T>, def: AttrDef<T>): T[] {
    const key = `${rt.name}\u0000${def.urn}\u0000${def.path}`;
    const cached = this.sortCache.get(key);
    if (cached && cached.revision === this.store.revision) return cached.order as T[];
    const all = rt.all(this.store);
    const keyed = all.map((item) => {
      const raw = def.get(item, this.store);
      let v = Array.isArray(raw) ? (raw[0] ?? null) : raw;
      if (typeof v === 'string' && !def.caseExact) v = v.toLowerCase();
      if (typeof v === 'boolean') v = v ? 1 : 0;
      if (v === '') v = null;
      return { v, id: rt.idOf(item), item };
    });
    keyed.sort((x, y) => {
      if (x.v !== y.v) {
        if (x.v === null) return 1;
        if (y.v === null) return -1;
        return (x.v as string | number) < (y.v as string | number) ? -1 : 1;
      }
      return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    });
    const order = keyed.map((k) => k.item);
    this.sortCache.set(key, { revision: this.store.revision, order });
    return order;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

