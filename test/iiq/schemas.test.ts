import { describe, expect, it } from 'vitest';
import { errorFromStatus, invalidResponse, issuesFrom } from '../../src/iiq/errors.ts';
import { deriveTokenUrl, noProxyMatches, parseRetryAfter, resolveProxy } from '../../src/iiq/http.ts';
import { idFromRef } from '../../src/iiq/schemas/common.ts';
import { scimErrorSchema } from '../../src/iiq/schemas/error.ts';
import { scimListResponseSchema } from '../../src/iiq/schemas/list.ts';
import { scimRoleSchema, toIiqRole } from '../../src/iiq/schemas/role.ts';
import { scimUserSchema, toIiqUser } from '../../src/iiq/schemas/user.ts';
import { scimEntitlementSchema } from '../../src/iiq/schemas/entitlement.ts';
import { scimAccountSchema } from '../../src/iiq/schemas/account.ts';
import { scimApplicationSchema } from '../../src/iiq/schemas/application.ts';
import { scimPolicyViolationSchema } from '../../src/iiq/schemas/policyViolation.ts';

const SP = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const base = 'https://iiq.example.com/identityiq/scim/v2';

const wireUser = {
  schemas: [SP, 'urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: '0a0a428587481246818748c3e3f10894',
  userName: 'Amanda.Ross',
  name: { formatted: 'Amanda Ross', familyName: 'Ross', givenName: 'Amanda' },
  displayName: 'Amanda Ross',
  active: 'true',
  emails: [{ type: 'work', value: 'Amanda.Ross@example.com', primary: 'true' }],
  [ENT]: { manager: {} },
  [SP]: {
    capabilities: [],
    isManager: false,
    riskScore: '312',
    administrator: {},
    accounts: [{ displayName: '1b2c', value: 'acc1', $ref: `${base}/Accounts/acc1` }],
    department: 'Accounting',
    costcenter: ['R03', 'L07'],
    locationOwner: {},
    regionOwner: { value: 'mgr1', displayName: 'Richard Jackson', $ref: `${base}/Users/mgr1` },
    roles: [
      { value: 'assignedRoles', display: 'AP Clerk', type: 'business', acquired: 'Assigned', $ref: `${base}/Roles/role-b` },
      { value: 'detectedRoles', display: 'AP IT', type: 'it', acquired: 'Detected', application: 'AD', accountName: 'CN=x', $ref: `${base}/Roles/role-i` },
    ],
  },
  meta: { created: '2023-04-03T21:01:10.221-05:00', version: 'W/"1714637564518"', resourceType: 'User' },
};

describe('User model', () => {
  it('tolerates IIQ quirks and maps to the wire-independent model', () => {
    const parsed = scimUserSchema.safeParse(wireUser);
    expect(parsed.success).toBe(true);
    const u = toIiqUser(parsed.data!, wireUser, { roles: true, entitlements: false });
    expect(u.active).toBe(true);
    expect(u.emails).toEqual([{ value: 'Amanda.Ross@example.com', type: 'work', primary: true }]);
    expect(u.email).toBe('Amanda.Ross@example.com');
    expect(u.manager).toBeNull();
    expect(u.administrator).toBeNull();
    expect(u.riskScore).toBe(312);
    expect(u.roles).toEqual([
      { roleId: 'role-b', roleDisplayName: 'AP Clerk', roleType: 'business', acquired: 'Assigned', application: null, accountName: null },
      { roleId: 'role-i', roleDisplayName: 'AP IT', roleType: 'it', acquired: 'Detected', application: 'AD', accountName: 'CN=x' },
    ]);
    expect(u.entitlements).toBeNull();
    expect(u.customAttributes).toEqual({
      department: 'Accounting',
      costcenter: ['R03', 'L07'],
      locationOwner: null,
      regionOwner: { id: 'mgr1', displayName: 'Richard Jackson' },
    });
    expect(u.accounts).toEqual([{ id: 'acc1', displayName: '1b2c' }]);
    expect(u.version).toBe('W/"1714637564518"');
    expect(u.raw).toBe(wireUser);
  });

  it('roles requested but absent → [], not requested → null', () => {
    const { [SP]: _sp, ...noExt } = wireUser;
    const parsed = scimUserSchema.parse(noExt);
    expect(toIiqUser(parsed, noExt, { roles: true, entitlements: true }).roles).toEqual([]);
    expect(toIiqUser(parsed, noExt, { roles: false, entitlements: false }).roles).toBeNull();
  });

  it('reports issue paths without values', () => {
    const bad = { ...wireUser, userName: 42, [SP]: { ...wireUser[SP], roles: [{ value: 'assignedRoles', display: 'Secret Person' }] } };
    const parsed = scimUserSchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    const issues = issuesFrom(parsed.error!.issues, ['Resources', 3]);
    expect(issues.map((i) => i.path)).toEqual(['Resources.3.userName', `Resources.3.${SP}.roles.0.$ref`]);
    const err = invalidResponse('listUsers', 'x', { issues });
    expect(err.kind).toBe('invalidResponse');
    expect(err.message).toContain('Resources.3.userName');
    expect(err.message).not.toContain('Secret Person');
    expect(JSON.stringify(err.issues)).not.toContain('Secret');
  });
});

describe('Role model', () => {
  it('takes related role ids from $ref and keeps booleans typed', () => {
    const wire = {
      id: 'r1', name: 'Accounts', displayableName: 'Accounts Payable',
      type: { name: 'it', displayName: 'IT', assignmentSelector: 'false', autoAssignment: false, iiq: false, manualAssignment: false, permits: false, requirements: false },
      active: true, owner: {}, inheritance: [{ value: 'p1', displayName: 'Parent', $ref: `${base}/Roles/p1` }], requirements: [], permits: [{ $ref: `${base}/Roles/p2` }],
      descriptions: [{ locale: 'en_US', value: '<b>x</b>' }], identAttr: {},
    };
    const r = toIiqRole(scimRoleSchema.parse(wire), wire);
    expect(r.parentIds).toEqual(['p1']);
    expect(r.permittedRoleIds).toEqual(['p2']);
    expect(r.owner).toBeNull();
    expect(r.type?.assignmentSelector).toBe(false);
    expect(r.raw).toHaveProperty('identAttr');
  });
});

describe('other SCIM models', () => {
  it('ListResponse: missing itemsPerPage and string numbers, Resources absent for count=0', () => {
    expect(scimListResponseSchema.parse({ totalResults: '7', startIndex: 1, Resources: [] }).totalResults).toBe(7);
    expect(scimListResponseSchema.parse({ totalResults: 7 }).Resources).toBeUndefined();
    expect(scimListResponseSchema.safeParse({ Resources: [] }).success).toBe(false);
  });
  it('Error: status as a string', () => {
    expect(scimErrorSchema.parse({ status: '400', scimType: 'invalidFilter', detail: 'x' }).status).toBe(400);
  });
  it('entitlement / account / application / policy violation keep unknown keys', () => {
    expect(scimEntitlementSchema.parse({ id: 'e', value: 'HelpDesk', requestable: 'true', custom: 1 })).toMatchObject({ requestable: true, custom: 1 });
    expect(scimAccountSchema.parse({ id: 'a', nativeIdentity: 'CN=x', 'urn:ietf:params:scim:schemas:sailpoint:1.0:Application:Schema:AD:account': { memberOf: [] } })).toHaveProperty(['urn:ietf:params:scim:schemas:sailpoint:1.0:Application:Schema:AD:account']);
    expect(scimApplicationSchema.safeParse({ id: 'x' }).success).toBe(false);
    expect(scimPolicyViolationSchema.parse({ id: 'v', status: 'Open', identity: {} }).status).toBe('Open');
  });
  it('idFromRef', () => {
    expect(idFromRef(`${base}/Roles/abc`)).toBe('abc');
    expect(idFromRef(`${base}/Roles/abc/`)).toBe('abc');
    expect(idFromRef(`${base}/Roles/a%20b?x=1`)).toBe('a b');
    expect(idFromRef(undefined)).toBeNull();
  });
});

describe('errors', () => {
  it('maps statuses and scimTypes to kinds, without details in the message', () => {
    const k = (status: number, scimType?: string) => errorFromStatus('op', status, { scimType, detail: 'Resource already exists:secret.user' }, 1);
    expect(k(401).kind).toBe('unauthorized');
    expect(k(401).message).toMatch(/401 both for bad credentials .* without SCIM rights/);
    expect(k(404).kind).toBe('notFound');
    expect(k(409, 'uniqueness').kind).toBe('conflict');
    expect(k(412).kind).toBe('preconditionFailed');
    expect(k(400, 'invalidFilter').kind).toBe('invalidFilter');
    expect(k(403, 'invalidFilter').kind).toBe('invalidFilter');
    expect(k(400, 'tooMany').kind).toBe('tooMany');
    expect(k(429).kind).toBe('tooMany');
    expect(k(400, 'mutability').kind).toBe('mutability');
    expect(k(400).kind).toBe('badRequest');
    expect(k(405).kind).toBe('badRequest');
    expect(k(503).kind).toBe('upstreamUnavailable');
    expect(k(500).kind).toBe('upstreamUnavailable');
    for (const s of [400, 401, 404, 409, 500]) expect(k(s, 'uniqueness').message).not.toContain('secret.user');
    expect(k(409).detail).toBe('Resource already exists:secret.user');
    // detail is kept for diagnostics but skipped by loggers / JSON
    expect(JSON.stringify(k(409))).not.toContain('secret.user');
    expect(Object.keys(k(409))).not.toContain('detail');
    expect(JSON.parse(JSON.stringify(k(409)))).toMatchObject({ kind: 'conflict', operation: 'op', status: 409 });
  });
});

describe('transport helpers', () => {
  it('derives the token URL from the context root', () => {
    expect(deriveTokenUrl('https://h:8443/identityiq/scim/v2')).toBe('https://h:8443/identityiq/oauth2/token');
    expect(deriveTokenUrl('https://h/iiq/scim/v2/')).toBe('https://h/iiq/oauth2/token');
    expect(deriveTokenUrl('https://h/scim/v2')).toBe('https://h/oauth2/token');
    expect(() => deriveTokenUrl('https://h/identityiq/api')).toThrow(/tokenUrl/);
  });
  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:03 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
  it('resolves HTTPS_PROXY / HTTP_PROXY / NO_PROXY', () => {
    const https = new URL('https://iiq.corp.local:8443/identityiq/scim/v2');
    const http = new URL('http://iiq.corp.local/identityiq/scim/v2');
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://plain:3128' };
    expect(resolveProxy(https, undefined, env)).toBe('http://proxy:3128');
    expect(resolveProxy(http, undefined, env)).toBe('http://plain:3128');
    expect(resolveProxy(https, null, env)).toBeNull();
    expect(resolveProxy(https, 'http://explicit:1', { ...env, NO_PROXY: '*' })).toBe('http://explicit:1');
    expect(resolveProxy(https, undefined, { ...env, NO_PROXY: 'other, .corp.local' })).toBeNull();
    expect(resolveProxy(https, undefined, {})).toBeNull();
    expect(noProxyMatches(https, 'iiq.corp.local:8443')).toBe(true);
    expect(noProxyMatches(https, 'iiq.corp.local:443')).toBe(false);
    expect(noProxyMatches(https, '*.corp.local')).toBe(true);
    expect(noProxyMatches(https, 'xcorp.local')).toBe(false);
    expect(noProxyMatches(new URL('http://127.0.0.1:99/'), '127.0.0.1')).toBe(true);
  });
});
