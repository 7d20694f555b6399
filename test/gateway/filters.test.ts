import { describe, expect, it } from 'vitest';
import { compileRoleFilter, compileUserFilter, roleSort, userSort } from '../../src/graphql/filters.ts';
import { encodeGlobalId } from '../../src/graphql/global-id.ts';

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
}

describe('user filter -> client filter AST', () => {
  it('keeps hostile values as values, never as syntax', () => {
    const hostile = '") or (userName pr';
    expect(compileUserFilter({ userName: { eq: hostile } })).toEqual({ op: 'eq', attr: 'userName', value: hostile });
    expect(compileUserFilter({ displayName: { contains: 'a "quoted" \\ name' } })).toEqual({ op: 'co', attr: 'displayName', value: 'a "quoted" \\ name' });
  });

  it('ANDs conditions of one object and maps every operator', () => {
    expect(
      compileUserFilter({
        userName: { startsWith: 'a', ne: 'ab' },
        email: { present: true },
        givenName: { present: false },
        active: true,
        isManager: false,
        riskScore: { ge: 100, lt: 500 },
        updatedSince: '2024-01-01T00:00:00Z',
      }),
    ).toEqual({
      op: 'and',
      children: [
        { op: 'ne', attr: 'userName', value: 'ab' },
        { op: 'sw', attr: 'userName', value: 'a' },
        { op: 'not', child: { op: 'pr', attr: 'givenName' } },
        { op: 'pr', attr: 'email' },
        { op: 'ge', attr: 'riskScore', value: 100 },
        { op: 'lt', attr: 'riskScore', value: 500 },
        { op: 'eq', attr: 'active', value: true },
        { op: 'eq', attr: 'isManager', value: false },
        { op: 'ge', attr: 'lastModified', value: '2024-01-01T00:00:00Z' },
      ],
    });
  });

  it('compiles and / or / not trees', () => {
    expect(compileUserFilter({ or: [{ userName: { eq: 'a' } }, { not: { active: true } }] })).toEqual({
      op: 'or',
      children: [
        { op: 'eq', attr: 'userName', value: 'a' },
        { op: 'not', child: { op: 'eq', attr: 'active', value: true } },
      ],
    });
    expect(compileUserFilter({ or: [{}, { active: true }] })).toBeUndefined(); // an empty alternative matches all
    expect(compileUserFilter({})).toBeUndefined();
  });

  it('accepts manager ids as global or IIQ ids', () => {
    expect(compileUserFilter({ managerId: encodeGlobalId('User', 'abc') })).toEqual({ op: 'eq', attr: 'managerId', value: 'abc' });
    expect(compileUserFilter({ managerId: 'abc' })).toEqual({ op: 'eq', attr: 'managerId', value: 'abc' });
    expect(codeOf(() => compileUserFilter({ managerId: encodeGlobalId('Role', 'abc') }))).toBe('BAD_USER_INPUT');
  });

  it('custom attributes by name, validated', () => {
    expect(compileUserFilter({ attributes: [{ name: 'department', eq: 'R&D' }] })).toEqual({ op: 'eq', attr: 'custom:department', value: 'R&D' });
    for (const name of ['dep artment', 'a)or(b', 'urn:x:y', '', '1abc', 'a.b', 'x'.repeat(65)]) {
      expect(codeOf(() => compileUserFilter({ attributes: [{ name, eq: 'x' }] }))).toBe('BAD_USER_INPUT');
    }
  });

  it('rejects empty conditions, empty lists and runaway trees', () => {
    expect(codeOf(() => compileUserFilter({ userName: {} }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => compileUserFilter({ and: [] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => compileUserFilter({ not: {} }))).toBe('BAD_USER_INPUT');
    let deep: Record<string, unknown> = { active: true };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    expect(codeOf(() => compileUserFilter(deep))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => compileUserFilter({ or: Array.from({ length: 101 }, (_, i) => ({ userName: { eq: String(i) } })) }))).toBe('BAD_USER_INPUT');
  });

  it('role filters', () => {
    expect(compileRoleFilter({ name: { startsWith: 'Fin' }, type: 'business', active: true, parentId: encodeGlobalId('Role', 'p1'), ownerId: 'u1' })).toEqual({
      op: 'and',
      children: [
        { op: 'sw', attr: 'name', value: 'Fin' },
        { op: 'eq', attr: 'type', value: 'business' },
        { op: 'eq', attr: 'active', value: true },
        { op: 'eq', attr: 'ownerId', value: 'u1' },
        { op: 'eq', attr: 'parentId', value: 'p1' },
      ],
    });
  });

  it('orders default to userName / name ascending', () => {
    expect(userSort(null)).toEqual({ by: 'userName', order: 'ascending' });
    expect(userSort({ field: 'RISK_SCORE', direction: 'DESC' })).toEqual({ by: 'riskScore', order: 'descending' });
    expect(roleSort(undefined)).toEqual({ by: 'name', order: 'ascending' });
    expect(roleSort({ field: 'UPDATED_AT', direction: 'ASC' })).toEqual({ by: 'lastModified', order: 'ascending' });
  });
});
