import { describe, expect, it } from 'vitest';
import { IiqError } from '../../src/iiq/errors.ts';
import { anyOf, f, filterLiteral, stringifyRoleFilter, stringifyUserFilter, userAttrPath, type FilterNode } from '../../src/iiq/filter.ts';
import type { UserField } from '../../src/iiq/types.ts';

describe('filter stringifier', () => {
  it('renders comparisons, presence, logic with precedence-safe parentheses', () => {
    const node = f.or<UserField>(
      f.and(f.eq('userName', 'a'), f.not(f.pr('email'))),
      f.and(f.sw('familyName', 'S'), f.or(f.ge('riskScore', 100), f.eq('active', false))),
    );
    expect(stringifyUserFilter(node)).toBe(
      '(userName eq "a" and not (emails.value pr)) or (name.familyName sw "S" and (urn:ietf:params:scim:schemas:sailpoint:1.0:User:riskScore ge 100 or active eq false))',
    );
  });

  it('maps logical fields to SCIM paths, URN-qualified for the extensions', () => {
    expect(stringifyUserFilter(f.eq('managerId', 'x'))).toBe('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"');
    expect(stringifyUserFilter(f.eq('custom:department', 'IT'))).toBe('urn:ietf:params:scim:schemas:sailpoint:1.0:User:department eq "IT"');
    expect(stringifyUserFilter(f.eq('custom:regionOwner.value', 'x'))).toBe('urn:ietf:params:scim:schemas:sailpoint:1.0:User:regionOwner.value eq "x"');
    expect(stringifyRoleFilter(f.eq('parentId', 'p'))).toBe('inheritance.value eq "p"');
    expect(stringifyRoleFilter(f.eq('displayName', 'd'))).toBe('displayableName eq "d"');
    expect(stringifyUserFilter(f.eq('lastModified', null))).toBe('meta.lastModified eq null');
  });

  it('rejects attributes outside the allow-list, including injection through custom names', () => {
    for (const attr of ['password', 'roles', 'id', 'custom:', 'custom:a b', 'custom:x eq "1") or (userName', 'custom:a.b.c', '__proto__', 'constructor']) {
      expect(() => stringifyUserFilter(f.eq(attr as UserField, 'v'))).toThrow(IiqError);
    }
    expect(() => userAttrPath('toString')).toThrow(/not filterable/);
    expect(() => stringifyRoleFilter(f.eq('members' as never, 'v'))).toThrow(/not filterable on Role/);
  });

  it('escapes quotes, backslashes and control characters; values cannot close the literal', () => {
    const hostile = ['O\'Brien', 'a "quoted" name', 'back\\slash', '") or (userName pr', 'tab\there\nnl\u0000nul\u001f', 'é ß 李 😀', '\\"', '"'];
    for (const v of hostile) {
      const s = stringifyUserFilter(f.eq('userName', v));
      const literal = s.slice('userName eq '.length);
      // JSON decoding is exactly the SCIM compValue grammar: the literal decodes back to the value
      expect(JSON.parse(literal)).toBe(v);
      // and nothing after the literal's closing quote
      expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
      expect(/[\u0000-\u001f]/.test(s)).toBe(false);
    }
    expect(filterLiteral('") or (userName pr')).toBe('"\\") or (userName pr"');
  });

  it('rejects non-finite numbers, unknown operators and empty logical nodes', () => {
    expect(() => filterLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => filterLiteral(Infinity)).toThrow(/finite/);
    expect(() => stringifyUserFilter({ op: 'ew', attr: 'userName', value: 'x' } as unknown as FilterNode<UserField>)).toThrow(/unsupported filter operator/);
    expect(() => stringifyUserFilter({ op: 'and', children: [] })).toThrow(/at least one operand/);
    expect(() => filterLiteral({} as never)).toThrow(IiqError);
  });

  it('collapses single-child and/or', () => {
    expect(stringifyUserFilter(f.and(f.eq('userName', 'x')))).toBe('userName eq "x"');
  });
});

describe('anyOf', () => {
  it('returns [] for no values, one eq for one value, deduplicates', () => {
    expect(anyOf('userName', [])).toEqual([]);
    expect(anyOf('userName', ['a', 'a'])).toEqual([f.eq('userName', 'a')]);
  });

  it('splits large disjunctions so every encoded filter stays under the budget, keeping all values once', () => {
    const values = Array.from({ length: 3000 }, (_, i) => `user.${i}.é"\\`);
    const chunks = anyOf<UserField>('userName', values, { resolve: userAttrPath, maxTerms: 1000 });
    expect(chunks.length).toBeGreaterThan(1);
    const seen: string[] = [];
    for (const c of chunks) {
      const s = stringifyUserFilter(c);
      expect(encodeURIComponent(s).length).toBeLessThanOrEqual(6 * 1024);
      if (c.op === 'or') for (const ch of c.children) seen.push((ch as { value: string }).value);
      else seen.push((c as { value: string }).value);
    }
    expect(seen).toEqual(values);
  });

  it('honours maxTerms and refuses a single value that cannot fit', () => {
    const chunks = anyOf('userName', ['a', 'b', 'c', 'd', 'e'], { maxTerms: 2 });
    expect(chunks.map((c) => (c.op === 'or' ? c.children.length : 1))).toEqual([2, 2, 1]);
    expect(() => anyOf('userName', ['x'.repeat(7000)])).toThrow(/too long/);
  });
});
