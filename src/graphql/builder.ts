// The Pothos builder only: context type, scalars, plugins. Type files add to it; schema.ts builds.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivePlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import ValidationPlugin from '@pothos/plugin-validation';
import type { GatewayContext } from './context.ts';
import { decodeGlobalId, encodeGlobalId } from './global-id.ts';
import { DateTimeScalar, JSONScalar } from './scalars.ts';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: string; Output: string | Date };
  };
  /** every connection resolver returns its total (SCIM totalResults or the in-memory list length) */
  Connection: { totalCount: number };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // errors before dataloader (its docs), validation after errors so input failures become typed results;
  // federation last (after plugins that wrap resolvers), directives before it: they print its @key / @link
  plugins: [RelayPlugin, ErrorsPlugin, ValidationPlugin, DataloaderPlugin, DirectivePlugin, FederationPlugin],
  // mutations list their error classes (`errors: { types: [...] }`); zod failures come back as InputValidationError
  errors: { defaultTypes: [], unsafelyHandleInputErrors: true },
  // fields are non-null unless they say otherwise (IIQ omits unset attributes: those say nullable)
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
  },
});

builder.addScalarType('JSON', JSONScalar);
builder.addScalarType('DateTime', DateTimeScalar);

builder.globalConnectionField('totalCount', (t) =>
  t.int({ nullable: false, description: 'Number of items in the whole list (all pages)', resolve: (parent) => parent.totalCount }),
);

builder.queryType({});
builder.mutationType({});
