// ServiceProviderConfig (RFC 7643 §5; IIQ values in reference §7). `filter.maxResults` = scimSearchMaxResults.
import { z } from 'zod';
import { boolishSchema, intishSchema } from './common.ts';

const supported = z.looseObject({ supported: boolishSchema.optional() });

export const scimServiceProviderConfigSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  patch: supported.optional(),
  bulk: supported.optional(),
  filter: z.looseObject({ supported: boolishSchema.optional(), maxResults: intishSchema.pipe(z.number().positive()).optional() }).optional(),
  changePassword: supported.optional(),
  sort: supported.optional(),
  etag: supported.optional(),
  authenticationSchemes: z.array(z.looseObject({ type: z.string().optional(), name: z.string().optional() })).optional(),
});
export type ScimServiceProviderConfig = z.infer<typeof scimServiceProviderConfigSchema>;
