// /ObjectConfigs (IIQ 8.x): the attribute definitions of Identity, Link, Bundle and ManagedAttribute. Clients use
// the Identity one to discover extended identity attributes (reference §2). Fixed content, ids from their own
// seeded stream so they do not shift the ids of the generated data.
import { DATA_EPOCH } from './generate.ts';
import { Rng } from './random.ts';
import { scimDate, versionOf, type ResourceType, type SerializeContext } from './resources.ts';
import type { Store } from './store.ts';

export const OBJECT_CONFIG_URN = 'urn:ietf:params:scim:schemas:sailpoint:1.0:ObjectConfig';

interface ObjectAttribute {
  name: string;
  displayName: string;
  type: string;
  multi: boolean;
  system: boolean;
  standard: boolean;
  extendedNumber?: number;
  namedColumn: boolean;
  editMode?: 'READONLY' | 'PERMANENT' | 'UNTILFEEDVALUECHANGES';
}

export interface SimObjectConfig {
  id: string;
  name: string;
  displayName: string;
  objectAttributes: ObjectAttribute[];
  created: number;
  lastModified: number;
}

const attr = (name: string, displayName: string, type: string, extra: Partial<ObjectAttribute> = {}): ObjectAttribute => ({
  name, displayName, type, multi: false, system: false, standard: false, namedColumn: false, ...extra,
});

const DEFINITIONS: Omit<SimObjectConfig, 'id' | 'created' | 'lastModified'>[] = [
  {
    name: 'Identity',
    displayName: 'Identity Object Configuration',
    objectAttributes: [
      attr('firstname', 'attr_first_name', 'string', { standard: true }),
      attr('lastname', 'attr_last_name', 'string', { standard: true }),
      attr('displayName', 'attr_display_name', 'string', { standard: true }),
      attr('email', 'attr_email', 'string', { standard: true }),
      attr('manager', 'attr_manager', 'sailpoint.object.Identity', { standard: true }),
      attr('inactive', 'attr_inactive', 'boolean', { standard: true }),
      attr('type', 'attr_type', 'string', { standard: true }),
      attr('managerStatus', 'attr_manager_status', 'boolean', { system: true }),
      attr('bundles', 'attr_bundles', 'string', { system: true, multi: true }),
      attr('assignedRoles', 'attr_assigned_roles', 'string', { system: true, multi: true }),
      attr('department', 'Department', 'string', { extendedNumber: 1, editMode: 'UNTILFEEDVALUECHANGES' }),
      attr('costcenter', 'Cost Center', 'string', { extendedNumber: 2, multi: true }),
      attr('jobtitle', 'Job Title', 'string', { extendedNumber: 3 }),
      attr('location', 'Location', 'string', { extendedNumber: 4 }),
      attr('locationOwner', 'Location Owner', 'sailpoint.object.Identity', { namedColumn: true }),
      attr('region', 'Region', 'string', { extendedNumber: 5 }),
      attr('regionOwner', 'Region Owner', 'sailpoint.object.Identity', { namedColumn: true }),
      attr('empId', 'Employee Id', 'string', { extendedNumber: 6, editMode: 'READONLY' }),
    ],
  },
  {
    name: 'Link',
    displayName: 'Link Object Configuration',
    objectAttributes: [attr('lastLogin', 'attr_demoLastLogin', 'date', { extendedNumber: 1 }), attr('employeeType', 'Employee Type', 'string', { extendedNumber: 2 })],
  },
  {
    name: 'Bundle',
    displayName: 'Role Object Configuration',
    objectAttributes: [attr('riskLevel', 'Risk Level', 'string', { extendedNumber: 1 })],
  },
  {
    name: 'ManagedAttribute',
    displayName: 'Entitlement Object Configuration',
    objectAttributes: [attr('sensitivity', 'Sensitivity', 'string', { extendedNumber: 1 })],
  },
];

const cache = new WeakMap<Store, SimObjectConfig[]>();

function objectConfigs(store: Store): SimObjectConfig[] {
  let list = cache.get(store);
  if (!list) {
    const rng = new Rng(0x0bc0f16);
    list = DEFINITIONS.map((d, i) => ({ ...d, id: rng.hexId(), created: DATA_EPOCH - (400 - i) * 86_400_000, lastModified: DATA_EPOCH - (30 - i) * 86_400_000 }));
    cache.set(store, list);
  }
  return list;
}

export const objectConfigResource: ResourceType<SimObjectConfig> = {
  name: 'ObjectConfig',
  endpoint: 'ObjectConfigs',
  coreUrn: OBJECT_CONFIG_URN,
  extensionUrns: [],
  attributeNames: { [OBJECT_CONFIG_URN]: ['id', 'name', 'displayName', 'objectAttributes', 'meta', 'schemas'] },
  requestOnly: {},
  noSearchRoots: { [OBJECT_CONFIG_URN]: ['objectAttributes'] },
  filterable: [
    { urn: OBJECT_CONFIG_URN, path: 'id', kind: 'reference', search: 'noMapping', caseExact: true, get: (o) => o.id },
    { urn: OBJECT_CONFIG_URN, path: 'name', kind: 'string', search: 'yes', get: (o) => o.name },
    { urn: OBJECT_CONFIG_URN, path: 'displayName', kind: 'string', search: 'yes', get: (o) => o.displayName },
    { urn: OBJECT_CONFIG_URN, path: 'meta.created', kind: 'dateTime', search: 'yes', get: (o) => o.created },
    { urn: OBJECT_CONFIG_URN, path: 'meta.lastModified', kind: 'dateTime', search: 'yes', get: (o) => o.lastModified },
  ],
  all: (st) => objectConfigs(st),
  byId: (st, id) => objectConfigs(st).find((o) => o.id === id),
  byName: (st, name) => objectConfigs(st).find((o) => o.name === name),
  idOf: (o) => o.id,
  lastModifiedOf: (o) => o.lastModified,
  serialize(o: SimObjectConfig, ctx: SerializeContext) {
    return {
      schemas: [OBJECT_CONFIG_URN],
      id: o.id,
      name: o.name,
      displayName: o.displayName,
      objectAttributes: o.objectAttributes.map((a) => ({ ...a })),
      meta: {
        created: scimDate(o.created),
        lastModified: scimDate(o.lastModified),
        location: `${ctx.base}/ObjectConfigs/${o.id}`,
        version: versionOf(o.lastModified),
        resourceType: 'ObjectConfig',
      },
    };
  },
};
