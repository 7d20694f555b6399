// Imports the type files (each registers its types on the builder) and builds the executable schema: a
// Federation v2 subgraph (`_entities`, `_service`), which serves clients directly just as well.
import { printSubgraphSchema } from '@apollo/subgraph';
import { builder } from './builder.ts';
import { sortSdl } from './sort-sdl.ts';
import './types/refs.ts';
import './types/user.ts';
import './types/role.ts';
import './types/status.ts';
import '../hardening/graphql-status.ts';
import '../mirror/graphql.ts';
import '../mirror/webhooks-graphql.ts';
import './types/write-errors.ts';
import './types/iiq-schema.ts';
import './mutations/user.ts';
import './types/account.ts';
import './types/application.ts';
import './types/entitlement.ts';
import './types/policy-violation.ts';
import './connection.ts';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });

/**
 * The SDL committed as schema/schema.graphql: printed with its federation directives (graphql's printSchema
 * drops @key), sorted so that diffs show real changes only.
 */
export function printSchemaSdl(): string {
  return sortSdl(printSubgraphSchema(schema));
}
