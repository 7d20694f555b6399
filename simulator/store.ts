// The live dataset: indexes by id and name, writes, and a revision number that invalidates cached sort orders.
import type { Dataset } from './generate.ts';
import type {
  SimAccount, SimApplication, SimEntitlement, SimPolicyViolation, SimRole, SimTaskResult, SimUser, SimulatorData,
  SimWorkflow, SimWorkgroup,
} from './types.ts';

export class Store implements SimulatorData {
  /** bumped on every write; cached orders and lists compare against it */
  revision = 0;
  private readonly usersById = new Map<string, SimUser>();
  private readonly usersByName = new Map<string, SimUser>();
  private usersCache: SimUser[] | null = null;
  private readonly accountsById = new Map<string, SimAccount>();
  private accountsCache: SimAccount[] | null = null;
  private readonly rolesById: Map<string, SimRole>;
  private readonly rolesByName: Map<string, SimRole>;
  private readonly appsById: Map<string, SimApplication>;
  private readonly appsByName: Map<string, SimApplication>;
  private readonly entsById: Map<string, SimEntitlement>;
  private readonly entsByKey: Map<string, SimEntitlement>;
  readonly roles: SimRole[];
  readonly applications: SimApplication[];
  readonly entitlements: SimEntitlement[];
  readonly policyViolations: SimPolicyViolation[];
  readonly workflows: SimWorkflow[];
  readonly taskResults: SimTaskResult[];
  readonly workgroups: SimWorkgroup[];
  private readonly workgroupsById: Map<string, SimWorkgroup>;

  constructor(data: Dataset) {
    for (const u of data.users) this.indexUser(u);
    for (const a of data.accounts) this.accountsById.set(a.id, a);
    this.roles = data.roles;
    this.applications = data.applications;
    this.entitlements = data.entitlements;
    this.policyViolations = data.policyViolations;
    this.workflows = data.workflows;
    this.taskResults = data.taskResults;
    this.workgroups = data.workgroups;
    this.workgroupsById = new Map(data.workgroups.map((w) => [w.id, w]));
    this.rolesById = new Map(data.roles.map((r) => [r.id, r]));
    this.rolesByName = new Map(data.roles.map((r) => [r.name, r]));
    this.appsById = new Map(data.applications.map((a) => [a.id, a]));
    this.appsByName = new Map(data.applications.map((a) => [a.name, a]));
    this.entsById = new Map(data.entitlements.map((e) => [e.id, e]));
    this.entsByKey = new Map(data.entitlements.map((e) => [entitlementKey(e.applicationId, e.attribute, e.value), e]));
  }

  get users(): SimUser[] {
    this.usersCache ??= [...this.usersById.values()];
    return this.usersCache;
  }

  get accounts(): SimAccount[] {
    this.accountsCache ??= [...this.accountsById.values()];
    return this.accountsCache;
  }

  userById(id: string): SimUser | undefined {
    return this.usersById.get(id);
  }
  userByName(userName: string): SimUser | undefined {
    return this.usersByName.get(userName);
  }
  roleById(id: string): SimRole | undefined {
    return this.rolesById.get(id);
  }
  roleByName(name: string): SimRole | undefined {
    return this.rolesByName.get(name);
  }
  workgroupById(id: string): SimWorkgroup | undefined {
    return this.workgroupsById.get(id);
  }
  accountById(id: string): SimAccount | undefined {
    return this.accountsById.get(id);
  }
  applicationById(id: string): SimApplication | undefined {
    return this.appsById.get(id);
  }
  applicationByName(name: string): SimApplication | undefined {
    return this.appsByName.get(name);
  }
  entitlementById(id: string): SimEntitlement | undefined {
    return this.entsById.get(id);
  }
  entitlementFor(applicationId: string, attribute: string, value: string): SimEntitlement | undefined {
    return this.entsByKey.get(entitlementKey(applicationId, attribute, value));
  }

  /** a lastModified strictly after the previous one, so every write yields a new version */
  nextModified(previous: number): number {
    return Math.max(Date.now(), previous + 1);
  }

  private indexUser(u: SimUser): void {
    this.usersById.set(u.id, u);
    this.usersByName.set(u.userName, u);
  }

  private changed(): void {
    this.revision++;
    this.usersCache = null;
    this.accountsCache = null;
  }

  addUser(u: SimUser): void {
    this.indexUser(u);
    this.changed();
  }

  /** call after mutating a user in place (the name cannot change: userName is immutable) */
  userChanged(): void {
    this.changed();
  }

  /** IIQ's Terminator: removes the identity, its accounts and every reference to it */
  deleteUser(u: SimUser): void {
    this.usersById.delete(u.id);
    this.usersByName.delete(u.userName);
    for (const ref of u.accounts) this.accountsById.delete(ref.accountId);
    const now = Date.now();
    for (const other of this.usersById.values()) {
      let touched = false;
      if (other.managerId === u.id) {
        other.managerId = null;
        touched = true;
      }
      if (other.locationOwner === u.id) {
        other.locationOwner = null;
        touched = true;
      }
      if (other.regionOwner === u.id) {
        other.regionOwner = null;
        touched = true;
      }
      if (other.administratorId === u.id) {
        other.administratorId = null;
        touched = true;
      }
      if (touched) other.lastModified = Math.max(now, other.lastModified + 1);
    }
    for (const r of this.roles) if (r.ownerId === u.id) r.ownerId = null;
    this.changed();
  }

  /** recompute the read-only isManager flag of the given identities */
  refreshManagerStatus(ids: Iterable<string>): void {
    const wanted = new Set(ids);
    const has = new Set<string>();
    for (const u of this.usersById.values()) if (u.managerId && wanted.has(u.managerId)) has.add(u.managerId);
    for (const id of wanted) {
      const m = this.usersById.get(id);
      if (m) m.isManager = has.has(id);
    }
  }

  addAccount(a: SimAccount): void {
    this.accountsById.set(a.id, a);
    const owner = this.usersById.get(a.identityId);
    const app = this.appsById.get(a.applicationId);
    if (owner && app) {
      owner.accounts.push({ accountId: a.id, applicationId: app.id, application: app.name, nativeIdentity: a.nativeIdentity });
    }
    this.changed();
  }

  accountChanged(): void {
    this.changed();
  }

  deleteAccount(a: SimAccount): void {
    this.accountsById.delete(a.id);
    const owner = this.usersById.get(a.identityId);
    if (owner) {
      owner.accounts = owner.accounts.filter((r) => r.accountId !== a.id);
      owner.roles = owner.roles.filter((r) => r.accountName !== a.nativeIdentity || r.acquired !== 'Detected');
    }
    this.changed();
  }
}

export function entitlementKey(applicationId: string, attribute: string, value: string): string {
  return `${applicationId}\u0000${attribute}\u0000${value}`;
}
