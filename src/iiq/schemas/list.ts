// ListResponse (RFC 7644 §3.4.2). IIQ sends `itemsPerPage` only when totalResults > count, and then it echoes
// the requested count; `Resources` is absent for count=0. Items are validated one by one by the caller so that
// issue paths point at the offending resource.
import { z } from 'zod';
import { intishSchema } from './common.ts';

export const scimListResponseSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  totalResults: intishSchema.pipe(z.number().min(0)),
  startIndex: intishSchema.optional(),
  itemsPerPage: intishSchema.optional(),
  Resources: z.array(z.unknown()).optional(),
});
export type ScimListResponse = z.infer<typeof scimListResponseSchema>;
