// The ingest path of a user page: body bytes → string (body.ts), one-pass page validation and mapping (ingest.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUtf8 } from '../../src/iiq/body.ts';
import { isIiqError, type IiqError } from '../../src/iiq/errors.ts';
import { parseUser, parseUserPage } from '../../src/iiq/ingest.ts';
import type { IiqClient } from '../../src/iiq/types.ts';
import { client, startSim, type Sim } from './sim.ts';

const SP = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User';
const base = 'https://iiq.example.com/identityiq/scim/v2';

/** deterministic bytes (mulberry32) */
function randomBytes(n: number, seed: number, highShare: number): Buffer {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = next() < highShare ? 0x80 + Math.floor(next() * 128) : Math.floor(next() * 128);
  return out;
}

describe('decodeUtf8', () => {
  it('equals Buffer#toString("utf8") for ASCII, sparse and dense non-ASCII text and sequences across segment cuts', () => {
    const ascii = Buffer.from('{"a":"b"}'.repeat(1000));
    expect(decodeUtf8(ascii)).toBe(ascii.toString('utf8'));
    // multi-byte characters placed over every offset around the 2 KB segment boundary
    for (const ch of ['é', '€', '😀']) {
      for (let pad = 2040; pad <= 2050; pad++) {
        const buf = Buffer.from(`${'x'.repeat(pad)}${ch}${'y'.repeat(3000)}${ch}`, 'utf8');
        expect(decodeUtf8(buf)).toBe(buf.toString('utf8'));
      }
    }
    const names = Buffer.from(JSON.stringify({ n: ['José Ñúñez', 'Zoë Ødegård', '李小龙', 'Ελένη'], pad: 'p'.repeat(9000) }), 'utf8');
    expect(decodeUtf8(names)).toBe(names.toString('utf8'));
    expect(JSON.parse(decodeUtf8(names)).n[2]).toBe('李小龙');
  });

  it('replaces invalid sequences exactly as Buffer#toString does (random bytes, truncated and stray bytes)', () => {
    for (const [n, share] of [[10, 0.5], [4096, 0.01], [5000, 0.3], [20000, 0.9]] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const buf = randomBytes(n, seed * 7919 + n, share);
        if (buf[0] === 0xef) buf[0] = 0x41; // a BOM is skipped on purpose (next test)
        expect(decodeUtf8(buf)).toBe(buf.toString('utf8'));
      }
    }
    const edge = Buffer.concat([Buffer.from('a'.repeat(2047)), Buffer.from([0xe2, 0x82]), Buffer.from('b'.repeat(10)), Buffer.from([0x80, 0x80, 0xc3])]);
    expect(decodeUtf8(edge)).toBe(edge.toString('utf8'));
  });

  it('skips a UTF-8 byte order mark like undici body.text(); empty stays empty', () => {
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('{}');
    expect(decodeUtf8(Buffer.alloc(0))).toBe('');
  });
});

const user = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `id-${i}`,
  userName: `user.${i}`,
  displayName: `User ${i}`,
  emails: [{ value: `u${i}@example.com`, primary: 'true' }],
  [SP]: {
    isManager: 'false',
    riskScore: '12',
    department: 'Finance',
    regionOwner: {},
    locationOwner: { value: 'mgr', displayName: 'Manager', $ref: `${base}/Users/mgr` },
    roles: [{ value: 'assignedRoles', display: 'AP Clerk', type: 'business', acquired: 'Assigned', $ref: `${base}/Roles/r-${i}` }],
    ...extra,
  },
  meta: { created: '2024-01-01T00:00:00Z', resourceType: 'User' },
  unknownTopLevel: { kept: true },
});

describe('parseUserPage', () => {
  const requested = { roles: true, entitlements: false };

  it('maps every user exactly as validating each user on its own does, custom attributes from the raw extension', () => {
    const json = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: '7', startIndex: 3, Resources: [user(1), user(2, { costcenter: ['A', 'B'] })] };
    const page = parseUserPage('listUsers', json, requested);
    expect(page.totalResults).toBe(7);
    expect(page.startIndex).toBe(3);
    expect(page.items).toEqual(json.Resources.map((u, i) => parseUser('listUsers', u, requested, ['Resources', i])));
    const [first, second] = page.items;
    expect(first!.customAttributes).toEqual({ department: 'Finance', regionOwner: null, locationOwner: { id: 'mgr', displayName: 'Manager' } });
    expect(second!.customAttributes.costcenter).toEqual(['A', 'B']);
    expect(first!.roles).toEqual([{ roleId: 'r-1', roleDisplayName: 'AP Clerk', roleType: 'business', acquired: 'Assigned', application: null, accountName: null }]);
    expect(first!.riskScore).toBe(12);
    expect(first!.isManager).toBe(false);
    expect(first!.email).toBe('u1@example.com');
    expect(first!.raw).toBe(json.Resources[0]); // unknown keys stay reachable
    expect(parseUserPage('countUsers', { totalResults: 0 }, requested)).toEqual({ totalResults: 0, startIndex: 1, items: [] });
  });

  it('an invalid user: "a User failed validation" naming only the first invalid user\'s paths, no values', () => {
    const bad2 = { ...user(2), userName: 42 };
    const bad4 = user(4, { roles: [{ value: 'assignedRoles', display: 'Secret Role', $ref: '/' }] });
    const err = catchErr(() => parseUserPage('listUsers', { totalResults: 5, Resources: [user(0), user(1), bad2, user(3), bad4] }, requested));
    expect(err.kind).toBe('invalidResponse');
    expect(err.message).toContain('a User failed validation');
    expect(err.issues).toEqual([{ path: 'Resources.2.userName', code: 'invalid_type' }]);
    const roleErr = catchErr(() => parseUserPage('listUsers', { totalResults: 5, Resources: [user(0), bad4] }, requested));
    expect(roleErr.issues).toEqual([{ path: `Resources.1.${SP}.roles.0.$ref`, code: 'custom' }]);
    expect(JSON.stringify([err, roleErr, err.message, roleErr.message])).not.toMatch(/Secret|42/);
  });

  it('an invalid envelope: "the ListResponse failed validation" with the envelope paths only', () => {
    const err = catchErr(() => parseUserPage('listUsers', { totalResults: 'many', Resources: [{ ...user(1), id: '' }] }, requested));
    expect(err.message).toContain('the ListResponse failed validation');
    expect(err.issues?.map((i) => i.path)).toEqual(['totalResults']);
    expect(catchErr(() => parseUserPage('listUsers', { totalResults: 1, Resources: { 0: user(1) } }, requested)).issues?.map((i) => i.path)).toEqual(['Resources']);
    expect(catchErr(() => parseUserPage('listUsers', 'not an object', requested)).issues?.map((i) => i.path)).toEqual(['(root)']);
  });
});

function catchErr(fn: () => unknown): IiqError {
  try {
    fn();
  } catch (err) {
    if (isIiqError(err)) return err;
    throw err;
  }
  throw new Error('expected an IiqError');
}

describe('non-ASCII names through the client (real HTTP, the segmented decoder)', () => {
  let sim: Sim;
  let iiq: IiqClient;
  beforeAll(async () => {
    const s = await startSim({ users: 400 });
    sim = s.sim;
    iiq = client(s.baseUrl);
  });
  afterAll(async () => {
    await iiq.close();
    await sim.close();
  });

  it('every user of the pages has the simulator\'s exact display name, accented ones included', async () => {
    let nonAscii = 0;
    for await (const u of iiq.iterateUsers({ fields: ['userName', 'displayName'], includeRoles: true }, { pageSize: 100 })) {
      const expected = sim.data.userByName(u.userName);
      expect(u.displayName).toBe(expected?.displayName ?? null);
      if (/[^\x00-\x7f]/.test(u.userName + (u.displayName ?? ''))) nonAscii++;
    }
    expect(nonAscii).toBeGreaterThan(0);
  });
});
