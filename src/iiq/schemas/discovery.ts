// /Schemas and /ResourceTypes (RFC 7643 §6, §7). IIQ adds the custom identity attributes to the SailPoint
// User schema dynamically, which is how the client learns their names.
import { z } from 'zod';

export interface ScimSchemaAttribute {
  name: string;
  type?: string | undefined;
  multiValued?: boolean | undefined;
  returned?: string | undefined;
  mutability?: string | undefined;
  subAttributes?: ScimSchemaAttribute[] | undefined;
  [k: string]: unknown;
}

export const scimSchemaAttributeSchema: z.ZodType<ScimSchemaAttribute> = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  multiValued: z.boolean().optional(),
  returned: z.string().optional(),
  mutability: z.string().optional(),
  get subAttributes() {
    return z.array(scimSchemaAttributeSchema).optional();
  },
});

export const scimSchemaSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  attributes: z.array(scimSchemaAttributeSchema).default([]),
});
export type ScimSchema = z.infer<typeof scimSchemaSchema>;

export const scimResourceTypeSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  endpoint: z.string(),
  schema: z.string(),
  schemaExtensions: z.array(z.looseObject({ schema: z.string(), required: z.boolean().optional() })).optional(),
});
export type ScimResourceType = z.infer<typeof scimResourceTypeSchema>;
