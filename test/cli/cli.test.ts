// `iiq-graph` CLI end to end (the package's bin, as npx runs it) against the simulator: sync, export from the
// mirror and live, doctor.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../iiq/sim.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/iiq-graph.mjs', import.meta.url));

describe('npx iiq-graph', () => {
  let sim: Sim;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });

  beforeAll(async () => {
    ({ sim } = await startSim({ users: 40 }));
    dir = mkdtempSync(join(tmpdir(), 'iiq-graph-cli-'));
    env = { PATH: process.env.PATH, IIQ_BASE_URL: sim.baseUrl, IIQ_USERNAME: 'spadmin', IIQ_PASSWORD: 'admin', DATA_DIR: dir, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim?.close();
  });

  it('sync, then export from the mirror; doctor reports every check', async () => {
    const sync = await cli('sync');
    expect(sync.stdout).toMatch(/^roles\s+succeeded/m);
    expect(sync.stdout).toMatch(/^full\s+succeeded in [\d.]+ s: fetched 40, created 40/m);
    expect(sync.stdout).toMatch(/mirror: 40 users/);

    const out = join(dir, 'users.ndjson');
    const exp = await cli('export', 'users', '--format', 'ndjson', '--out', out, '--from', 'mirror');
    expect(exp.stderr).toMatch(/exported 40 users as ndjson from the mirror/);
    const users = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; userName: string });
    expect(users.map((u) => u.id).sort()).toEqual(sim.data.users.map((u) => u.id).sort());

    const doctor = await cli('doctor');
    expect(doctor.stdout).not.toMatch(/^✗/m);
    expect(doctor.stdout).toMatch(/^✓ credentials and users — 40 users visible/m);
    expect(doctor.stdout).toMatch(/^✓ mirror database .* 40 users mirrored/m);
  });

  it('refuses an unknown export kind with usage help', async () => {
    await expect(cli('export', 'groups')).rejects.toMatchObject({ stderr: expect.stringMatching(/must be one of users, roles, access/) });
  });
});
