// Relay connection arguments -> an offset window (the graphql-relay slice algorithm), and the connection
// built from one fetched slice. SCIM lists are offset-based (startIndex is 1-based, RFC 7644 §3.4.2.4).
import type { CursorCodec } from './cursor.ts';
import { badUserInput } from './errors.ts';

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
}

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<E> {
  edges: E[];
  pageInfo: PageInfoShape;
  totalCount: number;
}

export interface BaseEdge<N> {
  readonly cursor: string;
  node: N;
}

/** The requested window; `end` is null when it depends on the total (`last` without `before`). */
export interface PageRequest {
  start: number;
  /** exclusive; null = up to the total */
  end: number | null;
  /** `last` to apply once the total is known */
  last: number | null;
}

function checkSize(name: 'first' | 'last', value: number | null | undefined, limits: PageLimits): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0) throw badUserInput(`${name} must be a whole number ≥ 0`, { argument: name });
  if (value > limits.maxSize) throw badUserInput(`${name} must not exceed ${limits.maxSize}`, { argument: name, max: limits.maxSize });
  return value;
}

export function pageRequest(args: ConnectionArgs, fp: string | (() => string), codec: CursorCodec, limits: PageLimits): PageRequest {
  let first = checkSize('first', args.first, limits);
  const last = checkSize('last', args.last, limits);
  const after = args.after ? codec.decode(args.after, typeof fp === 'string' ? fp : fp(), 'after') : null;
  const before = args.before ? codec.decode(args.before, typeof fp === 'string' ? fp : fp(), 'before') : null;
  if (first === null && last === null) first = limits.defaultSize;
  let start = after === null ? 0 : after + 1;
  let end: number | null = before;
  if (first !== null) end = end === null ? start + first : Math.min(end, start + first);
  if (last !== null && end !== null) {
    start = Math.max(start, end - last);
    return { start, end: Math.max(start, end), last: null };
  }
  if (end !== null && end < start) end = start;
  return { start, end, last };
}

/** Resolves `end` (and `last`) against a known total. */
export function settle(req: PageRequest, total: number): { start: number; end: number } {
  let end = req.end === null ? total : Math.min(req.end, total);
  let start = Math.min(req.start, end);
  if (req.last !== null) start = Math.max(start, end - req.last);
  if (end < start) end = start;
  return { start, end };
}

/** A lazily computed fingerprint: only paid for when a cursor is encoded or decoded. */
export type Fingerprint = string | (() => string);

export function lazyFingerprint(make: () => string): () => string {
  let value: string | undefined;
  return () => (value ??= make());
}

const fpOf = (fp: Fingerprint) => (typeof fp === 'string' ? fp : fp());

/** An edge whose cursor (an HMAC) is only computed when the client selects `cursor`. */
export class Edge<N> implements BaseEdge<N> {
  private encoded: string | undefined;
  constructor(
    public node: N,
    private readonly offset: number,
    private readonly fp: Fingerprint,
    private readonly codec: CursorCodec,
  ) {}
  get cursor(): string {
    return (this.encoded ??= this.codec.encode(this.offset, fpOf(this.fp)));
  }
}

class LazyPageInfo implements PageInfoShape {
  constructor(
    readonly hasPreviousPage: boolean,
    readonly hasNextPage: boolean,
    private readonly edges: readonly BaseEdge<unknown>[],
  ) {}
  get startCursor(): string | null {
    return this.edges.length ? this.edges[0]!.cursor : null;
  }
  get endCursor(): string | null {
    return this.edges.length ? this.edges[this.edges.length - 1]!.cursor : null;
  }
}

/** Builds a connection from the items at offsets [start, start + items.length) of a list of `total`. */
export function buildConnection<T, E extends BaseEdge<unknown>>(
  items: readonly T[],
  start: number,
  total: number,
  fp: Fingerprint,
  codec: CursorCodec,
  toEdge: (item: T, offset: number) => E,
): Connection<E> {
  const edges = items.map((item, i) => toEdge(item, start + i));
  return { edges, pageInfo: new LazyPageInfo(start > 0, start + items.length < total, edges), totalCount: total };
}

/** In-memory list (role catalog, membership index, a user's roles) -> connection. */
export function sliceConnection<T, E extends BaseEdge<unknown>>(
  all: readonly T[],
  args: ConnectionArgs,
  fp: Fingerprint,
  codec: CursorCodec,
  limits: PageLimits,
  toEdge: (item: T, offset: number) => E,
): Connection<E> {
  const { start, end } = settle(pageRequest(args, fp, codec, limits), all.length);
  return buildConnection(all.slice(start, end), start, all.length, fp, codec, toEdge);
}
