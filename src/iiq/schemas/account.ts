// SCIM Account (IIQ Link). Application attributes live under urn:…:Application:Schema:<App>:account and are kept.
import { z } from 'zod';
import { boolishSchema, scimMetaSchema, scimRefSchema } from './common.ts';

export const scimAccountSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  nativeIdentity: z.string(),
  displayName: z.string().optional(),
  instance: z.string().optional(),
  uuid: z.string().optional(),
  active: boolishSchema.optional(),
  locked: boolishSchema.optional(),
  lastRefresh: z.string().optional(),
  lastTargetAggregation: z.string().optional(),
  manuallyCorrelated: boolishSchema.optional(),
  hasEntitlements: boolishSchema.optional(),
  identity: scimRefSchema.optional(),
  application: scimRefSchema.optional(),
  meta: scimMetaSchema.optional(),
});
export type ScimAccount = z.infer<typeof scimAccountSchema>;
