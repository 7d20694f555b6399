// Building blocks for IIQ's SCIM payloads, tolerant of the quirks real servers send (reference §3, §6).
import { z } from 'zod';

/** `true`, or IIQ's string `"true"` (emails[].primary is serialized as a string in real captures). */
export const boolishSchema = z.union([
  z.boolean(),
  z
    .string()
    .refine((s) => /^(true|false)$/i.test(s.trim()), { message: 'expected a boolean or "true"/"false"' })
    .transform((s) => s.trim().toLowerCase() === 'true'),
]);

/** A number or a numeric string (`status: "400"`, counts from some proxies). */
export const numberishSchema = z.union([
  z.number(),
  z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), { message: 'expected a number' })
    .transform((s) => Number(s)),
]);

export const intishSchema = numberishSchema.pipe(z.number().int());

/** A reference `{value, displayName, $ref}`; IIQ renders an empty reference as `{}`. */
export const scimRefSchema = z.looseObject({
  value: z.string().optional(),
  displayName: z.string().optional(),
  display: z.string().optional(),
  $ref: z.string().optional(),
});
export type ScimRef = z.infer<typeof scimRefSchema>;

export const scimMetaSchema = z.looseObject({
  resourceType: z.string().optional(),
  created: z.string().optional(),
  lastModified: z.string().optional(),
  location: z.string().optional(),
  version: z.string().optional(),
});
export type ScimMeta = z.infer<typeof scimMetaSchema>;

export const descriptionsSchema = z.array(z.looseObject({ locale: z.string().nullish(), value: z.string() }));

/** End of a `$ref`'s path: before `?` / `#`, trailing slashes dropped. */
function refPathEnd(ref: string): number {
  let end = ref.length;
  const q = ref.indexOf('?');
  if (q >= 0) end = q;
  const h = ref.indexOf('#');
  if (h >= 0 && h < end) end = h;
  while (end > 0 && ref.charCodeAt(end - 1) === 47 /* / */) end--;
  return end;
}

/** Whether `idFromRef(ref)` is not null, without building the id (the role `$ref` check of every validated role). */
export function refHasId(ref: string): boolean {
  const end = refPathEnd(ref);
  return end > ref.lastIndexOf('/', end - 1) + 1;
}

/** Last path segment of a `$ref` (`…/Roles/{id}` → id); IIQ's role `value` is NOT the id (reference §3.3). */
export function idFromRef(ref: string | undefined): string | null {
  if (!ref) return null;
  // hot path (twice per role of every user; ~6 % of a 100-user page in a CPU profile): index scans, no regexes
  const end = refPathEnd(ref);
  const last = ref.slice(ref.lastIndexOf('/', end - 1) + 1, end);
  if (!last) return null;
  if (!last.includes('%')) return last;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** `{}` → null; otherwise id from `value`, falling back to the `$ref` tail. */
export function refToIdentity(ref: ScimRef | undefined | null): { id: string; displayName: string | null } | null {
  if (!ref) return null;
  const id = ref.value ?? idFromRef(ref.$ref);
  if (!id) return null;
  return { id, displayName: ref.displayName ?? ref.display ?? null };
}
