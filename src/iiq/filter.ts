// SCIM filter AST (RFC 7644 §3.4.2.2, as IIQ's parser supports it: no `ew`, quoted strings only).
// User input only ever becomes a `value` in this tree; it is never concatenated into a filter string.
// CONTRACT: the types and builders below are the public API; the implementation (stringify, allow-lists,
// anyOf splitting) lives in this file too.

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type FilterNode<A extends string = string> =
  | { op: CompareOp; attr: A; value: FilterValue }
  | { op: 'pr'; attr: A }
  | { op: 'and' | 'or'; children: FilterNode<A>[] }
  | { op: 'not'; child: FilterNode<A> };

export const f = {
  eq: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'eq', attr, value }),
  ne: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'ne', attr, value }),
  co: <A extends string>(attr: A, value: string): FilterNode<A> => ({ op: 'co', attr, value }),
  sw: <A extends string>(attr: A, value: string): FilterNode<A> => ({ op: 'sw', attr, value }),
  gt: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'gt', attr, value }),
  ge: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'ge', attr, value }),
  lt: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'lt', attr, value }),
  le: <A extends string>(attr: A, value: FilterValue): FilterNode<A> => ({ op: 'le', attr, value }),
  pr: <A extends string>(attr: A): FilterNode<A> => ({ op: 'pr', attr }),
  and: <A extends string>(...children: FilterNode<A>[]): FilterNode<A> => ({ op: 'and', children }),
  or: <A extends string>(...children: FilterNode<A>[]): FilterNode<A> => ({ op: 'or', children }),
  not: <A extends string>(child: FilterNode<A>): FilterNode<A> => ({ op: 'not', child }),
};
