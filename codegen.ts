// GraphQL Code Generator: typed operations for the gateway tests, from the committed SDL (never a running server).
// Run: npx graphql-codegen --config codegen.ts
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/gateway/operations/*.graphql'],
  generates: {
    'test/gateway/__generated__/operations.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        skipTypename: true,
      },
    },
  },
};

export default config;
