// The example subgraph's schema (Pothos + federation plugin, the same stack as iiq-graph). It owns
// ProductApplication / AppPermission (named apart from iiq-graph's IIQ `Application`), extends iiq-graph's `User` (by userName) with `appPermissions`, and refers to
// iiq-graph's `Role` by name without resolving it (the router fetches roles from iiq-graph).
import { printSubgraphSchema } from '@apollo/subgraph';
import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import type { ApplicationDef } from './catalog.ts';
import type { AppPermission, AppStore } from './store.ts';

export interface AppContext {
  store: AppStore;
}

const builder = new SchemaBuilder<{ Context: AppContext; DefaultFieldNullability: false }>({
  // directives before federation: the federation plugin's @key / @link are printed by the directives plugin
  plugins: [DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
});

/** the subgraph's own view of an IIQ user: only the key; everything else comes from iiq-graph */
interface UserKey {
  userName: string;
}

const ApplicationRef = builder.objectRef<ApplicationDef>('ProductApplication');
const AppPermissionRef = builder.objectRef<AppPermission>('AppPermission');

// resolvable: any userName is a valid reference; users the product does not know have no permissions
const UserRef = builder.externalRef('User', builder.selection<UserKey>('userName'), (ref) => ({ userName: ref.userName }));

const RoleRef = builder.externalRef('Role', builder.keyDirective(builder.selection<{ name: string }>('name'), false));

UserRef.implement({
  fields: (t) => ({
    userName: t.exposeString('userName'),
    appPermissions: t.field({
      type: [AppPermissionRef],
      description: 'Permissions this user holds in the applications of the product',
      args: { application: t.arg.id({ description: 'only permissions of this application (key)' }) },
      resolve: (user, args, ctx) => ctx.store.permissionsOf(user.userName, args.application == null ? null : String(args.application)),
    }),
  }),
});

RoleRef.implement({
  fields: (t) => ({ name: t.exposeString('name') }),
});

ApplicationRef.implement({
  description: 'An application of the product',
  fields: (t) => ({
    key: t.exposeID('key'),
    name: t.exposeString('name'),
    permissions: t.field({
      type: [AppPermissionRef],
      resolve: (app, _a, ctx) => app.permissions.map((p) => ctx.store.permission(p.name)!),
    }),
    users: t.field({
      type: [UserRef],
      description: 'Users holding any permission of this application, by userName',
      resolve: (app, _a, ctx) => ctx.store.userNames(app.key).map((userName) => ({ userName })),
    }),
  }),
});

AppPermissionRef.implement({
  description: 'A permission of an application, granted to holders of any of the IdentityIQ roles in grantedBy',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    application: t.field({ type: ApplicationRef, resolve: (p) => p.application }),
    grantedBy: t.field({
      type: [RoleRef],
      description: 'IdentityIQ roles (by name) whose holders get this permission',
      resolve: (p) => p.grantedBy.map((name) => ({ name })),
    }),
  }),
});

const MAX_USERS = 500;

builder.queryType({
  fields: (t) => ({
    productApplications: t.field({ type: [ApplicationRef], resolve: (_r, _a, ctx) => [...ctx.store.applications] }),
    productApplication: t.field({
      type: ApplicationRef,
      nullable: true,
      args: { key: t.arg.id({ required: true }) },
      resolve: (_r, args, ctx) => ctx.store.application(String(args.key)),
    }),
    appUsers: t.field({
      type: [UserRef],
      description: `Users of the product (holding any permission, of one application if given), by userName; at most first (≤ ${MAX_USERS})`,
      args: { application: t.arg.id(), first: t.arg.int({ defaultValue: 50 }) },
      resolve: (_r, args, ctx) => {
        const first = Math.max(0, Math.min(args.first ?? 50, MAX_USERS));
        return ctx.store
          .userNames(args.application == null ? null : String(args.application))
          .slice(0, first)
          .map((userName) => ({ userName }));
      },
    }),
  }),
});

export const appPermissionsSchema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });

/** The subgraph SDL with its federation directives (graphql's printSchema would drop @key). */
export function printAppPermissionsSdl(): string {
  return `${printSubgraphSchema(appPermissionsSchema)}\n`;
}
