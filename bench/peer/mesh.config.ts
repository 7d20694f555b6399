// The peer: GraphQL Mesh composed from IdentityIQ's own OpenAPI document, as a user would set it up.
// Read from ../shared/specs/ beside the repository (the document carries no licence, so it is not copied in).
// Credentials and the upstream URL stay environment templates in the supergraph ({env.…}), resolved by
// @graphql-mesh/transport-rest when Hive Gateway runs it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const here = dirname(fileURLToPath(import.meta.url));
export const SPEC = process.env.IIQ_OPENAPI_SPEC ?? join(here, '..', '..', '..', 'shared', 'specs', 'iiq-scim-8.3.openapi.yaml');
if (!existsSync(SPEC)) {
  throw new Error(`the IIQ OpenAPI document is not at ${SPEC}: put iiq-scim-8.3.openapi.yaml in ../shared/specs/ beside the repository or set IIQ_OPENAPI_SPEC`);
}

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('IIQ', {
        source: SPEC,
        endpoint: '{env.PEER_IIQ_BASE_URL}',
        // one media type: with several, every response becomes a union (issue #10)
        operationHeaders: { authorization: '{env.PEER_IIQ_AUTHORIZATION}', accept: 'application/scim+json' },
      }),
    },
  ],
  // Role details the user's role reference does not carry (owner, description): the Mesh way is a link field
  // resolved by GET /Roles/{id} — one upstream request per role reference, as the OpenAPI handler cannot batch.
  additionalTypeDefs: /* GraphQL */ `
    extend type query_getUsers_Resources_items_urn_ietf_params_scim_schemas_sailpoint_1_0_User_roles_items {
      role: JSON
        @resolveTo(
          sourceName: "IIQ"
          sourceTypeName: "Query"
          sourceFieldName: "getRole"
          requiredSelectionSet: "{ display }"
          sourceArgs: { roleId: "{root.display}", lookupByName: true }
        )
    }
  `,
});
