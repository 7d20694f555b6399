// The example subgraph on its own: its store, its queries, and `_entities` for User references by userName.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAppPermissionsService } from '../../examples/app-permissions/app.ts';
import { APPLICATIONS } from '../../examples/app-permissions/catalog.ts';
import { printAppPermissionsSdl } from '../../examples/app-permissions/schema.ts';
import { AppStore } from '../../examples/app-permissions/store.ts';

const store = AppStore.fromRoles([
  { userName: 'amy.ap', roleNames: ['Employee Baseline', 'Accounts Payable Clerk'] },
  { userName: 'max.manager', roleNames: ['Employee Baseline', 'People Manager'] },
  { userName: 'hal.helpdesk', roleNames: ['Help Desk Technician'] },
  { userName: 'nobody', roleNames: ['Some Other Role'] },
]);
const service = createAppPermissionsService(store);

async function gql(query: string, variables?: Record<string, unknown>) {
  const res = await service.fetch('http://app-permissions.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { data?: any; errors?: { message: string }[] };
}

describe('AppStore', () => {
  it('grants every permission one of whose roles the user holds, in catalog order', () => {
    expect(store.permissionsOf('amy.ap').map((p) => p.name)).toEqual(['expenses.submit', 'expenses.audit']);
    expect(store.permissionsOf('max.manager').map((p) => p.name)).toEqual(['expenses.submit', 'expenses.approve']);
    expect(store.permissionsOf('hal.helpdesk', 'helpdesk').map((p) => p.name)).toEqual(['tickets.resolve']);
    expect(store.permissionsOf('hal.helpdesk', 'expenses')).toEqual([]);
    expect(store.permissionsOf('nobody')).toEqual([]);
    expect(store.userNames()).toEqual(['amy.ap', 'hal.helpdesk', 'max.manager']);
    expect(store.userNames('helpdesk')).toEqual(['hal.helpdesk']);
  });

  it('refuses grants of unknown permissions', () => {
    expect(() => new AppStore([['x', ['expenses.delete-everything']]])).toThrow(/unknown permission/);
  });

  it('the catalog has unique permission names that each name a granting role', () => {
    const names = APPLICATIONS.flatMap((a) => a.permissions.map((p) => p.name));
    expect(new Set(names).size).toBe(names.length);
    for (const a of APPLICATIONS) for (const p of a.permissions) expect(p.grantedBy.length).toBeGreaterThan(0);
  });
});

describe('app-permissions subgraph', () => {
  it('prints User keyed by userName (resolvable) and Role keyed by name (not resolvable here)', () => {
    const sdl = printAppPermissionsSdl();
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    expect(sdl).toMatch(/type User\s+@key\(fields: "userName"\)/);
    expect(sdl).toMatch(/type Role\s+@key\(fields: "name", resolvable: false\)/);
    // the committed file the compose script reads is the printed one
    expect(readFileSync(new URL('../../examples/app-permissions/schema.graphql', import.meta.url), 'utf8')).toBe(sdl);
  });

  it('serves applications, their permissions with granting roles, and users as references', async () => {
    const res = await gql(`{
      productApplication(key: "expenses") { key name permissions { name grantedBy { name } } users { userName } }
      appUsers(application: "helpdesk") { userName }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.productApplication.name).toBe('Expense Portal');
    expect(res.data.productApplication.permissions[1]).toEqual({ name: 'expenses.approve', grantedBy: [{ name: 'People Manager' }, { name: 'Executive' }] });
    expect(res.data.productApplication.users).toEqual([{ userName: 'amy.ap' }, { userName: 'max.manager' }]);
    expect(res.data.appUsers).toEqual([{ userName: 'hal.helpdesk' }]);
  });

  it('bounds appUsers by first', async () => {
    const res = await gql('{ a: appUsers(first: 2) { userName } b: appUsers(first: -1) { userName } }');
    expect(res.data).toEqual({ a: [{ userName: 'amy.ap' }, { userName: 'hal.helpdesk' }], b: [] });
  });

  it('resolves User references through _entities, in order, unknown users with no permissions', async () => {
    const res = await gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { userName appPermissions { name application { key } } } } }`,
      { r: [{ __typename: 'User', userName: 'max.manager' }, { __typename: 'User', userName: 'not.in.the.product' }] },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { userName: 'max.manager', appPermissions: [{ name: 'expenses.submit', application: { key: 'expenses' } }, { name: 'expenses.approve', application: { key: 'expenses' } }] },
      { userName: 'not.in.the.product', appPermissions: [] },
    ]);
  });

  it('publishes its SDL through _service for routers that introspect subgraphs', async () => {
    const res = await gql('{ _service { sdl } }');
    expect(res.data._service.sdl).toMatch(/type User\s+@key\(fields: "userName"\)/);
  });
});
