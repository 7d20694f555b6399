// SCIM Role (urn:ietf:params:scim:schemas:sailpoint:1.0:Role), read-only (reference §3.2).
import { z } from 'zod';
import type { IiqRole } from '../types.ts';
import { boolishSchema, descriptionsSchema, idFromRef, refToIdentity, scimMetaSchema, scimRefSchema } from './common.ts';

export const scimRoleTypeSchema = z.looseObject({
  name: z.string(),
  displayName: z.string().optional(),
  assignmentSelector: boolishSchema.optional(),
  autoAssignment: boolishSchema.optional(),
  iiq: boolishSchema.optional(),
  manualAssignment: boolishSchema.optional(),
  permits: boolishSchema.optional(),
  requirements: boolishSchema.optional(),
});

export const scimRoleSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  name: z.string(),
  displayableName: z.string().optional(),
  descriptions: descriptionsSchema.optional(),
  type: scimRoleTypeSchema.optional(),
  active: boolishSchema.optional(),
  activationDate: z.string().optional(),
  deactivationDate: z.string().optional(),
  owner: scimRefSchema.optional(),
  inheritance: z.array(scimRefSchema).optional(),
  requirements: z.array(scimRefSchema).optional(),
  permits: z.array(scimRefSchema).optional(),
  meta: scimMetaSchema.optional(),
});
export type ScimRole = z.infer<typeof scimRoleSchema>;

// A role reference's id: the `$ref` tail is built from the id by IIQ; `value` is the fallback.
function roleIds(refs: z.infer<typeof scimRefSchema>[] | undefined): string[] {
  return (refs ?? []).flatMap((r) => {
    const id = idFromRef(r.$ref) ?? r.value;
    return id ? [id] : [];
  });
}

export function toIiqRole(r: ScimRole, raw: Record<string, unknown>): IiqRole {
  return {
    id: r.id,
    name: r.name,
    displayName: r.displayableName ?? null,
    descriptions: (r.descriptions ?? []).map((d) => ({ locale: d.locale ?? null, value: d.value })),
    type: r.type
      ? {
          name: r.type.name,
          displayName: r.type.displayName ?? null,
          manualAssignment: r.type.manualAssignment ?? null,
          autoAssignment: r.type.autoAssignment ?? null,
          assignmentSelector: r.type.assignmentSelector ?? null,
          iiq: r.type.iiq ?? null,
          permits: r.type.permits ?? null,
          requirements: r.type.requirements ?? null,
        }
      : null,
    active: r.active ?? null,
    owner: refToIdentity(r.owner),
    parentIds: roleIds(r.inheritance),
    requiredRoleIds: roleIds(r.requirements),
    permittedRoleIds: roleIds(r.permits),
    activationDate: r.activationDate ?? null,
    deactivationDate: r.deactivationDate ?? null,
    created: r.meta?.created ?? null,
    lastModified: r.meta?.lastModified ?? null,
    version: r.meta?.version ?? null,
    raw,
  };
}
