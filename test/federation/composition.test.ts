// Composition: our printed subgraph (schema/schema.graphql) with the example subgraph, through
// @theguild/federation-composition; any composition error or unresolvable key fails.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { graphql, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printAppPermissionsSdl } from '../../examples/app-permissions/schema.ts';
import { printSchemaSdl, schema } from '../../src/graphql/schema.ts';
import { sortSdl } from '../../src/graphql/sort-sdl.ts';
import { brokenKeys, composeSupergraph, CompositionError, declaredKeys, parseSubgraphSpec, supergraphKeys, type SubgraphSource } from '../../scripts/compose.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const iiqGraph: SubgraphSource = { name: 'iiq-graph', url: 'http://127.0.0.1:4000/graphql', sdl: readFileSync(join(root, 'schema/schema.graphql'), 'utf8') };
const appPermissions: SubgraphSource = {
  name: 'app-permissions',
  url: 'http://127.0.0.1:4001/graphql',
  sdl: readFileSync(join(root, 'examples/app-permissions/schema.graphql'), 'utf8'),
};

const keysOf = (keys: ReturnType<typeof supergraphKeys>, type: string) =>
  keys
    .filter((k) => k.type === type)
    .map((k) => `${k.subgraph} ${k.fields}${k.resolvable ? '' : ' (not resolvable)'}`)
    .sort();

describe('the printed iiq-graph subgraph', () => {
  it('declares User by id and userName, Role by id and name, the IIQ access entities by id (Application also by name), all resolvable, under the federation v2 @link', () => {
    expect(iiqGraph.sdl).toMatch(/^extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+", import: \["@key"\]\)/);
    const keys = declaredKeys('iiq-graph', parse(iiqGraph.sdl)).map((k) => `${k.type} ${k.fields} ${k.resolvable}`);
    expect(keys.sort()).toEqual([
      'Account id true',
      'Application id true',
      'Application name true',
      'Entitlement id true',
      'PolicyViolation id true',
      'Role id true',
      'Role name true',
      'User id true',
      'User userName true',
    ]);
  });

  it('is what the code prints, and what _service { sdl } serves to routers that introspect subgraphs', async () => {
    expect(iiqGraph.sdl).toBe(printSchemaSdl());
    const res = await graphql({ schema, source: '{ _service { sdl } }' });
    expect(res.errors).toBeUndefined();
    expect(sortSdl((res.data as { _service: { sdl: string } })._service.sdl)).toBe(iiqGraph.sdl);
    expect(appPermissions.sdl).toBe(printAppPermissionsSdl());
  });
});

describe('supergraph composition', () => {
  const supergraph = composeSupergraph([iiqGraph, appPermissions]);
  const keys = supergraphKeys(supergraph);

  it('composes without errors and names both subgraphs with their URLs', () => {
    expect(supergraph).toContain('IIQ_GRAPH @join__graph(name: "iiq-graph", url: "http://127.0.0.1:4000/graphql")');
    expect(supergraph).toContain('APP_PERMISSIONS @join__graph(name: "app-permissions", url: "http://127.0.0.1:4001/graphql")');
  });

  it('keeps every entity key: User (id, userName) and Role (id, name) resolvable in iiq-graph', () => {
    expect(keysOf(keys, 'User')).toEqual(['app-permissions userName', 'iiq-graph id', 'iiq-graph userName']);
    expect(keysOf(keys, 'Role')).toEqual(['app-permissions name (not resolvable)', 'iiq-graph id', 'iiq-graph name']);
    expect(brokenKeys(keys)).toEqual([]);
  });

  it('puts both directions in the public schema: Query.appUsers -> User.roles, Query.users -> User.appPermissions', () => {
    const user = /type User implements Node[^{]*\{([^}]*)\}/.exec(supergraph)?.[1] ?? '';
    expect(user).toMatch(/\broles\(/);
    expect(user).toMatch(/\bappPermissions\(/);
    expect(supergraph).toMatch(/appUsers\(application: ID, first: Int = 50\): \[User!\]!/);
    expect(supergraph).toMatch(/users\(\s*after: String\s+before: String\s+filter: UserFilter[^)]*\): UserConnection! @join__field\(graph: IIQ_GRAPH\)/);
  });

  it('fails on a composition error (a key on a field the type does not have)', () => {
    const bad: SubgraphSource = {
      name: 'tickets',
      url: 'http://127.0.0.1:4002/graphql',
      sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
        type User @key(fields: "employeeNumber") { userName: String! tickets: [String!]! }
        type Query { openTickets: [User!]! }`,
    };
    expect(() => composeSupergraph([iiqGraph, bad])).toThrow(CompositionError);
    expect(() => composeSupergraph([iiqGraph, bad])).toThrow(/\[KEY_INVALID_FIELDS\] \[tickets\] On type "User"/);
  });

  it('fails on a key no subgraph resolves', () => {
    const unresolvable: SubgraphSource = {
      name: 'tickets',
      url: 'http://127.0.0.1:4002/graphql',
      sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
        type Asset @key(fields: "assetTag", resolvable: false) { assetTag: String! }
        type Ticket { id: ID! requester: User! asset: Asset }
        type User @key(fields: "userName", resolvable: false) { userName: String! }
        type Query { tickets: [Ticket!]! }`,
    };
    expect(() => composeSupergraph([iiqGraph, unresolvable])).toThrow(/Asset @key\(fields: "assetTag"\) is declared by tickets but no subgraph resolves it/);
    // the same subgraph without the orphan entity composes: its User references resolve in iiq-graph
    expect(() => composeSupergraph([iiqGraph, { ...unresolvable, sdl: unresolvable.sdl.replace(/type Asset[^\n]*\n/, '').replace(' asset: Asset', '') }])).not.toThrow();
  });
});

describe('npm run compose', () => {
  it('writes supergraph.graphql from the committed SDL files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      const out = join(dir, 'supergraph.graphql');
      await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'scripts/compose.ts'), '--out', out], { cwd: root });
      expect(readFileSync(out, 'utf8')).toBe(composeSupergraph([iiqGraph, appPermissions]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero with the composition errors', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'scripts/compose.ts'), '--out', '-', '--subgraph', `iiq-graph=http://x/graphql=${join(root, 'package.json')}`], { cwd: root });
    await expect(run).rejects.toMatchObject({ code: 1 });
  });

  it('reads --subgraph name=url=file', () => {
    expect(parseSubgraphSpec('tickets=http://t:4002/graphql?x=1=../t.graphql')).toEqual({ name: 'tickets', url: 'http://t:4002/graphql?x=1', file: '../t.graphql' });
    expect(() => parseSubgraphSpec('tickets=schema.graphql')).toThrow(/name=url=file/);
  });
});
