// SCIM User as IIQ sends it: core + enterprise (manager only) + SailPoint extension (reference §3.1).
// Known attributes are typed; unknown keys are kept (looseObject) so custom identity attributes survive.
import { z } from 'zod';
import { URN_ENTERPRISE_USER, URN_SAILPOINT_USER } from '../filter.ts';
import type { IdentityRef, IiqEntitlementAssignment, IiqRoleAssignment, IiqUser, RoleAcquired } from '../types.ts';
import { boolishSchema, idFromRef, intishSchema, refToIdentity, scimMetaSchema, scimRefSchema } from './common.ts';

export const scimEmailSchema = z.looseObject({
  value: z.string(),
  type: z.string().optional(),
  primary: boolishSchema.optional(),
});

export const scimUserRoleSchema = z.looseObject({
  value: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
  acquired: z.string().optional(),
  application: z.string().optional(),
  accountName: z.string().optional(),
  // the only reliable carrier of the role id (reference §3.3)
  $ref: z.string().refine((r) => idFromRef(r) !== null, { message: 'role reference without an id' }),
});

export const scimUserEntitlementSchema = z.looseObject({
  value: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
  application: z.string().optional(),
  accountName: z.string().optional(),
  $ref: z.string().optional(),
});

export const scimUserAccountSchema = z.looseObject({
  value: z.string().optional(),
  displayName: z.string().optional(),
  $ref: z.string().optional(),
});

export const scimSailpointUserExtensionSchema = z.looseObject({
  accounts: z.array(scimUserAccountSchema).optional(),
  entitlements: z.array(scimUserEntitlementSchema).optional(),
  roles: z.array(scimUserRoleSchema).optional(),
  capabilities: z.array(z.string()).optional(),
  riskScore: intishSchema.optional(),
  isManager: boolishSchema.optional(),
  lastRefresh: z.string().optional(),
  administrator: scimRefSchema.optional(),
  softwareVersion: z.string().optional(),
});

const KNOWN_SAILPOINT_KEYS = new Set(Object.keys(scimSailpointUserExtensionSchema.shape));

export const scimUserSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  userName: z.string(),
  externalId: z.string().optional(),
  name: z
    .looseObject({ formatted: z.string().optional(), familyName: z.string().optional(), givenName: z.string().optional() })
    .optional(),
  displayName: z.string().optional(),
  userType: z.string().optional(),
  active: boolishSchema.optional(),
  emails: z.array(scimEmailSchema).optional(),
  [URN_ENTERPRISE_USER]: z.looseObject({ manager: scimRefSchema.optional() }).optional(),
  [URN_SAILPOINT_USER]: scimSailpointUserExtensionSchema.optional(),
  meta: scimMetaSchema.optional(),
});
export type ScimUser = z.infer<typeof scimUserSchema>;

function acquiredOf(role: z.infer<typeof scimUserRoleSchema>): RoleAcquired {
  const a = role.acquired?.trim().toLowerCase();
  if (a === 'assigned') return 'Assigned';
  if (a === 'detected') return 'Detected';
  // `value` is the IdentityEntitlement attribute name: assignedRoles / detectedRoles (reference §3.3)
  if (role.value === 'detectedRoles') return 'Detected';
  if (role.value === 'assignedRoles') return 'Assigned';
  return role.application ? 'Detected' : 'Assigned';
}

function looksLikeRef(v: unknown): v is z.infer<typeof scimRefSchema> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.every((k) => k === 'value' || k === 'displayName' || k === 'display' || k === '$ref') &&
    keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'string');
}

/** Custom attribute value: identity-typed ones (`{value, displayName, $ref}` or `{}`) become IdentityRef | null. */
function customValue(v: unknown): unknown {
  if (looksLikeRef(v)) return refToIdentity(v);
  return v;
}

export function toIiqUser(u: ScimUser, raw: Record<string, unknown>, requested: { roles: boolean; entitlements: boolean }): IiqUser {
  const sp = u[URN_SAILPOINT_USER];
  const ent = u[URN_ENTERPRISE_USER];
  const emails = (u.emails ?? []).map((e) => ({ value: e.value, type: e.type ?? null, primary: e.primary ?? false }));
  const primary = emails.find((e) => e.primary) ?? emails[0];
  const customAttributes: Record<string, unknown> = {};
  if (sp) {
    for (const [k, v] of Object.entries(sp)) if (!KNOWN_SAILPOINT_KEYS.has(k)) customAttributes[k] = customValue(v);
  }
  const roles: IiqRoleAssignment[] | null =
    sp?.roles !== undefined || requested.roles
      ? (sp?.roles ?? []).map((r) => ({
          roleId: idFromRef(r.$ref)!,
          roleDisplayName: r.display ?? null,
          roleType: r.type ?? null,
          acquired: acquiredOf(r),
          application: r.application ?? null,
          accountName: r.accountName ?? null,
        }))
      : null;
  const entitlements: IiqEntitlementAssignment[] | null =
    sp?.entitlements !== undefined || requested.entitlements
      ? (sp?.entitlements ?? []).map((e) => ({
          entitlementId: idFromRef(e.$ref),
          attribute: e.value ?? '',
          value: e.display ?? null,
          type: e.type ?? null,
          application: e.application ?? null,
          accountName: e.accountName ?? null,
        }))
      : null;
  const manager: IdentityRef | null = refToIdentity(ent?.manager);
  return {
    id: u.id,
    userName: u.userName,
    displayName: u.displayName ?? null,
    formattedName: u.name?.formatted ?? null,
    givenName: u.name?.givenName ?? null,
    familyName: u.name?.familyName ?? null,
    email: primary?.value ?? null,
    emails,
    active: u.active ?? null,
    userType: u.userType ?? null,
    manager,
    isManager: sp?.isManager ?? null,
    riskScore: sp?.riskScore ?? null,
    capabilities: sp?.capabilities ?? [],
    lastRefresh: sp?.lastRefresh ?? null,
    administrator: refToIdentity(sp?.administrator),
    accounts: (sp?.accounts ?? []).flatMap((a) => {
      const id = a.value ?? idFromRef(a.$ref);
      return id ? [{ id, displayName: a.displayName ?? null }] : [];
    }),
    roles,
    entitlements,
    customAttributes,
    created: u.meta?.created ?? null,
    lastModified: u.meta?.lastModified ?? null,
    version: u.meta?.version ?? null,
    raw,
  };
}
