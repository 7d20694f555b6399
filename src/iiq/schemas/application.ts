// SCIM Application, read-only (reference §3.4).
import { z } from 'zod';
import { descriptionsSchema, scimMetaSchema, scimRefSchema } from './common.ts';

export const scimApplicationSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  name: z.string(),
  descriptions: descriptionsSchema.optional(),
  type: z.string().optional(),
  features: z.array(z.string()).optional(),
  owner: scimRefSchema.optional(),
  applicationSchemas: z.array(z.looseObject({ value: z.string().optional(), type: z.string().optional(), $ref: z.string().optional() })).optional(),
  meta: scimMetaSchema.optional(),
});
export type ScimApplication = z.infer<typeof scimApplicationSchema>;
