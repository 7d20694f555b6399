// SCIM PolicyViolation, read-only (reference §3.4). `status` is Open / Mitigated / Remediated / Delegated.
import { z } from 'zod';
import { scimMetaSchema, scimRefSchema } from './common.ts';

export const scimPolicyViolationSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  policyName: z.string().optional(),
  constraintName: z.string().optional(),
  description: z.string().optional(),
  status: z.string().optional(),
  owner: scimRefSchema.optional(),
  identity: scimRefSchema.optional(),
  meta: scimMetaSchema.optional(),
});
export type ScimPolicyViolation = z.infer<typeof scimPolicyViolationSchema>;
