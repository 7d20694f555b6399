// POST /CheckedPolicyViolations: IIQ's "what-if" policy check (8.3 spec `checkPolicyViolations`). The plan is
// simulated on a copy of the identity's access — nothing is stored — and a small separation-of-duties rule set
// is evaluated on the roles the identity would then hold (assigned, required by assigned business roles, and
// IT roles detected from account entitlements). Only violations the plan would newly cause are returned.
import { errors } from './errors.ts';
import type { Store } from './store.ts';
import type { SimRole, SimUser } from './types.ts';

export const URN_CHECKED_POLICY_VIOLATION = 'urn:ietf:params:scim:schemas:sailpoint:1.0:CheckedPolicyViolation';

/** The IIQ application that holds role assignments in provisioning plans. */
const IIQ_APP = 'IIQ';

export interface SodRule {
  policyName: string;
  policyType: 'SOD';
  constraintName: string;
  description: string;
  /** role names (IIQ "bundles") on each side: holding one of each violates the rule */
  leftBundles: string[];
  rightBundles: string[];
}

export const SOD_RULES: readonly SodRule[] = [
  {
    policyName: 'Finance SOD Policy',
    policyType: 'SOD',
    constraintName: 'AP Clerk vs AR Clerk',
    description: 'Accounts payable and accounts receivable must not be held by the same identity.',
    leftBundles: ['SAP - AP Clerk - IT'],
    rightBundles: ['SAP - AR Clerk - IT'],
  },
  {
    policyName: 'Finance SOD Policy',
    policyType: 'SOD',
    constraintName: 'Purchasing vs AP Clerk',
    description: 'Whoever raises purchase orders must not also pay the invoices.',
    leftBundles: ['SAP - Purchasing - IT'],
    rightBundles: ['SAP - AP Clerk - IT'],
  },
  {
    policyName: 'IT SOD Policy',
    policyType: 'SOD',
    constraintName: 'Help Desk vs Domain Administration',
    description: 'Help desk agents must not administer the domain.',
    leftBundles: ['AD - Help Desk - IT'],
    rightBundles: ['AD - Domain Administration - IT'],
  },
];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface PlanAdd {
  application: string;
  name: string;
  value: string;
}

/** `plan.value.accounts[].attributes[]` with op Add (Remove / Set are not simulated). */
function planAdds(plan: unknown): PlanAdd[] {
  if (!isObject(plan)) throw errors.invalidValue("Required attribute 'plan' is missing.");
  const value = plan['value'];
  if (!isObject(value) || !Array.isArray(value['accounts'])) throw errors.invalidValue("Invalid value for attribute 'plan'.");
  const out: PlanAdd[] = [];
  for (const account of value['accounts']) {
    if (!isObject(account) || typeof account['application'] !== 'string') throw errors.invalidValue("Invalid value for attribute 'plan'.");
    const attributes = account['attributes'] ?? [];
    if (!Array.isArray(attributes)) throw errors.invalidValue("Invalid value for attribute 'plan'.");
    for (const a of attributes) {
      if (!isObject(a) || typeof a['name'] !== 'string') throw errors.invalidValue("Invalid value for attribute 'plan'.");
      const op = typeof a['op'] === 'string' ? a['op'] : 'Add';
      if (op.toLowerCase() !== 'add') continue;
      const values = Array.isArray(a['value']) ? a['value'] : [a['value']];
      for (const v of values) {
        if (typeof v !== 'string' || v === '') throw errors.invalidValue("Invalid value for attribute 'plan'.");
        out.push({ application: account['application'], name: a['name'], value: v });
      }
    }
  }
  return out;
}

/** Role ids the identity holds (or would hold) given its entitlements per application id. */
function heldRoles(store: Store, assigned: Set<string>, entitlements: Map<string, Set<string>>): Set<string> {
  const held = new Set<string>(assigned);
  for (const id of assigned) for (const req of store.roleById(id)?.requirementIds ?? []) held.add(req);
  for (const role of store.roles) {
    if (role.type !== 'it' || role.profile.length === 0) continue;
    if (role.profile.every((p) => entitlements.get(p.applicationId)?.has(p.value))) held.add(role.id);
  }
  return held;
}

function violationsOf(store: Store, held: Set<string>, policies: Set<string> | null): { rule: SodRule; roles: SimRole[] }[] {
  const names = new Set([...held].map((id) => store.roleById(id)?.name).filter((n): n is string => !!n));
  const out: { rule: SodRule; roles: SimRole[] }[] = [];
  for (const rule of SOD_RULES) {
    if (policies && !policies.has(rule.policyName)) continue;
    const left = rule.leftBundles.filter((n) => names.has(n));
    const right = rule.rightBundles.filter((n) => names.has(n));
    if (left.length && right.length) out.push({ rule, roles: [...left, ...right].map((n) => store.roleByName(n) as SimRole) });
  }
  return out;
}

export function checkPolicyViolations(store: Store, body: Json, base: string): Json {
  const identity = body['identity'];
  if (typeof identity !== 'string' || identity === '') throw errors.invalidValue("Required attribute 'identity' is missing.");
  const user: SimUser | undefined = store.userById(identity) ?? store.userByName(identity);
  if (!user) throw errors.invalidValue(`Invalid reference for attribute 'identity': ${identity}`);
  const adds = planAdds(body['plan']);
  const rawPolicies = body['policies'];
  const policies = Array.isArray(rawPolicies) && rawPolicies.length ? new Set(rawPolicies.filter((p): p is string => typeof p === 'string')) : null;

  // the identity's access now
  const assigned = new Set(user.roles.filter((r) => r.acquired === 'Assigned').map((r) => r.roleId));
  const detected = user.roles.filter((r) => r.acquired === 'Detected').map((r) => r.roleId);
  const entitlements = new Map<string, Set<string>>();
  for (const a of store.accounts) {
    if (a.identityId !== user.id) continue;
    const set = entitlements.get(a.applicationId) ?? new Set<string>();
    for (const e of a.entitlements) set.add(e.value);
    entitlements.set(a.applicationId, set);
  }
  const before = heldRoles(store, assigned, entitlements);
  for (const id of detected) before.add(id);

  // ... and after the plan
  const afterAssigned = new Set(assigned);
  const afterEntitlements = new Map([...entitlements].map(([k, v]) => [k, new Set(v)] as const));
  for (const add of adds) {
    if (add.application === IIQ_APP) {
      if (add.name !== 'assignedRoles') throw errors.invalidValue(`Invalid value for attribute 'plan': ${add.name}`);
      const role = store.roleByName(add.value) ?? store.roleById(add.value);
      if (!role) throw errors.invalidValue(`Invalid value for attribute 'plan': role ${add.value} not found`);
      afterAssigned.add(role.id);
      continue;
    }
    const app = store.applicationByName(add.application) ?? store.applicationById(add.application);
    if (!app) throw errors.invalidValue(`Invalid value for attribute 'plan': application ${add.application} not found`);
    const set = afterEntitlements.get(app.id) ?? new Set<string>();
    set.add(add.value);
    afterEntitlements.set(app.id, set);
  }
  const after = heldRoles(store, afterAssigned, afterEntitlements);
  for (const id of detected) after.add(id);

  const existing = new Set(violationsOf(store, before, policies).map((v) => `${v.rule.policyName}\u0000${v.rule.constraintName}`));
  const violations = violationsOf(store, after, policies)
    .filter((v) => !existing.has(`${v.rule.policyName}\u0000${v.rule.constraintName}`))
    .map(({ rule }) => ({
      policyName: rule.policyName,
      policyType: rule.policyType,
      constraintName: rule.constraintName,
      description: rule.description,
      leftBundles: rule.leftBundles.slice(),
      rightBundles: rule.rightBundles.slice(),
      entitlements: adds.map((a) => a.value),
    }));
  return {
    schemas: [URN_CHECKED_POLICY_VIOLATION],
    identity,
    plan: body['plan'],
    ...(policies ? { policies: [...policies] } : {}),
    violations,
    meta: { resourceType: 'CheckedPolicyViolation', location: `${base}/CheckedPolicyViolations` },
  };
}
