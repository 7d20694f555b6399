// From a SCIM response body to the client's models: the ListResponse envelope and its User / Role items.
// Every item is zod-validated; an invalid one throws `invalidResponse` whose issues name the path
// (`Resources.3.userName`), never a value. Used by client.ts; exported for bench/ingest.bench.ts.
import { z } from 'zod';
import { invalidResponse, issuesFrom } from './errors.ts';
import { intishSchema } from './schemas/common.ts';
import { scimListResponseSchema } from './schemas/list.ts';
import { scimRoleSchema, toIiqRole } from './schemas/role.ts';
import { scimUserSchema, toIiqUser } from './schemas/user.ts';
import type { IiqRole, IiqUser, Page } from './types.ts';

/** What the request asked for: an asked-for but absent list is `[]`, an unasked one `null`. */
export interface UserRequested {
  roles: boolean;
  entitlements: boolean;
}

export function parseUser(operation: string, json: unknown, requested: UserRequested, path: PropertyKey[] = []): IiqUser {
  const parsed = scimUserSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'a User failed validation', { issues: issuesFrom(parsed.error.issues, path) });
  return toIiqUser(parsed.data, json as Record<string, unknown>, requested);
}

export function parseRole(operation: string, json: unknown, path: PropertyKey[] = []): IiqRole {
  const parsed = scimRoleSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'a Role failed validation', { issues: issuesFrom(parsed.error.issues, path) });
  return toIiqRole(parsed.data, json as Record<string, unknown>);
}

export function parseList<T>(operation: string, json: unknown, item: (json: unknown, path: PropertyKey[]) => T): Page<T> {
  const parsed = scimListResponseSchema.safeParse(json);
  if (!parsed.success) throw invalidResponse(operation, 'the ListResponse failed validation', { issues: issuesFrom(parsed.error.issues) });
  const resources = parsed.data.Resources ?? [];
  return {
    totalResults: parsed.data.totalResults,
    startIndex: parsed.data.startIndex ?? 1,
    items: resources.map((r, i) => item(r, ['Resources', i])),
  };
}

/**
 * A `/Users` ListResponse validated in ONE pass (envelope and every user: one schema built once, plain objects
 * throughout) instead of the envelope first and then each item on its own.
 */
const scimUserListSchema = z.object({
  schemas: z.array(z.string()).optional(),
  totalResults: intishSchema.pipe(z.number().min(0)),
  startIndex: intishSchema.optional(),
  itemsPerPage: intishSchema.optional(),
  Resources: z.array(scimUserSchema).optional(),
});

type Issue = z.core.$ZodIssue;

/** Issues of the first invalid user (`Resources.<n>…`), or null when the envelope itself is invalid. */
function firstItemIssues(issues: readonly Issue[]): Issue[] | null {
  let first = Infinity;
  for (const issue of issues) {
    const [key, index] = issue.path;
    if (key !== 'Resources' || typeof index !== 'number') return null;
    if (index < first) first = index;
  }
  return issues.filter((i) => i.path[1] === first);
}

/** A `/Users` ListResponse page → models. The same errors as validating the envelope, then each user in turn. */
export function parseUserPage(operation: string, json: unknown, requested: UserRequested): Page<IiqUser> {
  const parsed = scimUserListSchema.safeParse(json);
  if (!parsed.success) {
    const itemIssues = firstItemIssues(parsed.error.issues);
    if (itemIssues) throw invalidResponse(operation, 'a User failed validation', { issues: issuesFrom(itemIssues) });
    const envelope = parsed.error.issues.filter((i) => i.path[0] !== 'Resources' || typeof i.path[1] !== 'number');
    throw invalidResponse(operation, 'the ListResponse failed validation', { issues: issuesFrom(envelope) });
  }
  const users = parsed.data.Resources;
  const raws = (json as { Resources?: Record<string, unknown>[] }).Resources;
  const items = new Array<IiqUser>(users?.length ?? 0);
  for (let i = 0; i < items.length; i++) items[i] = toIiqUser(users![i]!, raws![i]!, requested);
  return { totalResults: parsed.data.totalResults, startIndex: parsed.data.startIndex ?? 1, items };
}
