// Exports (NDJSON and CSV) parse back to the mirror's content; the access mapping and the access report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IiqClient, IiqUser } from '../../src/iiq/types.ts';
import { AccessMapping } from '../../src/mirror/access.ts';
import { liveSource, roleRow, userRow, writeExport, type ExportSource } from '../../src/mirror/export.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import { MirrorSync } from '../../src/mirror/sync.ts';
import { client, startSim, type Sim } from '../iiq/sim.ts';
import { MIRROR_DATABASES, type MirrorTestDb } from './harness.ts';

/** RFC 4180: quoted fields, doubled quotes, newlines inside quotes. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

const asCsv = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));

const MAPPING = AccessMapping.parse({
  rules: [
    { role: 'Payroll*', permissions: ['payroll:read', 'payroll:approve'] },
    { role: '/^it /i', permissions: ['it:admin'] },
    { role: 'Enterprise', permissions: ['sso:login'] },
  ],
});

describe('access mapping', () => {
  it('matches exact names (case-insensitive), globs and regular expressions; unions per user, sorted', () => {
    expect(MAPPING.forRole('enterprise')).toEqual(['sso:login']);
    expect(MAPPING.forRole('Payroll Specialist')).toEqual(['payroll:read', 'payroll:approve']);
    expect(MAPPING.forRole('IT Helpdesk')).toEqual(['it:admin']);
    expect(MAPPING.forRole('Enterprise Architect')).toEqual([]);
    const user = { roles: [{ roleId: 'a' }, { roleId: 'b' }, { roleId: 'c' }] } as unknown as IiqUser;
    const names: Record<string, string> = { a: 'Payroll Clerk', b: 'Enterprise', c: 'Nothing' };
    expect(MAPPING.forUser(user, (id) => names[id]!)).toEqual(['payroll:approve', 'payroll:read', 'sso:login']);
  });

  it('refuses a malformed map', () => {
    expect(() => AccessMapping.parse({ rules: [{ role: '', permissions: [] }] })).toThrow(/invalid access map/);
    expect(() => AccessMapping.parse({ rules: [{ role: '/(/', permissions: ['x'] }] })).toThrow();
  });
});

describe.each(MIRROR_DATABASES)('exports on $name', ({ make }) => {
  let sim: Sim;
  let iiq: IiqClient;
  let db: MirrorTestDb;
  let store: MirrorStore;
  let dir: string;
  let source: ExportSource;

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 60 }));
    iiq = client(sim.baseUrl);
    db = make();
    store = await db.open();
    const sync = new MirrorSync(iiq, store, 'c', { pageSize: 20, batchSize: 20 });
    await sync.run('roles');
    await sync.run('full');
    dir = mkdtempSync(join(tmpdir(), 'iiq-graph-export-'));
    source = { users: () => store.iterateUsers('c'), roles: () => store.listRoles('c'), mapping: async () => MAPPING };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await store?.close();
    await db?.drop();
    await iiq?.close();
    await sim?.close();
  });

  const exportTo = async (kind: 'users' | 'roles' | 'access', format: 'ndjson' | 'csv', src = source) => {
    const file = join(dir, `${kind}.${format}`);
    const n = await writeExport(kind, format, src, createWriteStream(file));
    return { n, text: readFileSync(file, 'utf8') };
  };

  it('users and roles as NDJSON parse back to the mirror (raw SCIM JSON aside)', async () => {
    const users: IiqUser[] = [];
    for await (const u of store.iterateUsers('c')) users.push(u);
    const { n, text } = await exportTo('users', 'ndjson');
    expect(n).toBe(60);
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(users.map(({ raw: _r, ...u }) => u));
    const roles = await store.listRoles('c');
    const r = await exportTo('roles', 'ndjson');
    expect(r.text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(roles.map(({ raw: _r, ...x }) => x));
  });

  it('users and roles as CSV parse back to the flat rows', async () => {
    const users: IiqUser[] = [];
    for await (const u of store.iterateUsers('c')) users.push(u);
    expect(parseCsv((await exportTo('users', 'csv')).text)).toEqual(users.map((u) => asCsv(userRow(u))));
    expect(parseCsv((await exportTo('roles', 'csv')).text)).toEqual((await store.listRoles('c')).map((r) => asCsv(roleRow(r))));
  });

  it('the access report has one row per held role and granted permission, in both formats, live and mirrored alike', async () => {
    const { text } = await exportTo('access', 'ndjson');
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string | null>);
    const roleName = new Map(sim.data.roles.map((r) => [r.id, r.name]));
    let expected = 0;
    for (const u of sim.data.users) {
      for (const a of u.roles) expected += Math.max(1, MAPPING.forRole(roleName.get(a.roleId)!).length);
    }
    expect(rows).toHaveLength(expected);
    const payroll = rows.filter((r) => r.role_name?.startsWith('Payroll'));
    expect(payroll.length).toBeGreaterThan(0);
    expect(payroll.every((r) => r.permission === 'payroll:read' || r.permission === 'payroll:approve')).toBe(true);
    expect(rows.filter((r) => r.role_name === 'Enterprise').every((r) => r.permission === 'sso:login')).toBe(true);
    const csv = parseCsv((await exportTo('access', 'csv')).text);
    expect(csv).toEqual(rows.map(asCsv));
    // live from IIQ: the same report (order by userName too)
    const live = await exportTo('access', 'ndjson', liveSource(iiq, async () => MAPPING, { concurrency: 2, pageSize: 25 }));
    const sortKey = (r: Record<string, unknown>) => JSON.stringify(r);
    expect(live.text.trimEnd().split('\n').map((l) => JSON.parse(l)).map(sortKey).sort()).toEqual(rows.map(sortKey).sort());
  });
});
