// The product's store: who holds which permission, keyed by IIQ userName (the key the product shares with
// iiq-graph). A real product keeps this in its database; here it is in memory.
import { APPLICATIONS, type AppPermissionDef, type ApplicationDef } from './catalog.ts';

export interface AppPermission extends AppPermissionDef {
  application: ApplicationDef;
}

export interface AppUserSource {
  userName: string;
  /** the IIQ role names the user holds */
  roleNames: readonly string[];
}

export class AppStore {
  readonly applications: readonly ApplicationDef[];
  private readonly permissionsByName = new Map<string, AppPermission>();
  /** userName -> permission names, in catalog order */
  private readonly grants = new Map<string, string[]>();

  constructor(grants: Iterable<readonly [userName: string, permissions: readonly string[]]>, applications = APPLICATIONS) {
    this.applications = applications;
    for (const application of applications) {
      for (const p of application.permissions) this.permissionsByName.set(p.name, { ...p, application });
    }
    const order = [...this.permissionsByName.keys()];
    for (const [userName, names] of grants) {
      for (const n of names) if (!this.permissionsByName.has(n)) throw new Error(`unknown permission ${JSON.stringify(n)}`);
      const held = order.filter((n) => names.includes(n));
      if (held.length) this.grants.set(userName, held);
    }
  }

  /**
   * What the product's provisioning sync grants: every permission one of whose granting roles the user holds.
   * The users and their role names come from IIQ (through iiq-graph in production; the simulator in tests).
   */
  static fromRoles(users: Iterable<AppUserSource>, applications = APPLICATIONS): AppStore {
    const perms = applications.flatMap((a) => a.permissions);
    const grants: [string, string[]][] = [];
    for (const u of users) {
      const held = new Set(u.roleNames);
      const names = perms.filter((p) => p.grantedBy.some((r) => held.has(r))).map((p) => p.name);
      if (names.length) grants.push([u.userName, names]);
    }
    return new AppStore(grants, applications);
  }

  permission(name: string): AppPermission | null {
    return this.permissionsByName.get(name) ?? null;
  }

  application(key: string): ApplicationDef | null {
    return this.applications.find((a) => a.key === key) ?? null;
  }

  /** the user's permissions; [] for users the product does not know (IIQ users without access) */
  permissionsOf(userName: string, applicationKey?: string | null): AppPermission[] {
    return (this.grants.get(userName) ?? [])
      .map((n) => this.permissionsByName.get(n)!)
      .filter((p) => applicationKey == null || p.application.key === applicationKey);
  }

  /** userNames holding any permission (of one application), sorted */
  userNames(applicationKey?: string | null): string[] {
    return [...this.grants.keys()].filter((u) => this.permissionsOf(u, applicationKey).length > 0).sort();
  }
}
