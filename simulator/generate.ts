// Deterministic demo data: a manager tree, departments, locations, a role model (organizational -> business
// -> IT roles detected from entitlements on accounts), accounts, entitlements and policy violations.
import {
  ADMIN_CAPABILITY_SETS, APPLICATIONS, BUSINESS_ROLES, DEPARTMENTS, DIVISIONS, FAMILY_NAMES, GIVEN_NAMES, HOSTILE_USERS,
  IT_ROLES, LOCATIONS, REGIONS, TEAMS, adGroupDn,
} from './catalog.ts';
import { IdSource, Rng } from './random.ts';
import type {
  SimAccount, SimApplication, SimEntitlement, SimPolicyViolation, SimRole, SimRoleAssignment, SimTaskResult, SimUser,
  SimWorkflow, SimWorkgroup,
} from './types.ts';

export interface Dataset {
  users: SimUser[];
  roles: SimRole[];
  applications: SimApplication[];
  entitlements: SimEntitlement[];
  accounts: SimAccount[];
  policyViolations: SimPolicyViolation[];
  workflows: SimWorkflow[];
  taskResults: SimTaskResult[];
  workgroups: SimWorkgroup[];
}

export interface GenerateOptions {
  users: number;
  seed: number;
  adminUserName: string;
  adminPassword: string;
}

/** Fixed demo identities besides the hostile ones. */
export const DEMO_IDENTITIES = {
  noRights: { userName: 'norights', password: 'norights' },
  scimService: { userName: 'scim.service', password: 'scim.service' },
} as const;

/** The fixed identities (admin, norights, scim.service, the CEO, the hostile users) take this many slots. */
export const MIN_USERS = 4 + HOSTILE_USERS.length;

const DAY = 86_400_000;
/** "now" of the generated world; fixed so the same seed yields byte-identical data */
export const DATA_EPOCH = Date.UTC(2025, 5, 2, 8, 30, 0);
const MAX_DEPTH = 8;
const MAX_ROLES = 15;

export function generateDataset(options: GenerateOptions): Dataset {
  const rng = new Rng(options.seed);
  const ids = new IdSource(new Rng(options.seed ^ 0x5eed1d));
  const total = Math.max(MIN_USERS, Math.floor(options.users));
  const peopleCount = total - 3;

  const stamp = (maxAgeDays: number): { created: number; lastModified: number } => {
    const created = DATA_EPOCH - Math.floor(rng.next() * maxAgeDays * DAY) - 1000;
    const lastModified = created + Math.floor(rng.next() * (DATA_EPOCH - created));
    return { created, lastModified };
  };

  // ---- applications & entitlement catalog ------------------------------------------------------------
  const applications: SimApplication[] = [];
  const appByKey = new Map<string, SimApplication>();
  for (const def of APPLICATIONS) {
    const app: SimApplication = {
      id: ids.next(), name: def.name, type: def.type, description: def.description, ownerId: null,
      provisionable: def.provisionable,
      features: def.provisionable ? ['PROVISIONING', 'SYNC_PROVISIONING', 'ENABLE', 'UNLOCK', 'PASSWORD'] : ['AUTHORITATIVE', 'NO_RANDOM_ACCESS'],
      entitlementAttribute: def.entitlementAttribute, ...stamp(2000),
    };
    applications.push(app);
    appByKey.set(def.key, app);
  }
  const entValue = (appKey: string, raw: string): string => (appKey === 'AD' ? adGroupDn(raw) : raw);
  const entitlements: SimEntitlement[] = [];
  const entitlementsByApp = new Map<string, SimEntitlement[]>();
  const addEntitlement = (appKey: string, raw: string): void => {
    const app = appByKey.get(appKey);
    const def = APPLICATIONS.find((a) => a.key === appKey);
    if (!app || !def) throw new Error(`unknown application ${appKey}`);
    const value = entValue(appKey, raw);
    const list = entitlementsByApp.get(app.id) ?? [];
    if (list.some((e) => e.value === value)) return;
    const ent: SimEntitlement = {
      id: ids.next(), applicationId: app.id, attribute: app.entitlementAttribute, value, displayableName: raw,
      type: def.entitlementType, requestable: !['Domain Admins', 'SAP_ALL', 'Modify All Data', 'admins'].includes(raw),
      ownerId: null, description: `${raw} on ${app.name}`, ...stamp(1500),
    };
    list.push(ent);
    entitlementsByApp.set(app.id, list);
    entitlements.push(ent);
  };
  for (const r of IT_ROLES) for (const v of r.values) addEntitlement(r.app, v);
  for (const def of APPLICATIONS) for (const v of def.extraValues) addEntitlement(def.key, v);

  // ---- roles ------------------------------------------------------------------------------------------
  const roles: SimRole[] = [];
  const roleByName = new Map<string, SimRole>();
  const addRole = (name: string, type: SimRole['type'], description: string, parentIds: string[] = [], active = true): SimRole => {
    const role: SimRole = {
      id: ids.next(), name, displayableName: name, description, type, active, ownerId: null, parentIds,
      requirementIds: [], permitIds: [], profile: [], classifications: [], ...stamp(1800),
    };
    roles.push(role);
    roleByName.set(name, role);
    return role;
  };
  const enterprise = addRole('Enterprise', 'organizational', 'Root of the organizational role hierarchy.');
  const divisionRole = new Map<string, SimRole>();
  for (const d of DIVISIONS) divisionRole.set(d, addRole(d, 'organizational', `${d} division.`, [enterprise.id]));
  const deptRole = new Map<string, SimRole>();
  for (const d of DEPARTMENTS) {
    const parent = divisionRole.get(d.division) as SimRole;
    deptRole.set(d.name, addRole(`${d.name} Organization`, 'organizational', `All roles of the ${d.name} department.`, [parent.id]));
  }
  const teamRole = new Map<string, SimRole>();
  for (const [team, dept] of Object.entries(TEAMS)) {
    teamRole.set(team, addRole(team, 'organizational', `${team} (${dept}).`, [(deptRole.get(dept) as SimRole).id]));
  }
  const itRoles: SimRole[] = [];
  for (const def of IT_ROLES) {
    const app = appByKey.get(def.app) as SimApplication;
    const role = addRole(def.name, 'it', `Detected from ${def.values.join(', ')} on ${app.name}.`);
    role.profile = def.values.map((v) => ({ applicationId: app.id, attribute: app.entitlementAttribute, value: entValue(def.app, v) }));
    if (def.name.includes('Superuser') || def.name.includes('Domain Administration') || def.name.includes('Modify All Data')) {
      role.classifications = ['Privileged'];
    }
    itRoles.push(role);
  }
  const legacyIt = addRole('AD - Legacy Share - IT', 'it', 'Decommissioned file share.', [], false);
  legacyIt.profile = [{ applicationId: (appByKey.get('AD') as SimApplication).id, attribute: 'memberOf', value: adGroupDn('Legacy Share') }];
  for (const def of BUSINESS_ROLES) {
    const parent = def.team ? teamRole.get(def.team) : def.department ? deptRole.get(def.department) : enterprise;
    const role = addRole(def.name, 'business', def.description, [(parent as SimRole).id], def.active ?? true);
    role.requirementIds = def.requires.map((n) => (roleByName.get(n) as SimRole).id);
    role.permitIds = (def.permits ?? []).map((n) => (roleByName.get(n) as SimRole).id);
    if (def.name === 'Payroll Specialist' || def.name === 'Controller') role.classifications = ['Sensitive'];
  }
  const itRolesByApp = new Map<string, SimRole[]>();
  for (const r of itRoles) {
    const appId = r.profile[0]?.applicationId as string;
    const list = itRolesByApp.get(appId) ?? [];
    list.push(r);
    itRolesByApp.set(appId, list);
  }
  const businessByDept = new Map<string, SimRole[]>();
  for (const def of BUSINESS_ROLES) {
    if (!def.department || def.active === false) continue;
    const list = businessByDept.get(def.department) ?? [];
    list.push(roleByName.get(def.name) as SimRole);
    businessByDept.set(def.department, list);
  }

  // ---- people: CEO, hostile identities, then generated ones; a heap-like manager tree -------------------
  const users: SimUser[] = [];
  const usedNames = new Set<string>();
  const depth: number[] = [];
  const blankUser = (userName: string): SimUser => ({
    id: ids.next(), userName, displayName: null, givenName: null, familyName: null, email: null, active: true,
    userType: 'employee', externalId: null, managerId: null, isManager: false, riskScore: null, lastRefresh: null,
    capabilities: [], administratorId: null, department: null, costcenter: [], jobtitle: null, location: null, region: null,
    empId: null, locationOwner: null, regionOwner: null, roles: [], accounts: [], password: null, ...stamp(1800),
  });
  const nonExecDepartments = DEPARTMENTS.filter((d) => d.name !== 'Executive');
  const departmentByName = new Map(DEPARTMENTS.map((d) => [d.name, d]));
  const locationByName = new Map(LOCATIONS.map((l) => [l.name, l]));
  // hostile identities sit in the upper sixth of the organisation, so they manage people (their names show up
  // in other identities' manager.displayName) but are not all the CEO's direct reports; present at any size
  const hostileAt = new Map<number, (typeof HOSTILE_USERS)[number]>();
  const span = Math.max(HOSTILE_USERS.length, Math.floor((peopleCount - 1) / 6));
  HOSTILE_USERS.forEach((h, j) => hostileAt.set(1 + Math.floor(((j + 1) * span) / (HOSTILE_USERS.length + 1)), h));
  const CEO_REPORTS = 12;

  for (let i = 0; i < peopleCount; i++) {
    let user: SimUser;
    const hostile = hostileAt.get(i);
    if (hostile) {
      user = blankUser(hostile.userName);
      user.givenName = hostile.givenName;
      user.familyName = hostile.familyName;
      user.displayName = hostile.displayName;
      user.email = hostile.email;
      user.department = hostile.department;
      user.jobtitle = hostile.jobtitle;
      user.location = hostile.location;
    } else {
      const given = i === 0 ? 'Catherine' : rng.pick(GIVEN_NAMES);
      const family = i === 0 ? 'Simmons' : rng.pick(FAMILY_NAMES);
      let userName = `${given}.${family}`;
      for (let n = 2; usedNames.has(userName); n++) userName = `${given}.${family}${n}`;
      user = blankUser(userName);
      user.givenName = given;
      user.familyName = family;
      user.displayName = `${given} ${family}`;
      user.email = `${userName}@example.com`;
    }
    usedNames.add(user.userName);
    // manager: the CEO has a dozen direct reports (one per department), then roughly 6 reports per manager
    // with jitter; never deeper than MAX_DEPTH
    let d = 1;
    if (i > 0) {
      let m = i <= CEO_REPORTS ? 0 : Math.max(1, Math.floor((i - 1) / 6) - rng.int(0, 2));
      while (m > 0 && (depth[m] ?? 1) >= MAX_DEPTH) m = Math.floor((m - 1) / 6);
      const manager = users[m] as SimUser;
      if (rng.chance(0.995) || hostile) {
        user.managerId = manager.id;
        manager.isManager = true;
        d = (depth[m] ?? 1) + 1;
      }
      if (!hostile) {
        const inherit = manager.department && manager.department !== 'Executive' && rng.chance(0.85);
        const dept = i <= CEO_REPORTS ? (nonExecDepartments[(i - 1) % nonExecDepartments.length] as (typeof DEPARTMENTS)[number]) : inherit ? (departmentByName.get(manager.department ?? '') as (typeof DEPARTMENTS)[number]) : rng.pick(nonExecDepartments);
        user.department = dept.name;
        user.jobtitle = rng.pick(dept.jobs);
        user.location = manager.location && rng.chance(0.6) ? manager.location : rng.pick(LOCATIONS).name;
      }
    } else {
      user.department = 'Executive';
      user.jobtitle = 'Chief Executive Officer';
      user.location = 'Austin';
    }
    depth[i] = d;
    const loc = locationByName.get(user.location ?? '') as (typeof LOCATIONS)[number];
    user.region = loc.region;
    const dept = departmentByName.get(user.department ?? '') as (typeof DEPARTMENTS)[number];
    user.costcenter = [`${dept.code}${String(rng.int(100, 104))}`];
    if (rng.chance(0.35)) user.costcenter.push(loc.code);
    if (rng.chance(0.05)) user.costcenter.push(`P${String(rng.int(1000, 1019))}`);
    user.empId = String(100_000 + i);
    user.userType = rng.chance(0.1) && !hostile && i > 0 ? 'contractor' : 'employee';
    user.active = !!hostile || i === 0 || !rng.chance(0.05);
    const r = rng.next();
    user.riskScore = rng.chance(0.08) ? null : Math.min(1000, Math.floor(1000 * r * r * r * r));
    user.lastRefresh = rng.chance(0.04) ? null : Math.min(DATA_EPOCH, user.lastModified + Math.floor(rng.next() * 30 * DAY));
    users.push(user);
  }

  // a few administrators with capabilities (not the first ones: those are the CEO and hostile identities)
  for (let k = 0; k < ADMIN_CAPABILITY_SETS.length; k++) {
    const idx = Math.min(users.length - 1, 3 + Math.floor((k + 1) * (peopleCount / (ADMIN_CAPABILITY_SETS.length + 1))));
    const u = users[idx];
    if (u && !hostileAt.has(idx) && idx > 0 && u.capabilities.length === 0) u.capabilities = (ADMIN_CAPABILITY_SETS[k] as string[]).slice();
  }

  // location & region owners are identities (identity-typed extended attributes); two locations have none
  const managers = users.filter((u) => u.isManager);
  const ownerPool = managers.length > 0 ? managers : users;
  const locationOwner = new Map<string, string | null>();
  LOCATIONS.forEach((l, n) => locationOwner.set(l.name, n % 6 === 5 ? null : rng.pick(ownerPool).id));
  const regionOwner = new Map<string, string | null>();
  for (const region of REGIONS) regionOwner.set(region, rng.pick(ownerPool.slice(0, 20)).id);
  for (const u of users) {
    u.locationOwner = u.location ? (locationOwner.get(u.location) ?? null) : null;
    u.regionOwner = u.region ? (regionOwner.get(u.region) ?? null) : null;
  }
  for (const role of roles) role.ownerId = rng.chance(0.9) ? rng.pick(ownerPool.slice(0, 50)).id : null;
  for (const app of applications) app.ownerId = rng.pick(ownerPool.slice(0, 20)).id;
  // workgroups own some entitlements: their $ref points at /Users/{id}, which answers 404 (reference §4.2)
  const workgroups: SimWorkgroup[] = [
    { id: ids.next(), name: 'Finance Approvers', description: 'Approves finance access requests.' },
    { id: ids.next(), name: 'IT Security Team', description: 'Owns privileged entitlements.' },
  ];
  for (const e of entitlements) {
    const r = rng.next();
    e.ownerId = r < 0.15 ? rng.pick(workgroups).id : r < 0.75 ? rng.pick(ownerPool.slice(0, 50)).id : null;
  }

  // ---- service identities -----------------------------------------------------------------------------
  const admin = blankUser(options.adminUserName);
  Object.assign(admin, {
    givenName: 'The', familyName: 'Administrator', displayName: 'The Administrator', userType: null,
    capabilities: ['SystemAdministrator'], password: options.adminPassword, riskScore: null, empId: null, costcenter: [],
  });
  const noRights = blankUser(DEMO_IDENTITIES.noRights.userName);
  Object.assign(noRights, {
    givenName: 'No', familyName: 'Rights', displayName: 'No Rights', email: 'norights@example.com',
    password: DEMO_IDENTITIES.noRights.password, riskScore: null, costcenter: [],
  });
  const service = blankUser(DEMO_IDENTITIES.scimService.userName);
  Object.assign(service, {
    displayName: 'SCIM Service Account', userType: 'service', capabilities: ['SCIMExecutor', 'WebServicesExecutor'],
    password: DEMO_IDENTITIES.scimService.password, administratorId: admin.id, riskScore: null, costcenter: [],
  });

  // ---- accounts, role assignments, detection -------------------------------------------------------------
  const accounts: SimAccount[] = [];
  // AD DNs (from display names) and SAP user ids (8-10 letters) collide; the other formats derive from unique keys
  const usedNative = new Set<string>();
  const uniqueNative = (base: string): string => {
    let v = base;
    for (let n = 2; usedNative.has(v); n++) v = `${base}${n}`;
    usedNative.add(v);
    return v;
  };
  const employeeBaseline = roleByName.get('Employee Baseline') as SimRole;
  const peopleManager = roleByName.get('People Manager') as SimRole;
  const executive = roleByName.get('Executive') as SimRole;
  const apRole = roleByName.get('SAP - AP Clerk - IT') as SimRole;
  const arRole = roleByName.get('SAP - AR Clerk - IT') as SimRole;
  const appById = new Map(applications.map((a) => [a.id, a]));
  const roleById = new Map(roles.map((r) => [r.id, r]));
  const appDefByName = new Map(APPLICATIONS.map((a) => [a.name, a]));

  for (let i = 0; i < users.length; i++) {
    const u = users[i] as SimUser;
    const hostile = hostileAt.has(i);
    if (!hostile && i > 0 && rng.chance(0.03)) continue; // new hires: nothing yet
    const assigned: SimRole[] = [];
    if (u.userType === 'employee' && (hostile || rng.chance(0.85))) assigned.push(employeeBaseline);
    if (u.isManager) assigned.push(peopleManager);
    if (i === 0) assigned.push(executive);
    const deptRoles = businessByDept.get(u.department ?? '') ?? [];
    const byTitle = deptRoles.find((r) => r.name === u.jobtitle);
    if (byTitle) assigned.push(byTitle);
    else if (deptRoles.length > 0) assigned.push(rng.pick(deptRoles));
    if (deptRoles.length > 1 && rng.chance(0.2)) {
      const extra = rng.pick(deptRoles);
      if (!assigned.includes(extra)) assigned.push(extra);
    }
    // entitlements needed by the assigned roles, per application
    const wanted = new Map<string, Set<string>>();
    const want = (appId: string, value: string): void => {
      const set = wanted.get(appId) ?? new Set<string>();
      set.add(value);
      wanted.set(appId, set);
    };
    for (const br of assigned) {
      for (const reqId of br.requirementIds) {
        const it = roleById.get(reqId) as SimRole;
        for (const p of it.profile) want(p.applicationId, p.value);
      }
    }
    if (u.userType === 'contractor') wanted.delete((appByKey.get('WD') as SimApplication).id);
    // noise: a few extra entitlements on applications the identity already has, sometimes toxic (SoD)
    if (rng.chance(0.3)) {
      for (let k = rng.int(1, 3); k > 0; k--) {
        const appIds = [...wanted.keys()];
        if (appIds.length === 0) break;
        const appId = rng.pick(appIds);
        const ent = rng.pick(entitlementsByApp.get(appId) ?? []);
        want(appId, ent.value);
      }
    }
    if (u.userName === "Conan.O'Brien") {
      // a guaranteed separation-of-duties conflict (AP + AR) so every dataset has a policy violation
      for (const p of [...apRole.profile, ...arRole.profile]) want(p.applicationId, p.value);
    }
    const userRoles: SimRoleAssignment[] = assigned.map((r) => ({ roleId: r.id, acquired: 'Assigned' }));
    for (const [appId, values] of wanted) {
      const app = appById.get(appId) as SimApplication;
      const def = appDefByName.get(app.name) as (typeof APPLICATIONS)[number];
      const given = u.givenName ?? u.userName;
      const family = u.familyName ?? '';
      let nativeIdentity: string;
      let displayName: string;
      switch (def.key) {
        case 'AD':
          nativeIdentity = uniqueNative(`CN=${u.displayName ?? u.userName},OU=${u.location ?? 'Users'},OU=${u.region ?? 'Global'},DC=example,DC=com`);
          displayName = u.userName;
          break;
        case 'WD':
          nativeIdentity = u.empId ?? u.userName;
          displayName = u.displayName ?? u.userName;
          break;
        case 'SAP':
          nativeIdentity = uniqueNative(`${given.slice(0, 1)}${family}`.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 10) || 'USER');
          displayName = nativeIdentity;
          break;
        case 'SF':
          nativeIdentity = `${(u.email ?? `${u.id}@example.com`).toLowerCase()}.prod`;
          displayName = u.displayName ?? u.userName;
          break;
        default:
          nativeIdentity = `${def.key.toLowerCase()}:${u.userName.toLowerCase()}`;
          displayName = u.userName;
      }
      const accStamp = stamp(1200);
      const account: SimAccount = {
        id: ids.next(), identityId: u.id, applicationId: appId, nativeIdentity, displayName,
        uuid: def.key === 'AD' ? `{${rng.hexId().replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}}` : null,
        active: u.active ? !rng.chance(0.02) : rng.chance(0.4), locked: rng.chance(0.01), manuallyCorrelated: rng.chance(0.02),
        entitlements: [...values].map((value) => ({ attribute: app.entitlementAttribute, value })), password: null,
        lastRefresh: accStamp.lastModified, ...accStamp,
      };
      accounts.push(account);
      u.accounts.push({ accountId: account.id, applicationId: appId, application: app.name, nativeIdentity });
      for (const it of itRolesByApp.get(appId) ?? []) {
        if (it.profile.every((p) => values.has(p.value))) {
          userRoles.push({ roleId: it.id, acquired: 'Detected', application: app.name, accountName: nativeIdentity });
        }
      }
    }
    u.roles = userRoles.slice(0, MAX_ROLES);
  }
  users.push(admin, noRights, service);

  // ---- policy violations -----------------------------------------------------------------------------
  const policyViolations: SimPolicyViolation[] = [];
  const statuses: SimPolicyViolation['status'][] = ['Open', 'Open', 'Open', 'Mitigated', 'Remediated', 'Delegated'];
  for (const u of users) {
    const has = (r: SimRole): boolean => u.roles.some((x) => x.roleId === r.id);
    if (has(apRole) && has(arRole)) {
      policyViolations.push({
        id: ids.next(), policyName: 'Finance SOD Policy', constraintName: 'AP Clerk vs AR Clerk',
        description: 'Accounts payable and accounts receivable must not be held by the same identity.',
        status: u.userName === "Conan.O'Brien" ? 'Open' : rng.pick(statuses), ownerId: u.managerId, identityId: u.id, ...stamp(300),
      });
    }
    if (!u.active && u.accounts.length > 0 && rng.chance(0.5)) {
      policyViolations.push({
        id: ids.next(), policyName: 'Inactive Identity Policy', constraintName: 'Accounts of inactive identities',
        description: 'An inactive identity still holds accounts.', status: rng.pick(statuses), ownerId: u.managerId,
        identityId: u.id, ...stamp(300),
      });
    }
  }

  // ---- workflows & task results ------------------------------------------------------------------------
  const workflows: SimWorkflow[] = [
    ['LCM Provisioning', 'LCM', 'Provisions access requests.'],
    ['Identity Refresh', 'IdentityRefresh', 'Runs during identity refresh.'],
    ['Joiner', 'IdentityLifecycle', 'Birthright provisioning for new identities.'],
    ['Leaver', 'IdentityLifecycle', 'Disables accounts of leavers.'],
    ['Mover', 'IdentityLifecycle', 'Recalculates access on department change.'],
  ].map(([name, type, description]) => ({ id: ids.next(), name: name as string, type: type as string, description: description as string, ...stamp(1500) }));
  const taskResults: SimTaskResult[] = [
    ['Aggregate Active_Directory', 'AccountAggregation', 'Active_Directory', 'Success'],
    ['Aggregate Workday', 'AccountAggregation', 'Workday', 'Warning'],
    ['Refresh Identity Cube', 'Identity', null, 'Success'],
    ['Perform Identity Request Maintenance', 'Generic', null, 'Success'],
    ['Aggregate SAP ERP', 'AccountAggregation', 'SAP ERP', 'Error'],
  ].map(([name, type, targetName, completionStatus]) => {
    const s = stamp(30);
    return {
      id: ids.next(), name: name as string, type: type as string, targetName: targetName as string | null,
      completionStatus: completionStatus as SimTaskResult['completionStatus'], launched: s.created,
      completed: s.created + 60_000, launcher: options.adminUserName, expiration: s.created + 7 * DAY, verified: null,
      messages: completionStatus === 'Error' ? ['Connection refused: sap-prd-01:3300'] : [], ...s,
    };
  });

  return { users, roles, applications, entitlements, accounts, policyViolations, workflows, taskResults, workgroups };
}
