// ServiceProviderConfig, ResourceTypes and Schemas (reference §2, §7).
import { URN, type AnyResource } from './resources.ts';

const DOC_URI = 'https://community.sailpoint.com/community/identityiq/product-downloads';

export function serviceProviderConfig(base: string, maxResults: number): Record<string, unknown> {
  return {
    schemas: [URN.serviceProviderConfig],
    documentationUri: DOC_URI,
    patch: { supported: false },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'httpbasic', name: 'HTTP Basic', description: 'Authentication Scheme using the Http Basic Standard',
        specUri: 'http://www.ietf.org/rfc/rfc2617.txt', documentationUri: DOC_URI,
      },
      {
        type: 'oauthbearertoken', name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard', specUri: 'http://tools.ietf.org/html/rfc6750',
      },
    ],
    meta: { location: `${base}/ServiceProviderConfig`, resourceType: 'ServiceProviderConfig' },
  };
}

const DESCRIPTIONS: Record<string, string> = {
  User: 'User Account',
  Role: 'Role',
  Account: 'Account',
  Application: 'Application',
  Entitlement: 'Entitlement',
  PolicyViolation: 'Policy Violation',
  Workflow: 'Workflow',
  TaskResult: 'Task Result',
  ObjectConfig: 'Object Configuration',
};

export function resourceTypeOf(rt: AnyResource, base: string): Record<string, unknown> {
  return {
    schemas: [URN.resourceType],
    id: rt.name,
    name: rt.name,
    endpoint: `/${rt.endpoint}`,
    description: DESCRIPTIONS[rt.name] ?? rt.name,
    schema: rt.coreUrn,
    schemaExtensions: rt.extensionUrns.map((schema) => ({ schema, required: true })),
    meta: { location: `${base}/ResourceTypes/${rt.name}`, resourceType: 'ResourceType' },
  };
}

/** RFC 7643 §7 attribute types by name (the same name has the same type on every resource here). */
const ATTRIBUTE_TYPES: Record<string, string> = {
  active: 'boolean', isManager: 'boolean', locked: 'boolean', manuallyCorrelated: 'boolean', hasEntitlements: 'boolean',
  requestable: 'boolean', aggregated: 'boolean', riskScore: 'integer',
  lastRefresh: 'dateTime', lastTargetAggregation: 'dateTime', activationDate: 'dateTime', deactivationDate: 'dateTime',
  name: 'complex', emails: 'complex', manager: 'complex', accounts: 'complex', roles: 'complex', entitlements: 'complex',
  administrator: 'complex', locationOwner: 'complex', regionOwner: 'complex', owner: 'complex', identity: 'complex',
  application: 'complex', inheritance: 'complex', requirements: 'complex', permits: 'complex', descriptions: 'complex',
  classifications: 'complex', applicationSchemas: 'complex', type: 'string', id: 'string',
};
const MULTI_VALUED = new Set([
  'emails', 'capabilities', 'costcenter', 'accounts', 'roles', 'entitlements', 'inheritance', 'requirements', 'permits',
  'descriptions', 'classifications', 'features', 'applicationSchemas',
]);

export function schemasOf(rt: AnyResource, base: string): Record<string, unknown>[] {
  return [rt.coreUrn, ...rt.extensionUrns].map((urn) => {
    const requestOnly = new Set(rt.requestOnly[urn] ?? []);
    return {
      schemas: [URN.schema],
      id: urn,
      name: urn === rt.coreUrn ? rt.name : urn.split(':').slice(-2).join(' '),
      attributes: (rt.attributeNames[urn] ?? []).filter((n) => n !== 'schemas' && n !== 'meta').map((name) => ({
        name,
        type: ATTRIBUTE_TYPES[name] ?? 'string',
        multiValued: MULTI_VALUED.has(name),
        required: name === 'userName',
        returned: name === 'id' ? 'always' : name === 'password' ? 'never' : requestOnly.has(name) ? 'request' : 'default',
        mutability: ['id', 'accounts', 'roles', 'entitlements', 'isManager', 'riskScore', 'lastRefresh'].includes(name)
          ? 'readOnly'
          : name === 'userName' ? 'immutable' : name === 'password' ? 'writeOnly' : 'readWrite',
      })),
      meta: { location: `${base}/Schemas/${urn}`, resourceType: 'Schema' },
    };
  });
}
