// Mirror test helpers: a mirror store on a real database (SQLite in a temp dir, PostgreSQL at 127.0.0.1:5432 in
// a schema of its own per run), the simulator as upstream, and the live view the mirror must equal.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openMirrorStore, type MirrorDbConfig } from '../../src/mirror/open.ts';
import { ConnectionMirror, type ConnectionMirrorOptions } from '../../src/mirror/service.ts';
import type { MirrorStore } from '../../src/mirror/store.ts';
import type { IiqClient, IiqRole, IiqUser } from '../../src/iiq/types.ts';
import { PG_URL } from '../connections/databases.ts';
import type { Sim } from '../iiq/sim.ts';

export interface MirrorTestDb {
  kind: 'sqlite' | 'postgres';
  config: MirrorDbConfig;
  open(): Promise<MirrorStore>;
  drop(): Promise<void>;
}

function sqlite(): MirrorTestDb {
  const dir = mkdtempSync(join(tmpdir(), 'iiq-graph-mirror-'));
  const config = { dataDir: dir };
  return { kind: 'sqlite', config, open: () => openMirrorStore(config), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

function postgres(): MirrorTestDb {
  const schema = `iiqg_mirror_${process.pid}_${randomBytes(4).toString('hex')}`;
  const config = { dataDir: '/nonexistent', databaseUrl: PG_URL, pgSchema: schema };
  return {
    kind: 'postgres',
    config,
    open: () => openMirrorStore(config),
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** The single connection's mirror ('default'), no schedule, synced once (roles, then full) and started. */
export async function startSyncedMirror(live: IiqClient, store: MirrorStore, extra: Partial<ConnectionMirrorOptions> = {}): Promise<ConnectionMirror> {
  const mirror = new ConnectionMirror({
    live,
    store,
    connectionId: 'default',
    tenantId: 'default',
    schedule: false,
    sync: { concurrency: 2, pageSize: 20, batchSize: 20, skewMs: 1000 },
    ...extra,
  });
  await mirror.runNow('roles');
  await mirror.runNow('full');
  await mirror.start();
  return mirror;
}

export const MIRROR_DATABASES = [
  { name: 'sqlite', make: sqlite },
  { name: 'postgres', make: postgres },
] as const;

const byName = <T extends { userName: string }>(a: T, b: T) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0);

/** What IIQ says now: every user with roles, every role (the mirror must equal this exactly). */
export async function liveView(client: IiqClient): Promise<{ users: IiqUser[]; roles: IiqRole[] }> {
  const users: IiqUser[] = [];
  for await (const u of client.iterateUsers({ includeRoles: true }, { pageSize: 1000 })) users.push(u);
  const roles = await client.listAllRoles({ pageSize: 1000 });
  return { users: users.sort(byName), roles: [...roles].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

export async function mirrorView(store: MirrorStore, connectionId: string): Promise<{ users: IiqUser[]; roles: IiqRole[] }> {
  const users: IiqUser[] = [];
  for await (const u of store.iterateUsers(connectionId)) users.push(u);
  const roles = await store.listRoles(connectionId);
  return { users: users.sort(byName), roles: roles.sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

/** A role change IIQ would make through a provisioning plan or detection: SCIM cannot write roles (reference §5). */
export function grantRole(sim: Sim, userId: string, roleId: string): void {
  const u = sim.data.userById(userId)!;
  u.roles.push({ roleId, acquired: 'Assigned' });
  u.lastModified = Math.max(Date.now(), u.lastModified + 1);
}

export function revokeRoles(sim: Sim, userId: string): void {
  const u = sim.data.userById(userId)!;
  u.roles.splice(0);
  u.lastModified = Math.max(Date.now(), u.lastModified + 1);
}
