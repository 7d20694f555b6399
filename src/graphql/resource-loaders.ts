// Per-request loaders for Accounts, Applications, Entitlements and PolicyViolations, batched like users and
// roles: the keys of one tick become one filtered list request (or a few, when the filter would outgrow the
// URL), so the requests of a query grow with its depth, not with its rows. Kept beside the request's
// RequestLoaders (a WeakMap on it), so they live exactly as long as the request.
import DataLoader from 'dataloader';
import { f, type FilterNode } from '../iiq/filter.ts';
import type { AccountField, EntitlementField, IiqAccount, IiqApplication, IiqEntitlement, IiqPolicyViolation, PolicyViolationField } from '../iiq/resource-types.ts';
import type { GatewayContext } from './context.ts';
import type { RequestLoaders } from './loaders.ts';

/** How many `eq` terms one filter carries (IIQ's URLs stay well under 8 KB with 32-character ids). */
const IDS_PER_FILTER = 50;
/** Budget of one entitlement filter, in characters before URL encoding (values are long DNs). */
const ENTITLEMENT_FILTER_BUDGET = 4000;

export interface EntitlementKey {
  applicationId: string;
  attribute: string;
  value: string;
}
const entitlementKeyOf = (k: EntitlementKey) => JSON.stringify([k.applicationId, k.attribute, k.value]);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const anyEq = <F extends string>(field: F, values: readonly string[]): FilterNode<F> =>
  values.length === 1 ? f.eq(field, values[0]!) : f.or(...values.map((v) => f.eq(field, v)));

/** Entitlement keys grouped by (application, attribute) and packed into filters under the budget. */
function entitlementFilters(keys: readonly EntitlementKey[]): FilterNode<EntitlementField>[] {
  const groups = new Map<string, { applicationId: string; attribute: string; values: string[] }>();
  for (const k of keys) {
    const g = groups.get(`${k.applicationId}\u0000${k.attribute}`) ?? { applicationId: k.applicationId, attribute: k.attribute, values: [] };
    g.values.push(k.value);
    groups.set(`${k.applicationId}\u0000${k.attribute}`, g);
  }
  const filters: FilterNode<EntitlementField>[] = [];
  let current: FilterNode<EntitlementField>[] = [];
  let size = 0;
  const flush = () => {
    if (current.length) filters.push(current.length === 1 ? current[0]! : f.or(...current));
    current = [];
    size = 0;
  };
  for (const g of groups.values()) {
    let values: string[] = [];
    let valuesSize = 0;
    const emit = () => {
      if (!values.length) return;
      const cost = 80 + g.attribute.length + valuesSize;
      if (size + cost > ENTITLEMENT_FILTER_BUDGET) flush();
      current.push(f.and(f.eq('applicationId', g.applicationId), f.eq('attribute', g.attribute), anyEq('value', values)));
      size += cost;
      values = [];
      valuesSize = 0;
    };
    for (const v of g.values) {
      const cost = JSON.stringify(v).length + 16;
      if (valuesSize + cost > ENTITLEMENT_FILTER_BUDGET - 200) emit();
      values.push(v);
      valuesSize += cost;
    }
    emit();
  }
  flush();
  return filters;
}

export class ResourceLoaders {
  /** a user's accounts (IIQ Links), nativeIdentity order */
  readonly accountsByUser: DataLoader<string, IiqAccount[]>;
  readonly accountById: DataLoader<string, IiqAccount | null>;
  /** every application of the connection: one request per GraphQL request (installs have tens, not thousands) */
  readonly applications: () => Promise<Map<string, IiqApplication>>;
  /** an entitlement (ManagedAttribute) by application, attribute and value; null when it is not one */
  readonly entitlementByKey: DataLoader<EntitlementKey, IiqEntitlement | null, string>;
  readonly entitlementById: DataLoader<string, IiqEntitlement | null>;
  readonly violationsByUser: DataLoader<string, IiqPolicyViolation[]>;
  readonly violationById: DataLoader<string, IiqPolicyViolation | null>;

  constructor(ctx: GatewayContext) {
    const client = ctx.conn.client;
    const call = ctx.signal ? { signal: ctx.signal } : {};
    const grouped = async <T>(ids: readonly string[], field: AccountField & PolicyViolationField, load: (filter: FilterNode<typeof field>) => Promise<T[]>, owner: (item: T) => string | undefined) => {
      const lists = await Promise.all(chunks([...new Set(ids)], IDS_PER_FILTER).map((chunk) => load(anyEq(field, chunk))));
      const byId = new Map<string, T[]>(ids.map((id) => [id, []]));
      for (const item of lists.flat()) {
        const id = owner(item);
        if (id !== undefined) byId.get(id)?.push(item);
      }
      return ids.map((id) => byId.get(id)!);
    };
    this.accountsByUser = new DataLoader((ids) => grouped(ids, 'userId', (filter) => client.listAllAccounts(filter, call), (a) => a.identity?.id));
    this.violationsByUser = new DataLoader((ids) => grouped(ids, 'userId', (filter) => client.listAllPolicyViolations(filter, call), (p) => p.identity?.id));
    // single lookups by id (node(id), mutations): IIQ cannot filter these on id, so GETs in parallel
    this.accountById = new DataLoader((ids) => Promise.all(ids.map((id) => client.getAccount(id, call))));
    this.entitlementById = new DataLoader((ids) => Promise.all(ids.map((id) => client.getEntitlement(id, call))));
    this.violationById = new DataLoader((ids) => Promise.all(ids.map((id) => client.getPolicyViolation(id, call))));
    let apps: Promise<Map<string, IiqApplication>> | null = null;
    this.applications = () => (apps ??= client.listAllApplications(call).then((list) => new Map(list.map((a) => [a.id, a] as const))));
    this.entitlementByKey = new DataLoader(
      async (keys) => {
        const found = (await Promise.all(entitlementFilters(keys).map((filter) => client.listAllEntitlements(filter, call)))).flat();
        const byKey = new Map<string, IiqEntitlement>();
        for (const e of found) {
          if (e.application && e.attribute !== null && e.value !== null) byKey.set(entitlementKeyOf({ applicationId: e.application.id, attribute: e.attribute, value: e.value }), e);
        }
        return keys.map((k) => byKey.get(entitlementKeyOf(k)) ?? null);
      },
      { cacheKeyFn: entitlementKeyOf },
    );
  }
}

const perRequest = new WeakMap<RequestLoaders, ResourceLoaders>();

export function resourceLoaders(ctx: GatewayContext): ResourceLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) perRequest.set(ctx.loaders, (loaders = new ResourceLoaders(ctx)));
  return loaders;
}

/** The entitlement keys an account's application attributes could name (string values of each attribute). */
export function entitlementKeysOf(account: IiqAccount): EntitlementKey[] {
  // IIQ says whether a Link carries entitlements: none to look up when it says no
  if (!account.application || account.hasEntitlements === false) return [];
  const out: EntitlementKey[] = [];
  for (const [attribute, raw] of Object.entries(account.attributes)) {
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (typeof v === 'string' && v !== '') out.push({ applicationId: account.application.id, attribute, value: v });
    }
  }
  return out;
}

/** An account's entitlements: its attribute values that IIQ knows as ManagedAttributes, in attribute order. */
export async function entitlementsOfAccount(ctx: GatewayContext, account: IiqAccount): Promise<IiqEntitlement[]> {
  const found = await resourceLoaders(ctx).entitlementByKey.loadMany(entitlementKeysOf(account));
  return found.flatMap((e) => {
    if (e instanceof Error) throw e;
    return e ? [e] : [];
  });
}
