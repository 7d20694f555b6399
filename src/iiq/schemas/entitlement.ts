// SCIM Entitlement (IIQ ManagedAttribute), read-only (reference §3.4). Extended attributes are kept.
import { z } from 'zod';
import { boolishSchema, descriptionsSchema, scimMetaSchema, scimRefSchema } from './common.ts';

export const scimEntitlementSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  displayableName: z.string().optional(),
  type: z.string().optional(),
  attribute: z.string().optional(),
  value: z.string().optional(),
  descriptions: descriptionsSchema.optional(),
  requestable: boolishSchema.optional(),
  aggregated: boolishSchema.optional(),
  lastRefresh: z.string().optional(),
  lastTargetAggregation: z.string().optional(),
  owner: scimRefSchema.optional(),
  application: scimRefSchema.optional(),
  meta: scimMetaSchema.optional(),
});
export type ScimEntitlement = z.infer<typeof scimEntitlementSchema>;
