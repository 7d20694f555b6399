// Imports the type files (each registers its types on the builder) and builds the executable schema.
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/refs.ts';
import './types/user.ts';
import './types/role.ts';
import './types/status.ts';

export const schema = builder.toSchema();

/** The SDL committed as schema/schema.graphql (sorted, so that diffs show real changes only). */
export function printSchemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
