// The IdentityIQ SCIM client: maps the wire-independent contract (types.ts) onto IIQ's SCIM 2.0 API.
// Transport, auth and retries live in http.ts; filters in filter.ts; paging in paging.ts; models in schemas/.
import { IiqError, invalidResponse, isIiqError, issuesFrom } from './errors.ts';
import {
  URN_CORE_USER,
  URN_ENTERPRISE_USER,
  URN_SAILPOINT_USER,
  DEFAULT_MAX_FILTER_URL_LENGTH,
  anyOf,
  filterLiteral,
  roleAttrPath,
  stringifyFilter,
  stringifyRoleFilter,
  stringifyUserFilter,
  userAttrPath,
  type FilterNode,
} from './filter.ts';
import { IiqHttp, type HttpRequest } from './http.ts';
import { iteratePages } from './paging.ts';
import { parseList, parseRole, parseUser as parseUserItem, parseUserPage } from './ingest.ts';
import { createResourceMethods } from './resources.ts';
import { scimSchemaSchema } from './schemas/discovery.ts';
import { scimServiceProviderConfigSchema } from './schemas/spc.ts';
import type {
  CallOptions,
  IiqClient,
  IiqClientOptions,
  IiqRole,
  IiqServiceProviderConfig,
  IiqUser,
  IiqUserInput,
  IterateOptions,
  NotModified,
  Page,
  RoleField,
  RoleQuery,
  UserField,
  UserLookupOptions,
  UserQuery,
} from './types.ts';

/** Servlet containers commonly refuse request lines above 8 KB (Tomcat maxHttpHeaderSize). */
const MAX_URL_LENGTH = 8 * 1024;
const ROLES_ATTR = `${URN_SAILPOINT_USER}:roles`;
const ENTITLEMENTS_ATTR = `${URN_SAILPOINT_USER}:entitlements`;

/** Fallback for IIQ's default-returned user attributes (those of the 7.2 fixed schema) when /Schemas is unreadable. */
const DEFAULT_USER_ATTRIBUTES = [
  'userName', 'name', 'displayName', 'active', 'emails',
  `${URN_ENTERPRISE_USER}:manager`,
  ...['accounts', 'capabilities', 'riskScore', 'isManager', 'lastRefresh'].map((a) => `${URN_SAILPOINT_USER}:${a}`),
];

/** Logical field → the attributes to request (complex attributes are requested whole). */
function attributesForField(field: UserField): string[] {
  if (field.startsWith('custom:')) return [userAttrPath(field).replace(/\.(value|displayName)$/, '')];
  switch (field) {
    case 'formattedName':
    case 'givenName':
    case 'familyName':
      return ['name'];
    case 'email':
      return ['emails'];
    case 'managerId':
    case 'managerDisplayName':
      return [`${URN_ENTERPRISE_USER}:manager`];
    case 'created':
    case 'lastModified':
      return []; // meta is always returned
    default:
      return [userAttrPath(field)];
  }
}

interface UserSelection {
  fields?: UserField[] | 'default' | undefined;
  includeRoles?: boolean | undefined;
  includeEntitlements?: boolean | undefined;
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function createIiqClient(options: IiqClientOptions): IiqClient {
  const http = new IiqHttp(options);
  const logger = options.logger;
  let spcPromise: Promise<IiqServiceProviderConfig> | null = null;
  let defaultAttrsPromise: Promise<string[]> | null = null;
  // Whether IIQ accepts `id` in filters (7.2 does not: 400 invalidFilter); probed once, then remembered.
  let idFilter: 'unknown' | 'yes' | 'no' = 'unknown';
  let idProbe: Promise<void> | null = null;
  const lookupConcurrency = Math.max(1, Math.min(8, options.maxConnections ?? 8));

  // ------------------------------------------------------------------------------------------------------
  // Parsing
  // ------------------------------------------------------------------------------------------------------

  function parseUser(operation: string, json: unknown, sel: UserSelection, path: PropertyKey[] = []): IiqUser {
    return parseUserItem(operation, json, { roles: !!sel.includeRoles, entitlements: !!sel.includeEntitlements }, path);
  }

  // ------------------------------------------------------------------------------------------------------
  // Discovery
  // ------------------------------------------------------------------------------------------------------

  function serviceProviderConfig(opts: CallOptions = {}): Promise<IiqServiceProviderConfig> {
    // Fetched once, lazily; a failure is not cached (no caching of transient errors).
    spcPromise ??= (async () => {
      const operation = 'serviceProviderConfig';
      // IIQ excludes /ServiceProviderConfig from its auth filter (reference §1); a fronting SSO layer may not
      const fetchSpc = (auth: boolean) => http.request({ operation, method: 'GET', path: '/ServiceProviderConfig', auth, requestId: opts.requestId });
      const res = await fetchSpc(false).catch((err: unknown) => {
        if (isIiqError(err, 'unauthorized')) return fetchSpc(true);
        throw err;
      });
      const parsed = scimServiceProviderConfigSchema.safeParse(res.json);
      if (!parsed.success) throw invalidResponse(operation, 'ServiceProviderConfig failed validation', { issues: issuesFrom(parsed.error.issues) });
      const d = parsed.data;
      return {
        maxResults: d.filter?.maxResults ?? 1000,
        filterSupported: d.filter?.supported ?? true,
        sortSupported: d.sort?.supported ?? true,
        etagSupported: d.etag?.supported ?? false,
        patchSupported: d.patch?.supported ?? false,
        authenticationSchemes: (d.authenticationSchemes ?? []).flatMap((s) => (s.type ? [s.type] : [])),
      };
    })().catch((err: unknown) => {
      spcPromise = null;
      throw err;
    });
    return spcPromise;
  }

  async function maxResults(opts: CallOptions): Promise<number> {
    return (await serviceProviderConfig(opts)).maxResults;
  }

  /**
   * The attributes IIQ returns by default, read once from /Schemas (core, enterprise, SailPoint — the latter
   * lists the install's custom identity attributes). Needed because once `attributes` is sent, IIQ returns only
   * what is named. Falls back to a fixed 7.2-safe list when /Schemas is refused (cached) or fails (not cached).
   */
  function defaultUserAttributes(opts: CallOptions): Promise<string[]> {
    defaultAttrsPromise ??= (async () => {
      const operation = 'userSchemas';
      try {
        const lists = await Promise.all(
          [URN_CORE_USER, URN_ENTERPRISE_USER, URN_SAILPOINT_USER].map(async (urn) => {
            const res = await http.request({ operation, method: 'GET', path: `/Schemas/${urn}`, requestId: opts.requestId });
            const parsed = scimSchemaSchema.safeParse(res.json);
            if (!parsed.success) throw invalidResponse(operation, 'a User schema failed validation', { issues: issuesFrom(parsed.error.issues) });
            return parsed.data.attributes
              .filter((a) => (a.returned ?? 'default') === 'default' && a.name !== 'id')
              .map((a) => (urn === URN_CORE_USER ? a.name : `${urn}:${a.name}`));
          }),
        );
        return [...new Set(['userName', ...lists.flat()])];
      } catch (err) {
        if (isIiqError(err, 'aborted')) throw err;
        const transient = !isIiqError(err) || err.kind === 'transport' || err.kind === 'upstreamUnavailable' || err.kind === 'tooMany';
        logger?.warn(
          { operation, kind: isIiqError(err) ? err.kind : 'unknown', status: isIiqError(err) ? err.status : undefined },
          'IIQ client: could not read the User schemas; with roles/entitlements only the standard attributes are requested (custom ones omitted)',
        );
        if (transient) throw err;
        return [...DEFAULT_USER_ATTRIBUTES];
      }
    })().catch((err: unknown) => {
      defaultAttrsPromise = null;
      throw err;
    });
    return defaultAttrsPromise;
  }

  /** SCIM `attributes` for a selection; undefined = let IIQ return its defaults. */
  async function userAttributes(sel: UserSelection, opts: CallOptions): Promise<string | undefined> {
    const extra = [...(sel.includeRoles ? [ROLES_ATTR] : []), ...(sel.includeEntitlements ? [ENTITLEMENTS_ATTR] : [])];
    const fields = sel.fields;
    if (fields === undefined || fields === 'default') {
      if (extra.length === 0) return undefined;
      // IIQ returns roles/entitlements only when named by full URN, and then returns only what is named.
      let defaults: string[];
      try {
        defaults = await defaultUserAttributes(opts);
      } catch (err) {
        if (isIiqError(err, 'aborted') || isIiqError(err, 'unauthorized')) throw err;
        defaults = [...DEFAULT_USER_ATTRIBUTES];
      }
      return [...new Set([...defaults, ...extra])].join(',');
    }
    const attrs = new Set<string>(['id', 'userName']);
    for (const f of fields) for (const a of attributesForField(f)) attrs.add(a);
    for (const a of extra) attrs.add(a);
    return [...attrs].join(',');
  }

  function checkUrl(operation: string, path: string, query: HttpRequest['query']): void {
    if (http.pathFor(path, query).length + new URL(http.baseUrl).origin.length > MAX_URL_LENGTH) {
      throw new IiqError({ kind: 'invalidFilter', operation, message: `${operation}: the request URL would exceed ${MAX_URL_LENGTH} characters; split the filter (anyOf does)` });
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Users
  // ------------------------------------------------------------------------------------------------------

  interface UserPageRequest {
    filter: string | undefined;
    sortBy: string;
    sortOrder: string | undefined;
    attributes: string | undefined;
    excludedAttributes: string | undefined;
    sel: UserSelection;
  }

  async function prepareUserQuery(query: Omit<UserQuery, 'startIndex' | 'count'>, opts: CallOptions): Promise<UserPageRequest> {
    const sel: UserSelection = { fields: query.fields, includeRoles: query.includeRoles, includeEntitlements: query.includeEntitlements };
    const attributes = await userAttributes(sel, opts);
    const excluded = attributes === undefined && query.excludedFields?.length
      ? [...new Set(query.excludedFields.flatMap(attributesForField))].join(',') || undefined
      : undefined;
    return {
      filter: query.filter ? stringifyUserFilter(query.filter) : undefined,
      // IIQ adds no ORDER BY without sortBy, so pages would be unstable (reference §4.2)
      sortBy: userAttrPath(query.sort?.by ?? 'userName'),
      sortOrder: query.sort?.order,
      attributes,
      excludedAttributes: excluded,
      sel,
    };
  }

  async function fetchUserPage(operation: string, req: UserPageRequest, startIndex: number, count: number, opts: CallOptions): Promise<Page<IiqUser>> {
    const query = {
      filter: req.filter,
      sortBy: req.sortBy,
      sortOrder: req.sortOrder,
      startIndex, // 1-based, RFC 7644 §3.4.2.4
      count,
      attributes: req.attributes,
      excludedAttributes: req.excludedAttributes,
    };
    checkUrl(operation, '/Users', query);
    const res = await http.request({ operation, method: 'GET', path: '/Users', query, signal: opts.signal, requestId: opts.requestId });
    return parseUserPage(operation, res.json, { roles: !!req.sel.includeRoles, entitlements: !!req.sel.includeEntitlements });
  }

  async function clampCount(count: number | undefined, opts: CallOptions): Promise<number> {
    const max = await maxResults(opts);
    const wanted = count ?? options.pageSize ?? 100;
    return Math.max(0, Math.min(Math.floor(wanted), max));
  }

  async function listUsers(query: UserQuery, opts: CallOptions = {}): Promise<Page<IiqUser>> {
    const req = await prepareUserQuery(query, opts);
    const count = await clampCount(query.count, opts);
    const startIndex = Math.max(1, Math.floor(query.startIndex ?? 1));
    return fetchUserPage('listUsers', req, startIndex, count, opts);
  }

  async function countUsers(filter?: FilterNode<UserField>, opts: CallOptions = {}): Promise<number> {
    const operation = 'countUsers';
    const query = { filter: filter ? stringifyUserFilter(filter) : undefined, count: 0 }; // count=0 → totals only
    checkUrl(operation, '/Users', query);
    const res = await http.request({ operation, method: 'GET', path: '/Users', query, signal: opts.signal, requestId: opts.requestId });
    return parseList(operation, res.json, () => null).totalResults;
  }

  async function* iterateUsers(
    query: Omit<UserQuery, 'startIndex' | 'count'>,
    iter: IterateOptions = {},
    opts: CallOptions = {},
  ): AsyncGenerator<IiqUser, void, undefined> {
    const req = await prepareUserQuery(query, opts);
    const pageSize = Math.max(1, await clampCount(iter.pageSize, opts));
    yield* iteratePages((start, count, signal) => fetchUserPage('iterateUsers', req, start, count, { ...opts, signal }), {
      pageSize,
      concurrency: iter.concurrency ?? 1,
      signal: opts.signal,
    });
  }

  /** Every page of one filtered query (used by batch lookups; totals are small). */
  async function allUsersMatching(operation: string, filter: FilterNode<string>, sel: UserSelection, sizeHint: number, opts: CallOptions): Promise<IiqUser[]> {
    const attributes = await userAttributes(sel, opts);
    const max = await maxResults(opts);
    const req: UserPageRequest = {
      filter: stringifyFilterRaw(filter),
      sortBy: 'userName',
      sortOrder: undefined,
      attributes,
      excludedAttributes: undefined,
      sel,
    };
    const count = Math.max(1, Math.min(max, sizeHint));
    const out: IiqUser[] = [];
    for await (const u of iteratePages((start, c, signal) => fetchUserPage(operation, req, start, c, { ...opts, signal }), { pageSize: count, signal: opts.signal })) {
      out.push(u);
    }
    return out;
  }

  function validId(id: string): boolean {
    // an empty id would hit the list endpoint; dot segments would be normalised away by the server
    return id.length > 0 && id !== '.' && id !== '..';
  }

  async function getUser(id: string, opts: UserLookupOptions = {}): Promise<IiqUser | null | NotModified> {
    const operation = 'getUser';
    if (!validId(id)) return null;
    const attributes = await userAttributes(opts, opts);
    const res = await http.request({
      operation,
      method: 'GET',
      path: `/Users/${encodeURIComponent(id)}`,
      query: { attributes },
      headers: opts.ifNoneMatch ? { 'if-none-match': opts.ifNoneMatch } : undefined,
      passStatuses: [404],
      signal: opts.signal,
      requestId: opts.requestId,
    });
    if (res.status === 404) return null;
    if (res.status === 304) return { notModified: true };
    const user = parseUser(operation, res.json, opts);
    // IIQ resolves /Users/{x} by id OR name; an id lookup must not answer for a userName.
    return user.id === id ? user : null;
  }

  async function getUserByName(userName: string, opts: UserLookupOptions = {}): Promise<IiqUser | null> {
    // Default: a filter, because lookupByName only exists on 8.x and servlet containers refuse encoded `/` or `\`
    // in path segments (Tomcat: ALLOW_ENCODED_SLASH / ALLOW_BACKSLASH off).
    if (options.userNameLookup === 'lookupByName' && validId(userName) && !/[/\\]/.test(userName)) {
      const operation = 'getUserByName';
      const res = await http.request({
        operation,
        method: 'GET',
        path: `/Users/${encodeURIComponent(userName)}`,
        query: { lookupByName: 'true', attributes: await userAttributes(opts, opts) },
        passStatuses: [404],
        signal: opts.signal,
        requestId: opts.requestId,
      });
      if (res.status === 404) return null;
      const user = parseUser(operation, res.json, opts);
      return user.userName.toLowerCase() === userName.toLowerCase() ? user : null;
    }
    const [result] = await getUsersByNames([userName], opts);
    return result ?? null;
  }

  async function getUsersByNames(userNames: readonly string[], opts: UserLookupOptions = {}): Promise<(IiqUser | null)[]> {
    const operation = 'getUsersByNames';
    if (userNames.length === 0) return [];
    const max = await maxResults(opts);
    // a name too long for any filter URL cannot be a userName IIQ stores: it is a miss, not a failed batch
    const unique = [...new Set(userNames)].filter((n) => fitsOneFilter(userAttrPath('userName'), n));
    const maxTerms = Math.min(max, 100);
    const chunks = anyOf('userName', unique, { resolve: userAttrPath, maxTerms });
    const found = (await mapBounded(chunks, 4, (chunk) => allUsersMatching(operation, chunk, opts, maxTerms, opts))).flat();
    const exact = new Map<string, IiqUser>();
    const folded = new Map<string, IiqUser[]>();
    for (const u of found) {
      exact.set(u.userName, u);
      const k = u.userName.toLowerCase();
      folded.set(k, [...(folded.get(k) ?? []), u]);
    }
    // IIQ compares userName case-insensitively (non-caseExact): take the exact match, else a unique folded one.
    return userNames.map((n) => {
      const hit = exact.get(n);
      if (hit) return hit;
      const candidates = folded.get(n.toLowerCase());
      return candidates?.length === 1 ? candidates[0]! : null;
    });
  }

  async function getUsersByIdsWithFilter(chunks: FilterNode<string>[], sel: UserLookupOptions, maxTerms: number, into: Map<string, IiqUser>): Promise<void> {
    const lists = await mapBounded(chunks, 4, (chunk) => allUsersMatching('getUsersByIds', chunk, sel, maxTerms, sel));
    for (const u of lists.flat()) into.set(u.id, u);
  }

  async function getUsersByIdsWithGets(ids: string[], sel: UserLookupOptions): Promise<Map<string, IiqUser>> {
    const { ifNoneMatch: _ignored, ...lookup } = sel;
    const users = await mapBounded(ids, lookupConcurrency, (id) => getUser(id, lookup));
    const map = new Map<string, IiqUser>();
    for (const u of users) if (u && !('notModified' in u)) map.set(u.id, u);
    return map;
  }

  async function getUsersByIds(ids: readonly string[], opts: UserLookupOptions = {}): Promise<(IiqUser | null)[]> {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)].filter((id) => validId(id) && fitsOneFilter('id', id));
    const maxTerms = Math.min(await maxResults(opts), 100);
    const chunks = anyOf('id', unique, { maxTerms });
    const found = new Map<string, IiqUser>();
    while (idFilter === 'unknown' && idProbe) await idProbe.catch(() => undefined);
    if (idFilter === 'unknown' && chunks.length > 0) {
      // Probe with the first chunk only: one 400 invalidFilter settles it for the life of the client.
      let done!: () => void;
      idProbe = new Promise<void>((r) => (done = r));
      try {
        await getUsersByIdsWithFilter(chunks.slice(0, 1), opts, maxTerms, found);
        idFilter = 'yes';
        chunks.shift();
      } catch (err) {
        if (!isIiqError(err, 'invalidFilter')) throw err;
        idFilter = 'no';
        logger?.info({ operation: 'getUsersByIds' }, 'IIQ client: this server cannot filter on id; batch lookups use parallel GETs');
      } finally {
        idProbe = null;
        done();
      }
    }
    if (idFilter === 'yes') await getUsersByIdsWithFilter(chunks, opts, maxTerms, found);
    else for (const [id, u] of await getUsersByIdsWithGets(unique, opts)) found.set(id, u);
    return ids.map((id) => found.get(id) ?? null);
  }

  // ------------------------------------------------------------------------------------------------------
  // Writes
  // ------------------------------------------------------------------------------------------------------

  function userBody(input: IiqUserInput): Record<string, unknown> {
    const body: Record<string, unknown> = { schemas: [URN_CORE_USER, URN_ENTERPRISE_USER, URN_SAILPOINT_USER], userName: input.userName };
    const name: Record<string, string> = {};
    if (input.givenName != null) name.givenName = input.givenName;
    if (input.familyName != null) name.familyName = input.familyName;
    if (Object.keys(name).length) body.name = name;
    if (input.displayName != null) body.displayName = input.displayName;
    if (input.active !== undefined) body.active = input.active;
    if (input.password !== undefined) body.password = input.password;
    // IIQ keeps exactly one work email (reference §3.1)
    if (input.email != null) body.emails = [{ type: 'work', value: input.email, primary: true }];
    if (input.managerId != null) body[URN_ENTERPRISE_USER] = { manager: { value: input.managerId } };
    const sp: Record<string, unknown> = { ...(input.customAttributes ?? {}) };
    if (input.capabilities !== undefined) sp.capabilities = input.capabilities;
    if (Object.keys(sp).length) body[URN_SAILPOINT_USER] = sp;
    return body;
  }

  async function createUser(input: IiqUserInput, opts: CallOptions = {}): Promise<IiqUser> {
    const operation = 'createUser';
    const res = await http.request({ operation, method: 'POST', path: '/Users', body: userBody(input), signal: opts.signal, requestId: opts.requestId });
    return parseUser(operation, res.json, {});
  }

  async function replaceUser(id: string, input: IiqUserInput, opts: CallOptions & { ifMatch?: string } = {}): Promise<IiqUser> {
    const operation = 'replaceUser';
    if (!validId(id)) throw new IiqError({ kind: 'notFound', operation, message: `${operation}: empty or invalid id` });
    const res = await http.request({
      operation,
      method: 'PUT',
      path: `/Users/${encodeURIComponent(id)}`,
      body: userBody(input),
      headers: opts.ifMatch ? { 'if-match': opts.ifMatch } : undefined,
      signal: opts.signal,
      requestId: opts.requestId,
    });
    return parseUser(operation, res.json, {});
  }

  async function deleteUser(id: string, opts: CallOptions & { ifMatch?: string } = {}): Promise<void> {
    const operation = 'deleteUser';
    if (!validId(id)) throw new IiqError({ kind: 'notFound', operation, message: `${operation}: empty or invalid id` });
    await http.request({
      operation,
      method: 'DELETE',
      path: `/Users/${encodeURIComponent(id)}`,
      headers: opts.ifMatch ? { 'if-match': opts.ifMatch } : undefined,
      signal: opts.signal,
      requestId: opts.requestId,
    });
  }

  // ------------------------------------------------------------------------------------------------------
  // Roles
  // ------------------------------------------------------------------------------------------------------

  async function fetchRolePage(operation: string, query: { filter?: string | undefined; sortBy: string; sortOrder?: string | undefined }, startIndex: number, count: number, opts: CallOptions): Promise<Page<IiqRole>> {
    const q = { ...query, startIndex, count };
    checkUrl(operation, '/Roles', q);
    const res = await http.request({ operation, method: 'GET', path: '/Roles', query: q, signal: opts.signal, requestId: opts.requestId });
    return parseList(operation, res.json, (j, p) => parseRole(operation, j, p));
  }

  async function listRoles(query: RoleQuery, opts: CallOptions = {}): Promise<Page<IiqRole>> {
    const count = await clampCount(query.count, opts);
    return fetchRolePage(
      'listRoles',
      { filter: query.filter ? stringifyRoleFilter(query.filter) : undefined, sortBy: roleAttrPath(query.sort?.by ?? 'name'), sortOrder: query.sort?.order },
      Math.max(1, Math.floor(query.startIndex ?? 1)),
      count,
      opts,
    );
  }

  async function getRole(id: string, opts: CallOptions = {}): Promise<IiqRole | null> {
    const operation = 'getRole';
    if (!validId(id)) return null;
    const res = await http.request({ operation, method: 'GET', path: `/Roles/${encodeURIComponent(id)}`, passStatuses: [404], signal: opts.signal, requestId: opts.requestId });
    if (res.status === 404) return null;
    const role = parseRole(operation, res.json);
    return role.id === id ? role : null;
  }

  async function getRoleByName(name: string, opts: CallOptions = {}): Promise<IiqRole | null> {
    const operation = 'getRoleByName';
    const page = await fetchRolePage(operation, { filter: stringifyRoleFilter({ op: 'eq', attr: 'name', value: name }), sortBy: 'name' }, 1, 50, opts);
    const exact = page.items.find((r) => r.name === name);
    if (exact) return exact;
    const folded = page.items.filter((r) => r.name.toLowerCase() === name.toLowerCase());
    return folded.length === 1 ? folded[0]! : null;
  }

  async function listAllRoles(opts: CallOptions & IterateOptions = {}): Promise<IiqRole[]> {
    const pageSize = Math.max(1, await clampCount(opts.pageSize ?? 250, opts));
    const out: IiqRole[] = [];
    const it = iteratePages((start, count, signal) => fetchRolePage('listAllRoles', { sortBy: 'name' }, start, count, { ...opts, signal }), {
      pageSize,
      concurrency: opts.concurrency ?? 4,
      signal: opts.signal,
    });
    for await (const r of it) out.push(r);
    return out;
  }

  return {
    baseUrl: http.baseUrl,
    serviceProviderConfig,
    userSchemaAttributes: (opts: CallOptions = {}) => defaultUserAttributes(opts),
    listUsers,
    countUsers,
    iterateUsers,
    getUser,
    getUserByName,
    getUsersByIds,
    getUsersByNames,
    createUser,
    replaceUser,
    deleteUser,
    listRoles,
    getRole,
    getRoleByName,
    listAllRoles,
    ...createResourceMethods(http, { clampCount }),
    poolStats: () => http.poolStats(),
    close: () => http.close(),
  };
}

function fitsOneFilter(path: string, value: string): boolean {
  return encodeURIComponent(`${path} eq ${filterLiteral(value)}`).length <= DEFAULT_MAX_FILTER_URL_LENGTH;
}

/** Batch-lookup filters: `id` is not a logical UserField (7.2 cannot filter on it) but is probed here. */
function stringifyFilterRaw(node: FilterNode<string>): string {
  return stringifyFilter(node, (a) => (a === 'id' ? 'id' : userAttrPath(a)));
}
