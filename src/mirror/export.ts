// Streamed exports of users, roles and the access report as NDJSON or CSV (csv-stringify), from IIQ live or
// from the mirror. One record at a time with backpressure: memory stays flat however large the directory.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { IiqRole, IiqUser } from '../iiq/types.ts';
import { ACCESS_REPORT_COLUMNS, accessRows, type AccessMapping } from './access.ts';

export const EXPORT_KINDS = ['users', 'roles', 'access'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportSource {
  /** users with roles, any order */
  users(): AsyncIterable<IiqUser>;
  roles(): Promise<readonly IiqRole[]>;
  mapping(): Promise<AccessMapping>;
}

export const USER_COLUMNS = [
  'id', 'userName', 'displayName', 'givenName', 'familyName', 'formattedName', 'email', 'active', 'userType', 'managerId', 'managerDisplayName',
  'isManager', 'riskScore', 'capabilities', 'roles', 'accounts', 'lastRefresh', 'created', 'lastModified', 'version', 'attributes',
] as const;

export const ROLE_COLUMNS = [
  'id', 'name', 'displayName', 'type', 'active', 'ownerId', 'ownerDisplayName', 'parentIds', 'requiredRoleIds', 'permittedRoleIds', 'description', 'created', 'lastModified', 'version',
] as const;

/** NDJSON keeps the whole model but the raw SCIM JSON (available through GraphQL `raw`). */
const withoutRaw = <T extends { raw: unknown }>(x: T): Omit<T, 'raw'> => {
  const { raw: _raw, ...rest } = x;
  return rest;
};

/** Flat CSV row; lists joined with `;`, roles as `roleId:Assigned|Detected`, custom attributes as JSON. */
export function userRow(u: IiqUser): Record<(typeof USER_COLUMNS)[number], string | number | boolean | null> {
  return {
    id: u.id,
    userName: u.userName,
    displayName: u.displayName,
    givenName: u.givenName,
    familyName: u.familyName,
    formattedName: u.formattedName,
    email: u.email,
    active: u.active,
    userType: u.userType,
    managerId: u.manager?.id ?? null,
    managerDisplayName: u.manager?.displayName ?? null,
    isManager: u.isManager,
    riskScore: u.riskScore,
    capabilities: u.capabilities.join(';'),
    roles: [...new Set((u.roles ?? []).map((r) => `${r.roleId}:${r.acquired}`))].join(';'),
    accounts: u.accounts.map((a) => a.id).join(';'),
    lastRefresh: u.lastRefresh,
    created: u.created,
    lastModified: u.lastModified,
    version: u.version,
    attributes: JSON.stringify(u.customAttributes),
  };
}

export function roleRow(r: IiqRole): Record<(typeof ROLE_COLUMNS)[number], string | boolean | null> {
  return {
    id: r.id,
    name: r.name,
    displayName: r.displayName,
    type: r.type?.name ?? null,
    active: r.active,
    ownerId: r.owner?.id ?? null,
    ownerDisplayName: r.owner?.displayName ?? null,
    parentIds: r.parentIds.join(';'),
    requiredRoleIds: r.requiredRoleIds.join(';'),
    permittedRoleIds: r.permittedRoleIds.join(';'),
    description: r.descriptions[0]?.value ?? null,
    created: r.created,
    lastModified: r.lastModified,
    version: r.version,
  };
}

/** The records of one export, in the chosen format's shape. */
export async function* exportRecords(kind: ExportKind, format: ExportFormat, source: ExportSource): AsyncGenerator<Record<string, unknown>> {
  if (kind === 'roles') {
    for (const r of await source.roles()) yield format === 'csv' ? roleRow(r) : withoutRaw(r);
    return;
  }
  if (kind === 'users') {
    for await (const u of source.users()) yield format === 'csv' ? userRow(u) : withoutRaw(u);
    return;
  }
  const roles = new Map((await source.roles()).map((r) => [r.id, r]));
  const mapping = await source.mapping();
  for await (const u of source.users()) yield* accessRows(u, roles, mapping) as Generator<Record<string, unknown>>;
}

export function columnsOf(kind: ExportKind): readonly string[] {
  return kind === 'users' ? USER_COLUMNS : kind === 'roles' ? ROLE_COLUMNS : ACCESS_REPORT_COLUMNS;
}

/** A byte stream of the export (NDJSON lines, or CSV with a header row); `onRecord` counts progress. */
export function exportStream(kind: ExportKind, format: ExportFormat, source: ExportSource, onRecord?: () => void): Readable {
  async function* counted() {
    for await (const r of exportRecords(kind, format, source)) {
      onRecord?.();
      yield r;
    }
  }
  if (format === 'ndjson') {
    return Readable.from((async function* () {
      for await (const r of counted()) yield `${JSON.stringify(r)}\n`;
    })());
  }
  const csv = stringify({ header: true, columns: [...columnsOf(kind)], cast: { boolean: (b) => (b ? 'true' : 'false') } });
  Readable.from(counted()).on('error', (err) => csv.destroy(err)).pipe(csv);
  return csv;
}

/** Writes an export to `out` (a file or stdout); resolves with the number of records. */
export async function writeExport(kind: ExportKind, format: ExportFormat, source: ExportSource, out: Writable, onRecord?: () => void): Promise<number> {
  let n = 0;
  await pipeline(exportStream(kind, format, source, () => {
    n++;
    onRecord?.();
  }), out);
  return n;
}

/** Live from IIQ: users with roles through parallel windows, the role catalog in one listing. */
export function liveSource(client: import('../iiq/types.ts').IiqClient, mapping: () => Promise<AccessMapping>, opts: { concurrency?: number; pageSize?: number } = {}): ExportSource {
  return {
    users: () => client.iterateUsers({ includeRoles: true, sort: { by: 'userName', order: 'ascending' } }, { concurrency: opts.concurrency ?? 4, pageSize: opts.pageSize ?? 500 }),
    roles: () => client.listAllRoles({ pageSize: 1000 }),
    mapping,
  };
}
