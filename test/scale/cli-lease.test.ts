// `npx iiq-graph sync` next to gateway replicas on the same PostgreSQL: it runs only while it can take the
// connection's lease, so a manual sync never runs alongside the owner's schedule.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgLease } from '../../src/mirror/lease.ts';
import { PG_URL } from '../connections/databases.ts';
import { startSim, type Sim } from '../iiq/sim.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/iiq-graph.mjs', import.meta.url));
const DB_NAME = `iiqg_cli_lease_${process.pid}_${randomBytes(4).toString('hex')}`;
const DB_URL = PG_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);

describe('npx iiq-graph sync with a shared PostgreSQL', () => {
  let sim: Sim;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 40 }));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
    env = { PATH: process.env.PATH, IIQ_BASE_URL: sim.baseUrl, IIQ_USERNAME: 'spadmin', IIQ_PASSWORD: 'admin', DATABASE_URL: DB_URL, LOG_LEVEL: 'silent' };
  }, 30_000);

  afterAll(async () => {
    await sim?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
  });

  it('refuses while a replica holds the lease, runs once it is free', async () => {
    const replica = new PgLease({ connectionString: DB_URL, name: 'mirror:default', pollMs: 100, onAcquired: () => undefined, onLost: () => undefined });
    expect(await replica.tryAcquire()).toBe(true);
    try {
      await expect(cli('sync')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/holds this connection's sync lease: nothing was run/) });
    } finally {
      await replica.stop();
    }
    const sync = await cli('sync');
    expect(sync.stdout).toMatch(/^full\s+succeeded in [\d.]+ s: fetched 40, created 40/m);
  }, 60_000);
});
