// Per-connection schema discovery: IIQ's /Schemas and /ResourceTypes, read once and kept for a while (IIQ adds
// custom identity attributes to the SailPoint User schema dynamically, so an install's own attributes are only
// known this way). Used to expose `iiqSchema`, to check custom attribute writes before they reach IIQ, and to
// type and check the names of `User.attribute(name:)` reads.
import type { IiqResourceType, IiqSchemaAttribute, IiqSchemaDoc } from '../iiq/resource-types.ts';
import type { IiqClient } from '../iiq/types.ts';
import type { CallOptions } from '../iiq/types.ts';
import { badUserInput } from './errors.ts';
import { AttributeValueError, ReadOnlyAttributeError, UnknownAttributeError } from './types/write-errors.ts';

export const URN_CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const URN_ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const URN_SAILPOINT_USER = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User';

/** Fixed SailPoint-extension attributes (reference §3.1): not custom, written through their own input fields. */
const FIXED_SAILPOINT = new Set(['accounts', 'entitlements', 'roles', 'capabilities', 'riskScore', 'isManager', 'lastRefresh', 'administrator', 'softwareVersion']);

export interface UserAttributeInfo extends IiqSchemaAttribute {
  /** the schema URN it belongs to */
  schema: string;
  /** a custom identity attribute (SailPoint extension, not one of the fixed ones) */
  custom: boolean;
}

export interface DiscoveredSchema {
  schemas: IiqSchemaDoc[];
  resourceTypes: IiqResourceType[];
  userAttributes: UserAttributeInfo[];
  /** custom attributes by lower-cased name (SCIM names are case-insensitive, RFC 7643 §2.1) */
  customByName: Map<string, UserAttributeInfo>;
  readAt: Date;
}

const TTL_MS = 5 * 60_000;
// keyed by the connection's client: shared across requests on purpose, dropped with the client
const cache = new WeakMap<IiqClient, { at: number; promise: Promise<DiscoveredSchema>; value?: DiscoveredSchema }>();

/** The discovered schema when it is at hand and fresh (no promise per row on hot paths), else null. */
export function peekSchema(client: IiqClient): DiscoveredSchema | null {
  const hit = cache.get(client);
  return hit?.value && Date.now() - hit.at < TTL_MS ? hit.value : null;
}

export function discoverSchema(client: IiqClient, opts: CallOptions = {}): Promise<DiscoveredSchema> {
  const hit = cache.get(client);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.promise;
  const promise = (async () => {
    const [schemas, resourceTypes] = await Promise.all([client.listSchemas(opts), client.listResourceTypes(opts)]);
    const userType = resourceTypes.find((r) => r.endpoint.replace(/^\//, '') === 'Users');
    const urns = userType ? [userType.schema, ...userType.extensions] : [URN_CORE_USER, URN_ENTERPRISE_USER, URN_SAILPOINT_USER];
    const userAttributes: UserAttributeInfo[] = [];
    for (const urn of urns) {
      const doc = schemas.find((s) => s.id === urn);
      for (const a of doc?.attributes ?? []) {
        userAttributes.push({ ...a, schema: urn, custom: urn === URN_SAILPOINT_USER && !FIXED_SAILPOINT.has(a.name) });
      }
    }
    const customByName = new Map(userAttributes.filter((a) => a.custom).map((a) => [a.name.toLowerCase(), a] as const));
    return { schemas, resourceTypes, userAttributes, customByName, readAt: new Date() };
  })();
  const entry: { at: number; promise: Promise<DiscoveredSchema>; value?: DiscoveredSchema } = { at: Date.now(), promise };
  cache.set(client, entry);
  promise.then((value) => void (entry.value = value), () => undefined);
  // a failure is not cached (no caching of transient errors)
  promise.catch(() => {
    if (cache.get(client)?.promise === promise) cache.delete(client);
  });
  return promise;
}

const WRITABLE = new Set(['readWrite', 'writeOnly']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** One value against the attribute's SCIM type (RFC 7643 §2.3); identity references by id or `{ value }`. */
function checkValue(attr: UserAttributeInfo, value: unknown): unknown {
  const fail = (expected: string): never => {
    throw new AttributeValueError(attr.name, expected);
  };
  switch (attr.type ?? 'string') {
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('a boolean');
    case 'integer':
      return Number.isSafeInteger(value) ? value : fail('an integer');
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail('a number');
    case 'dateTime':
      return typeof value === 'string' && DATE_TIME.test(value) ? value : fail('an ISO-8601 date-time');
    case 'complex':
    case 'reference':
      // identity-typed custom attributes: `{ value: <identity id> }` on the wire
      if (typeof value === 'string' && value.trim()) return { value };
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { value?: unknown }).value === 'string') {
        return { value: (value as { value: string }).value };
      }
      return fail('an identity id (or { value: id })');
    default:
      return typeof value === 'string' ? value : fail('a string');
  }
}

/**
 * Custom attributes of a write, checked against the discovered SailPoint User schema: names must exist (case
 * as IIQ configured them is restored), be writable, and values must have the attribute's type. null clears.
 */
export function checkCustomAttributes(schema: DiscoveredSchema, attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const lower = name.toLowerCase();
    const attr = schema.customByName.get(lower);
    if (!attr) {
      const fixed = schema.userAttributes.find((a) => a.name.toLowerCase() === lower);
      if (fixed && !WRITABLE.has(fixed.mutability ?? 'readWrite')) throw new ReadOnlyAttributeError(fixed.name, fixed.mutability ?? 'readOnly');
      throw new UnknownAttributeError(name);
    }
    const mutability = attr.mutability ?? 'readWrite';
    if (!WRITABLE.has(mutability)) throw new ReadOnlyAttributeError(attr.name, mutability);
    if (value === null) {
      out[attr.name] = attr.multiValued ? [] : null;
    } else if (attr.multiValued) {
      out[attr.name] = (Array.isArray(value) ? value : [value]).map((v) => checkValue(attr, v));
    } else {
      if (Array.isArray(value)) throw new AttributeValueError(attr.name, 'a single value');
      out[attr.name] = checkValue(attr, value);
    }
  }
  return out;
}

/** The writable custom attributes of a read identity, as they go back on a PUT (identity refs by value). */
export function writableCustomAttributes(schema: DiscoveredSchema, current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(current)) {
    const attr = schema.customByName.get(name.toLowerCase());
    if (!attr || !WRITABLE.has(attr.mutability ?? 'readWrite') || value === null || value === undefined) continue;
    if (typeof value === 'object' && !Array.isArray(value) && 'id' in (value as object)) out[attr.name] = { value: (value as { id: string }).id };
    else out[attr.name] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Reading: `User.attribute(name:)` and its typed variants
// ---------------------------------------------------------------------------------------------------------

/** How many known custom attribute names an unknown-name error lists in its extensions. */
export const KNOWN_ATTRIBUTES_LISTED = 50;

/**
 * The custom attribute `name` names (case-insensitive), or a BAD_USER_INPUT error with `reason: UNKNOWN_ATTRIBUTE`
 * listing the known custom attribute names (at most KNOWN_ATTRIBUTES_LISTED).
 */
export function customAttributeOrError(schema: DiscoveredSchema, name: string, argument = 'name'): UserAttributeInfo {
  const found = schema.customByName.get(name.toLowerCase());
  if (found) return found;
  const known = [...schema.customByName.values()].map((a) => a.name);
  const other = schema.userAttributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
  const hint = other ? ` ("${other.name}" is a ${other.custom ? '' : 'standard '}User attribute: read it through its own field)` : '';
  throw badUserInput(`${argument}: "${name.slice(0, 70)}" is not a custom identity attribute of this IdentityIQ${hint}`, {
    argument,
    reason: 'UNKNOWN_ATTRIBUTE',
    knownAttributes: known.slice(0, KNOWN_ATTRIBUTES_LISTED),
    ...(known.length > KNOWN_ATTRIBUTES_LISTED ? { knownAttributesTruncated: true } : {}),
  });
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One read value as the attribute's SCIM type says (null when it cannot be read as that type). */
function coerceOne(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer':
      if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
      return typeof v === 'string' && INTEGER.test(v.trim()) && Number.isSafeInteger(Number(v)) ? Number(v) : null;
    case 'decimal':
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      return typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v) : null;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
      return null;
    case 'dateTime': {
      const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
      return Number.isFinite(t) ? new Date(t).toISOString() : null;
    }
    case 'complex':
    case 'reference':
      // identity-typed attributes: the reference object as the client read it ({ id, displayName, ... })
      if (typeof v === 'object' && !Array.isArray(v)) return v;
      return typeof v === 'string' && v ? { id: v } : null;
    default:
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  }
}

/**
 * A read value coerced per the discovered schema: integer/decimal -> number, boolean, dateTime -> ISO-8601
 * string, complex/reference (identity-typed) -> object, string; multi-valued -> a list (empty when absent).
 */
export function coerceAttributeValue(attr: UserAttributeInfo, raw: unknown): unknown {
  const type = attr.type ?? 'string';
  if (attr.multiValued) {
    const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return list.map((v) => coerceOne(type, v)).filter((v) => v !== null);
  }
  return coerceOne(type, Array.isArray(raw) ? raw[0] : raw);
}

/** The attribute's value on a user, by the schema's (case-preserving) name, case-insensitively. */
export function readCustomAttribute(customAttributes: Record<string, unknown>, name: string): unknown {
  if (name in customAttributes) return customAttributes[name];
  const lower = name.toLowerCase();
  const key = Object.keys(customAttributes).find((k) => k.toLowerCase() === lower);
  return key === undefined ? null : customAttributes[key];
}
