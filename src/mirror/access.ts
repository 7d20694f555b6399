// Access mapping: IIQ roles (by exact name, a glob such as `Payroll *`, or a /regular expression/) to the
// vendor's own permissions, from a JSON file or the API; and the access report built from it — one row per
// (user, role held, permission), the compliance use case.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { IiqRole, IiqUser } from '../iiq/types.ts';

export const accessRuleSchema = z.object({
  role: z.string().min(1).max(512),
  permissions: z.array(z.string().min(1).max(256)).max(1000),
});
export type AccessRule = z.infer<typeof accessRuleSchema>;
export const accessMapSchema = z.object({ rules: z.array(accessRuleSchema).max(10_000) });

function compile(pattern: string): (name: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    const re = new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
    return (name) => re.test(name);
  }
  if (/[*?]/.test(pattern)) {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    return (name) => re.test(name);
  }
  const lower = pattern.toLowerCase();
  return (name) => name.toLowerCase() === lower;
}

export class AccessMapping {
  private readonly compiled: { test: (name: string) => boolean; permissions: readonly string[] }[];

  constructor(readonly rules: readonly AccessRule[]) {
    this.compiled = rules.map((r) => ({ test: compile(r.role), permissions: r.permissions }));
  }

  static parse(input: unknown): AccessMapping {
    const parsed = accessMapSchema.safeParse(input);
    if (!parsed.success) throw new Error(`invalid access map: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
    for (const r of parsed.data.rules) compile(r.role); // a bad regular expression fails here, not per request
    return new AccessMapping(parsed.data.rules);
  }

  static fromFile(path: string): AccessMapping {
    return AccessMapping.parse(JSON.parse(readFileSync(path, 'utf8')));
  }

  /** permissions granted by one role name, in rule order, without duplicates */
  forRole(roleName: string): string[] {
    const out = new Set<string>();
    for (const r of this.compiled) if (r.test(roleName)) for (const p of r.permissions) out.add(p);
    return [...out];
  }

  /** the union over a user's roles, sorted */
  forUser(user: IiqUser, roleName: (roleId: string) => string | null): string[] {
    const out = new Set<string>();
    for (const a of user.roles ?? []) {
      const name = roleName(a.roleId) ?? a.roleDisplayName;
      if (name) for (const p of this.forRole(name)) out.add(p);
    }
    return [...out].sort();
  }
}

export interface AccessReportRow {
  user_id: string;
  user_name: string;
  role_id: string;
  role_name: string | null;
  acquired: string;
  application: string | null;
  account: string | null;
  permission: string | null;
}

export const ACCESS_REPORT_COLUMNS: (keyof AccessReportRow)[] = ['user_id', 'user_name', 'role_id', 'role_name', 'acquired', 'application', 'account', 'permission'];

/** One row per permission a held role grants; a held role that grants none still appears (permission null). */
export function* accessRows(user: IiqUser, roles: ReadonlyMap<string, IiqRole>, mapping: AccessMapping): Generator<AccessReportRow> {
  for (const a of user.roles ?? []) {
    const roleName = roles.get(a.roleId)?.name ?? a.roleDisplayName;
    const base = { user_id: user.id, user_name: user.userName, role_id: a.roleId, role_name: roleName, acquired: a.acquired, application: a.application, account: a.accountName };
    const permissions = roleName ? mapping.forRole(roleName) : [];
    if (permissions.length === 0) yield { ...base, permission: null };
    for (const permission of permissions) yield { ...base, permission };
  }
}
