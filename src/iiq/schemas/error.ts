// SCIM error envelope (RFC 7644 §3.12); IIQ sends `status` as a string.
import { z } from 'zod';
import { numberishSchema } from './common.ts';

export const scimErrorSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  status: numberishSchema.optional(),
  scimType: z.string().optional(),
  detail: z.string().optional(),
});
export type ScimError = z.infer<typeof scimErrorSchema>;
