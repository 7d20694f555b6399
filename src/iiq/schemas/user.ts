// SCIM User as IIQ sends it: core + enterprise (manager only) + SailPoint extension (reference §3.1).
// Known attributes are typed; unknown keys are kept (looseObject) so custom identity attributes survive.
import { z } from 'zod';
import { URN_ENTERPRISE_USER, URN_SAILPOINT_USER } from '../filter.ts';
import type { IdentityRef, IiqEntitlementAssignment, IiqRoleAssignment, IiqUser, RoleAcquired } from '../types.ts';
import { boolishSchema, idFromRef, intishSchema, refHasId, refToIdentity } from './common.ts';

// Hot path (every user of every page): plain `z.object`s (zod 4 compiles them to one fast function each; loose
// objects also walk and copy every unknown key). Unknown keys are not lost: custom attributes are read from the
// raw SailPoint extension and the raw JSON is kept in `raw`.

/** `{value, displayName, $ref}`, known keys only (the shared `scimRefSchema` keeps unknown keys). */
const userRefSchema = z.object({
  value: z.string().optional(),
  displayName: z.string().optional(),
  display: z.string().optional(),
  $ref: z.string().optional(),
});

export const scimEmailSchema = z.object({
  value: z.string(),
  type: z.string().optional(),
  primary: boolishSchema.optional(),
});

export const scimUserRoleSchema = z.object({
  value: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
  acquired: z.string().optional(),
  application: z.string().optional(),
  accountName: z.string().optional(),
  // the only reliable carrier of the role id (reference §3.3)
  $ref: z.string().refine(refHasId, { message: 'role reference without an id' }),
});

export const scimUserEntitlementSchema = z.object({
  value: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
  application: z.string().optional(),
  accountName: z.string().optional(),
  $ref: z.string().optional(),
});

export const scimUserAccountSchema = z.object({
  value: z.string().optional(),
  displayName: z.string().optional(),
  $ref: z.string().optional(),
});

export const scimSailpointUserExtensionSchema = z.object({
  accounts: z.array(scimUserAccountSchema).optional(),
  entitlements: z.array(scimUserEntitlementSchema).optional(),
  roles: z.array(scimUserRoleSchema).optional(),
  capabilities: z.array(z.string()).optional(),
  riskScore: intishSchema.optional(),
  isManager: boolishSchema.optional(),
  lastRefresh: z.string().optional(),
  administrator: userRefSchema.optional(),
  softwareVersion: z.string().optional(),
});

const KNOWN_SAILPOINT_KEYS = new Set(Object.keys(scimSailpointUserExtensionSchema.shape));

export const scimUserSchema = z.object({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  userName: z.string(),
  externalId: z.string().optional(),
  name: z.object({ formatted: z.string().optional(), familyName: z.string().optional(), givenName: z.string().optional() }).optional(),
  displayName: z.string().optional(),
  userType: z.string().optional(),
  active: boolishSchema.optional(),
  emails: z.array(scimEmailSchema).optional(),
  [URN_ENTERPRISE_USER]: z.object({ manager: userRefSchema.optional() }).optional(),
  [URN_SAILPOINT_USER]: scimSailpointUserExtensionSchema.optional(),
  meta: z.object({ created: z.string().optional(), lastModified: z.string().optional(), version: z.string().optional() }).optional(),
});
export type ScimUser = z.infer<typeof scimUserSchema>;

function acquiredOf(role: z.infer<typeof scimUserRoleSchema>): RoleAcquired {
  const acquired = role.acquired;
  if (acquired !== undefined) {
    // IIQ sends the exact spelling; anything else is compared trimmed and case-folded
    if (acquired === 'Assigned') return 'Assigned';
    if (acquired === 'Detected') return 'Detected';
    const a = acquired.trim().toLowerCase();
    if (a === 'assigned') return 'Assigned';
    if (a === 'detected') return 'Detected';
  }
  // `value` is the IdentityEntitlement attribute name: assignedRoles / detectedRoles (reference §3.3)
  if (role.value === 'detectedRoles') return 'Detected';
  if (role.value === 'assignedRoles') return 'Assigned';
  return role.application ? 'Detected' : 'Assigned';
}

function looksLikeRef(v: unknown): v is z.infer<typeof userRefSchema> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) {
    if (k !== 'value' && k !== 'displayName' && k !== 'display' && k !== '$ref') return false;
    if (typeof (v as Record<string, unknown>)[k] !== 'string') return false;
  }
  return true;
}

/** Custom attribute value: identity-typed ones (`{value, displayName, $ref}` or `{}`) become IdentityRef | null. */
function customValue(v: unknown): unknown {
  if (looksLikeRef(v)) return refToIdentity(v);
  return v;
}

function toRole(r: z.infer<typeof scimUserRoleSchema>): IiqRoleAssignment {
  return {
    roleId: idFromRef(r.$ref)!,
    roleDisplayName: r.display ?? null,
    roleType: r.type ?? null,
    acquired: acquiredOf(r),
    application: r.application ?? null,
    accountName: r.accountName ?? null,
  };
}

function toEntitlement(e: z.infer<typeof scimUserEntitlementSchema>): IiqEntitlementAssignment {
  return {
    entitlementId: idFromRef(e.$ref),
    attribute: e.value ?? '',
    value: e.display ?? null,
    type: e.type ?? null,
    application: e.application ?? null,
    accountName: e.accountName ?? null,
  };
}

/**
 * Validated wire user → model. `raw` is the JSON the user was validated from: unknown keys of its SailPoint
 * extension are the install's custom attributes (the schema keeps only the known ones).
 */
export function toIiqUser(u: ScimUser, raw: Record<string, unknown>, requested: { roles: boolean; entitlements: boolean }): IiqUser {
  const sp = u[URN_SAILPOINT_USER];
  const ent = u[URN_ENTERPRISE_USER];
  const emails: IiqUser['emails'] = [];
  let email: string | null = null;
  if (u.emails) {
    for (const e of u.emails) {
      const primary = e.primary ?? false;
      if (primary && email === null) email = e.value;
      emails.push({ value: e.value, type: e.type ?? null, primary });
    }
    if (email === null && emails.length > 0) email = emails[0]!.value;
  }
  const customAttributes: Record<string, unknown> = {};
  const rawSp = sp ? (raw[URN_SAILPOINT_USER] as Record<string, unknown>) : undefined;
  if (rawSp) {
    for (const k in rawSp) if (!KNOWN_SAILPOINT_KEYS.has(k)) customAttributes[k] = customValue(rawSp[k]);
  }
  const roles: IiqRoleAssignment[] | null = sp?.roles ? sp.roles.map(toRole) : requested.roles ? [] : null;
  const entitlements: IiqEntitlementAssignment[] | null = sp?.entitlements ? sp.entitlements.map(toEntitlement) : requested.entitlements ? [] : null;
  const accounts: IdentityRef[] = [];
  if (sp?.accounts) {
    for (const a of sp.accounts) {
      const id = a.value ?? idFromRef(a.$ref);
      if (id) accounts.push({ id, displayName: a.displayName ?? null });
    }
  }
  const name = u.name;
  const meta = u.meta;
  return {
    id: u.id,
    userName: u.userName,
    displayName: u.displayName ?? null,
    formattedName: name?.formatted ?? null,
    givenName: name?.givenName ?? null,
    familyName: name?.familyName ?? null,
    email,
    emails,
    active: u.active ?? null,
    userType: u.userType ?? null,
    manager: refToIdentity(ent?.manager),
    isManager: sp?.isManager ?? null,
    riskScore: sp?.riskScore ?? null,
    capabilities: sp?.capabilities ?? [],
    lastRefresh: sp?.lastRefresh ?? null,
    administrator: refToIdentity(sp?.administrator),
    accounts,
    roles,
    entitlements,
    customAttributes,
    created: meta?.created ?? null,
    lastModified: meta?.lastModified ?? null,
    version: meta?.version ?? null,
    raw,
  };
}
