import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaSdl } from '../../src/graphql/schema.ts';

describe('schema/schema.graphql', () => {
  it('matches the schema printed from the code (regenerate: npx tsx src/graphql/print-schema.ts)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    const printed = printSchemaSdl();
    if (committed !== printed) {
      throw new Error('schema/schema.graphql is out of date. Regenerate it with: npx tsx src/graphql/print-schema.ts');
    }
    expect(committed).toBe(printed);
  });

  it('has the contract names', () => {
    const sdl = printSchemaSdl();
    for (const line of [
      'node(id: ID!): Node',
      'nodes(ids: [ID!]!): [Node]!',
      'user(id: ID, userName: String): User',
      'users(after: String, before: String, filter: UserFilter, first: Int, last: Int, orderBy: UserOrder): UserConnection!',
      'role(id: ID, name: String): Role',
      'roles(after: String, before: String, filter: RoleFilter, first: Int, last: Int, orderBy: RoleOrder): RoleConnection!',
    ]) {
      expect(sdl).toContain(line);
    }
  });
});
