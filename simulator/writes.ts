// User and Account writes as IIQ's provisioning plans apply them (reference §5): only supplied attributes change,
// read-only attributes are ignored silently, userName is immutable.
import { APPLICATIONS } from './catalog.ts';
import { errors } from './errors.ts';
import { URN, appSchemaUrn } from './resources.ts';
import type { IdSource } from './random.ts';
import type { Store } from './store.ts';
import type { SimAccount, SimUser } from './types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** case-insensitive property access (SCIM attribute names are case-insensitive, RFC 7643 §2.1) */
function prop(obj: Json, name: string): unknown {
  if (name in obj) return obj[name];
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

function has(obj: Json, name: string): boolean {
  return prop(obj, name) !== undefined;
}

function str(v: unknown, attr: string): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw errors.invalidValue(`Invalid value for attribute '${attr}'.`);
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw errors.invalidBoolean(String(v));
}

function identityRef(store: Store, v: unknown, attr: string): string | null {
  if (v === null) return null;
  if (!isObject(v)) throw errors.invalidValue(`Invalid value for attribute '${attr}'.`);
  const value = prop(v, 'value');
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw errors.invalidValue(`Invalid value for attribute '${attr}'.`);
  const target = store.userById(value) ?? store.userByName(value);
  if (!target) throw errors.invalidValue(`Invalid reference for attribute '${attr}': ${value}`);
  return target.id;
}

export function parseJsonBody(raw: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.invalidSyntax('Request is unparsable, syntactically incorrect, or violates schema.');
  }
  if (!isObject(parsed)) throw errors.invalidSyntax('Request is unparsable, syntactically incorrect, or violates schema.');
  return parsed;
}

export function newUser(id: string, userName: string, now: number): SimUser {
  return {
    id, userName, displayName: null, givenName: null, familyName: null, email: null, active: true, userType: null,
    externalId: null, managerId: null, isManager: false, riskScore: null, lastRefresh: null, capabilities: [],
    administratorId: null, department: null, costcenter: [], jobtitle: null, location: null, region: null, empId: null,
    locationOwner: null, regionOwner: null, roles: [], accounts: [], password: null, created: now, lastModified: now,
  };
}

/** applies a SCIM User body to `user` (mutates it); returns the manager ids whose isManager may have changed */
export function applyUserBody(store: Store, user: SimUser, body: Json, creating: boolean): string[] {
  const userName = prop(body, 'userName');
  if (!creating && userName !== undefined && userName !== user.userName) throw errors.userNameImmutable();
  const touchedManagers: string[] = [];
  if (has(body, 'externalId')) user.externalId = str(prop(body, 'externalId'), 'externalId');
  const name = prop(body, 'name');
  if (isObject(name)) {
    if (has(name, 'givenName')) user.givenName = str(prop(name, 'givenName'), 'name.givenName');
    if (has(name, 'familyName')) user.familyName = str(prop(name, 'familyName'), 'name.familyName');
    if (has(name, 'formatted') && !has(body, 'displayName')) user.displayName = str(prop(name, 'formatted'), 'name.formatted');
  }
  if (has(body, 'displayName')) user.displayName = str(prop(body, 'displayName'), 'displayName');
  if (creating && user.displayName === null && (user.givenName || user.familyName)) {
    user.displayName = [user.givenName, user.familyName].filter(Boolean).join(' ');
  }
  if (has(body, 'userType')) user.userType = str(prop(body, 'userType'), 'userType');
  if (has(body, 'active')) user.active = bool(prop(body, 'active'));
  if (has(body, 'password')) user.password = str(prop(body, 'password'), 'password');
  if (has(body, 'emails')) {
    const emails = prop(body, 'emails');
    if (emails === null) user.email = null;
    else if (!Array.isArray(emails)) throw errors.invalidValue("Invalid value for attribute 'emails'.");
    else if (emails.length > 1) throw errors.invalidValue("Attribute 'emails' does not allow multiple values.");
    else if (emails.length === 0) user.email = null;
    else {
      const first = emails[0];
      user.email = isObject(first) ? str(prop(first, 'value') ?? null, 'emails.value') : str(first, 'emails');
    }
  }
  const ent = prop(body, URN.enterpriseUser);
  if (isObject(ent) && has(ent, 'manager')) {
    const managerId = identityRef(store, prop(ent, 'manager'), 'manager');
    if (managerId === user.id) throw errors.invalidValue('An identity cannot be its own manager.');
    if (managerId !== user.managerId) {
      if (user.managerId) touchedManagers.push(user.managerId);
      if (managerId) touchedManagers.push(managerId);
      user.managerId = managerId;
    }
  }
  const sp = prop(body, URN.sailpointUser);
  if (isObject(sp)) {
    // read-only: isManager, riskScore, lastRefresh, accounts, roles, entitlements -> silently ignored (S7)
    if (has(sp, 'capabilities')) {
      const caps = prop(sp, 'capabilities');
      if (caps !== null && !Array.isArray(caps)) throw errors.invalidValue("Invalid value for attribute 'capabilities'.");
      user.capabilities = (caps ?? []).map((c: unknown) => str(c, 'capabilities') ?? '').filter((c: string) => c !== '');
    }
    for (const key of ['department', 'jobtitle', 'location', 'region', 'empId'] as const) {
      if (has(sp, key)) user[key] = str(prop(sp, key), key);
    }
    if (has(sp, 'costcenter')) {
      const cc = prop(sp, 'costcenter');
      user.costcenter = cc === null ? [] : (Array.isArray(cc) ? cc : [cc]).map((c) => str(c, 'costcenter') ?? '').filter((c) => c !== '');
    }
    if (has(sp, 'locationOwner')) user.locationOwner = identityRef(store, prop(sp, 'locationOwner'), 'locationOwner');
    if (has(sp, 'regionOwner')) user.regionOwner = identityRef(store, prop(sp, 'regionOwner'), 'regionOwner');
    if (has(sp, 'administrator')) user.administratorId = identityRef(store, prop(sp, 'administrator'), 'administrator');
  }
  return touchedManagers;
}

export function createUser(store: Store, ids: IdSource, body: Json): SimUser {
  const userName = prop(body, 'userName');
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw errors.invalidValue("Required attribute 'userName' is missing.");
  }
  if (store.userByName(userName)) throw errors.alreadyExists(userName);
  const now = Date.now();
  const user = newUser(ids.next(), userName, now);
  user.userType = 'employee';
  const touched = applyUserBody(store, user, body, true);
  store.addUser(user);
  store.refreshManagerStatus(touched);
  return user;
}

export function updateUser(store: Store, user: SimUser, body: Json): void {
  // validate on a copy so a rejected PUT leaves the identity untouched
  const draft: SimUser = { ...user, capabilities: user.capabilities.slice(), costcenter: user.costcenter.slice() };
  const touched = applyUserBody(store, draft, body, false);
  Object.assign(user, draft);
  user.lastModified = store.nextModified(user.lastModified);
  store.userChanged();
  store.refreshManagerStatus(touched);
}

// ---------------------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------------------

function entitlementsFrom(body: Json, appName: string, attribute: string): { attribute: string; value: string }[] | undefined {
  const ext = prop(body, appSchemaUrn(appName));
  if (!isObject(ext) || !has(ext, attribute)) return undefined;
  const raw = prop(ext, attribute);
  const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((v) => ({ attribute, value: str(v, attribute) ?? '' })).filter((e) => e.value !== '');
}

export function createAccount(store: Store, ids: IdSource, body: Json): SimAccount {
  const identity = prop(body, 'identity');
  const application = prop(body, 'application');
  const identityValue = isObject(identity) ? prop(identity, 'value') : undefined;
  const appValue = isObject(application) ? prop(application, 'value') : undefined;
  if (typeof identityValue !== 'string' || identityValue === '') throw errors.invalidValue("Required attribute 'identity.value' is missing.");
  if (typeof appValue !== 'string' || appValue === '') throw errors.invalidValue("Required attribute 'application.value' is missing.");
  const owner = store.userById(identityValue) ?? store.userByName(identityValue);
  if (!owner) throw errors.invalidValue(`Invalid reference for attribute 'identity': ${identityValue}`);
  const app = store.applicationById(appValue) ?? store.applicationByName(appValue);
  if (!app) throw errors.invalidValue(`Invalid reference for attribute 'application': ${appValue}`);
  if (!app.provisionable) throw errors.invalidValue(`Application ${app.name} does not support account creation.`);
  if (has(body, 'active') && !bool(prop(body, 'active'))) throw errors.invalidValue('Cannot create a disabled account.');
  const def = APPLICATIONS.find((a) => a.name === app.name);
  const nativeRaw = prop(body, 'nativeIdentity');
  const nativeIdentity = typeof nativeRaw === 'string' && nativeRaw !== '' ? nativeRaw : `${(def?.key ?? 'app').toLowerCase()}:${owner.userName}`;
  if (store.accounts.some((a) => a.applicationId === app.id && a.nativeIdentity === nativeIdentity)) {
    throw errors.alreadyExists(nativeIdentity);
  }
  const now = Date.now();
  const displayRaw = prop(body, 'displayName');
  const account: SimAccount = {
    id: ids.next(), identityId: owner.id, applicationId: app.id, nativeIdentity,
    displayName: typeof displayRaw === 'string' && displayRaw !== '' ? displayRaw : nativeIdentity,
    uuid: null, active: true, locked: false, manuallyCorrelated: false,
    entitlements: entitlementsFrom(body, app.name, app.entitlementAttribute) ?? [],
    password: has(body, 'password') ? str(prop(body, 'password'), 'password') : null,
    lastRefresh: now, created: now, lastModified: now,
  };
  store.addAccount(account);
  owner.lastModified = store.nextModified(owner.lastModified);
  return account;
}

export function updateAccount(store: Store, account: SimAccount, body: Json): void {
  const app = store.applicationById(account.applicationId);
  const nativeRaw = prop(body, 'nativeIdentity');
  if (nativeRaw !== undefined && nativeRaw !== account.nativeIdentity) {
    throw errors.invalidValue("Attribute 'nativeIdentity' can't be changed.");
  }
  const next = { ...account };
  if (has(body, 'active')) next.active = bool(prop(body, 'active'));
  // only unlocking is supported (reference §5)
  if (has(body, 'locked') && !bool(prop(body, 'locked'))) next.locked = false;
  if (has(body, 'password')) next.password = str(prop(body, 'password'), 'password');
  if (has(body, 'displayName')) next.displayName = str(prop(body, 'displayName'), 'displayName') ?? account.displayName;
  if (app) {
    const ents = entitlementsFrom(body, app.name, app.entitlementAttribute);
    if (ents !== undefined) next.entitlements = ents;
  }
  Object.assign(account, next);
  account.lastModified = store.nextModified(account.lastModified);
  store.accountChanged();
}
