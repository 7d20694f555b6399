// codegen.ts turns schema/schema.graphql + test/gateway/operations/*.graphql into typed operations; the
// committed output must be what it generates (regenerate: npx graphql-codegen --config codegen.ts).
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

describe('codegen', () => {
  it('the committed typed operations match the schema file and the operations', async () => {
    const outputs = await generate({ ...config, cwd: new URL('../..', import.meta.url).pathname, silent: true }, false);
    const out = (outputs as { filename: string; content: string }[]).find((o) => o.filename.endsWith('test/gateway/__generated__/operations.ts'));
    expect(out).toBeDefined();
    const committed = readFileSync(new URL('./__generated__/operations.ts', import.meta.url), 'utf8');
    if (committed !== out!.content) throw new Error('test/gateway/__generated__/operations.ts is stale: run npx graphql-codegen --config codegen.ts');
  }, 60_000);
});
