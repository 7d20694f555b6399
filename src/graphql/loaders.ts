// Per-request loaders (created with each request's context, never at module level). Keys carry the selection
// shape; one tick's loads are merged into one upstream call asking for the union of what was selected.
import DataLoader from 'dataloader';
import { f } from '../iiq/filter.ts';
import type { IiqClient, IiqRole, IiqUser, UserLookupOptions } from '../iiq/types.ts';
import { lookupOptions, mergeDemands, type UserDemand } from './selection.ts';
import { userStub } from './user-stub.ts';

interface Keyed<K> {
  key: K;
  demand: UserDemand;
}

/** DataLoader over (key, demand) pairs: cache per key+shape, batch = all keys with the merged shape. */
function shapedLoader<K extends string, V>(batch: (keys: readonly K[], demand: UserDemand) => Promise<readonly (V | Error)[]>) {
  const loader = new DataLoader<Keyed<K>, V, string>(
    async (items) => {
      const demand = mergeDemands(items.map((i) => i.demand));
      const unique = [...new Set(items.map((i) => i.key))];
      const values = await batch(unique, demand);
      const byKey = new Map(unique.map((k, n) => [k, values[n]!] as const));
      return items.map((i) => byKey.get(i.key)!);
    },
    { cacheKeyFn: (i) => `${i.demand.key}\u0000${i.key}` },
  );
  return Object.assign((key: K, demand: UserDemand) => loader.load({ key, demand }), { clearAll: () => void loader.clearAll() });
}

const REPORTS_CHUNK = 25;

/**
 * Users by id. Stock IIQ cannot filter on id, so `getUsersByIds` costs one GET per id there; ids the membership
 * index knows are translated to their (immutable) userNames and fetched with one `userName` anyOf filter per
 * chunk instead. A user found by name must carry the requested id (else the name now belongs to another
 * identity); such ids and ids the index does not know go through `getUsersByIds`.
 */
export async function usersByIds(
  client: Pick<IiqClient, 'getUsersByIds' | 'getUsersByNames'>,
  ids: readonly string[],
  opts: UserLookupOptions,
  knownUserName?: (id: string) => string | undefined,
): Promise<(IiqUser | null)[]> {
  const named = knownUserName ? ids.flatMap((id) => {
    const userName = knownUserName(id);
    return userName === undefined ? [] : [{ id, userName }];
  }) : [];
  if (named.length === 0) return client.getUsersByIds(ids, opts);
  const found = new Map<string, IiqUser>();
  const byName = await client.getUsersByNames(named.map((n) => n.userName), opts);
  named.forEach((n, i) => {
    const u = byName[i];
    if (u && u.id === n.id) found.set(n.id, u);
  });
  const rest = ids.filter((id) => !found.has(id));
  if (rest.length > 0) (await client.getUsersByIds(rest, opts)).forEach((u, i) => u && found.set(rest[i]!, u));
  return ids.map((id) => found.get(id) ?? null);
}

export class RequestLoaders {
  readonly userById: (id: string, demand: UserDemand) => Promise<IiqUser | null>;
  readonly userByName: (userName: string, demand: UserDemand) => Promise<IiqUser | null>;
  /** all direct reports of a manager, userName ascending (managers of one level fetched together) */
  readonly directReports: ((managerId: string, demand: UserDemand) => Promise<readonly IiqUser[]>) & { clearAll(): void };
  /** roles missing from the catalog (created since it was cached) */
  readonly roleById: DataLoader<string, IiqRole | null>;

  /** @param knownUserName id -> userName from the membership index: selections of only id/userName cost nothing */
  constructor(client: IiqClient, signal?: AbortSignal, knownUserName?: (id: string) => string | undefined) {
    const opts = (demand: UserDemand) => lookupOptions(demand, signal);
    const byId = shapedLoader<string, IiqUser | null>((ids, demand) => usersByIds(client, ids, opts(demand), knownUserName));
    this.userById = (id, demand) => {
      const nameOnly = !demand.roles && demand.fields !== 'default' && [...demand.fields].every((f) => f === 'userName');
      const name = nameOnly ? knownUserName?.(id) : undefined;
      return name === undefined ? byId(id, demand) : Promise.resolve(userStub(id, name));
    };
    const byName = shapedLoader((names, demand) => client.getUsersByNames(names, opts(demand)));
    this.userByName = byName;
    this.directReports = shapedLoader(async (managerIds, demand) => {
      // grouping needs the manager id on every report
      const withManager = mergeDemands([demand, { fields: new Set(['managerId']), roles: false, key: '' }]);
      const { fields, includeRoles } = lookupOptions(withManager);
      const groups = new Map<string, IiqUser[]>(managerIds.map((id) => [id, []]));
      for (let i = 0; i < managerIds.length; i += REPORTS_CHUNK) {
        const chunk = managerIds.slice(i, i + REPORTS_CHUNK);
        const filter = chunk.length === 1 ? f.eq('managerId', chunk[0]!) : f.or(...chunk.map((id) => f.eq('managerId', id)));
        const reports = client.iterateUsers(
          { filter, sort: { by: 'userName', order: 'ascending' }, ...(fields ? { fields } : {}), ...(includeRoles ? { includeRoles } : {}) },
          { pageSize: 1000 }, // few round trips; the client clamps to the server's maxResults
          signal ? { signal } : {},
        );
        for await (const user of reports) {
          const managerId = user.manager?.id;
          if (managerId) groups.get(managerId)?.push(user);
        }
      }
      return managerIds.map((id) => groups.get(id)!);
    });
    this.roleById = new DataLoader(async (ids) => Promise.all(ids.map((id) => client.getRole(id, signal ? { signal } : {}))));
    this.forgetUsers = () => {
      byId.clearAll();
      byName.clearAll();
      this.directReports.clearAll();
    };
  }

  /** Drops every cached user lookup of this request (after a write, later reads in the request see it). */
  readonly forgetUsers: () => void;
}
