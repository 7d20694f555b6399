import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiqError } from '../../src/iiq/errors.ts';
import type { IiqClient, IiqUser } from '../../src/iiq/types.ts';
import { client, startSim, type Sim } from './sim.ts';

let sim: Sim;
let baseUrl: string;
let c: IiqClient;

beforeAll(async () => {
  ({ sim, baseUrl } = await startSim({ users: 40 }));
  c = client(baseUrl);
});
afterAll(async () => {
  await c.close();
  await sim.close();
});

describe('writes', () => {
  it('creates, conditionally replaces and deletes a user', async () => {
    const manager = sim.data.users.find((u) => u.isManager)!;
    const created = await c.createUser({
      userName: "Zoë O'Neil \"test\"",
      givenName: 'Zoë',
      familyName: "O'Neil",
      displayName: "Zoë O'Neil",
      email: 'zoe.oneil@example.com',
      active: true,
      managerId: manager.id,
      capabilities: [],
      customAttributes: { department: 'Finance', costcenter: ['F01'] },
    });
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.userName).toBe("Zoë O'Neil \"test\"");
    expect(created.email).toBe('zoe.oneil@example.com');
    expect(created.emails[0]?.primary).toBe(true);
    expect(created.manager?.id).toBe(manager.id);
    expect(created.customAttributes).toMatchObject({ department: 'Finance', costcenter: ['F01'] });
    expect(sim.data.userByName("Zoë O'Neil \"test\"")?.id).toBe(created.id);
    expect((await c.getUserByName("Zoë O'Neil \"test\""))?.id).toBe(created.id);

    const replaced = await c.replaceUser(created.id, { userName: created.userName, displayName: 'Zoë Renamed', active: false }, { ifMatch: created.version! });
    expect(replaced.displayName).toBe('Zoë Renamed');
    expect(replaced.active).toBe(false);
    expect(replaced.version).not.toBe(created.version);

    // the old version no longer matches
    const stale = await c.deleteUser(created.id, { ifMatch: created.version! }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(IiqError);
    expect((stale as IiqError).kind).toBe('preconditionFailed');

    sim.requests.reset();
    await c.deleteUser(created.id, { ifMatch: replaced.version! });
    expect(sim.requests.list().map((r) => [r.method, r.status])).toEqual([['DELETE', 204]]);
    expect(await c.getUser(created.id)).toBeNull();
    expect(sim.data.userById(created.id)).toBeUndefined();
  });

  it('the SCIM body lands in IIQ: name parts, one work email, manager by value, capabilities, custom attributes', async () => {
    const manager = sim.data.users.find((u) => u.isManager)!;
    const created = await c.createUser({
      userName: 'body.check',
      givenName: 'Body',
      familyName: 'Check',
      email: 'body.check@example.com',
      managerId: manager.id,
      capabilities: ['HelpDesk'],
      customAttributes: { region: 'Europe', jobtitle: 'Tester' },
    });
    const stored = sim.data.userById(created.id)!;
    expect(stored).toMatchObject({
      userName: 'body.check', givenName: 'Body', familyName: 'Check', email: 'body.check@example.com',
      managerId: manager.id, capabilities: ['HelpDesk'], region: 'Europe', jobtitle: 'Tester', active: true,
    });
    expect(created.roles).toBeNull();
    expect(created.capabilities).toEqual(['HelpDesk']);
  });
});
