// A user known only by id and userName (from the membership index), for selections that need nothing else.
import type { IiqUser } from '../iiq/types.ts';

export function userStub(id: string, userName: string): IiqUser {
  return {
    id,
    userName,
    displayName: null,
    formattedName: null,
    givenName: null,
    familyName: null,
    email: null,
    emails: [],
    active: null,
    userType: null,
    manager: null,
    isManager: null,
    riskScore: null,
    capabilities: [],
    lastRefresh: null,
    administrator: null,
    accounts: [],
    roles: null,
    entitlements: null,
    customAttributes: {},
    created: null,
    lastModified: null,
    version: null,
    raw: {},
  };
}
