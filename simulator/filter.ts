// SCIM filter parser as IIQ 7.2's SCIMFilter supports it (reference §4.3): eq ne co sw gt ge lt le pr, and/or/not,
// parentheses; double-quoted strings, numbers, true/false/null. No `ew`, no value paths, no unquoted words.
import { errors } from './errors.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

export type FilterAst =
  | { op: CompareOp; attr: string; value: Literal; quoted: boolean }
  | { op: 'pr'; attr: string }
  | { op: 'and' | 'or'; left: FilterAst; right: FilterAst }
  | { op: 'not'; child: FilterAst };

type Token = { kind: 'lparen' } | { kind: 'rparen' } | { kind: 'string'; value: string } | { kind: 'word'; value: string };

const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'gt', 'ge', 'lt', 'le']);
const ATTR_PATH = /^[A-Za-z][A-Za-z0-9_.:$-]*$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen' });
      i++;
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen' });
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) throw errors.invalidFilter(text);
        const c = text[j] as string;
        if (c === '"') break;
        if (c === '\\') {
          const e = text[j + 1];
          if (e === undefined) throw errors.invalidFilter(text);
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (e in simple) {
            value += simple[e];
            j += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
            value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            throw errors.invalidFilter(text);
          }
        } else {
          value += c;
          j++;
        }
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t\n\r()"'.includes(text[j] as string)) j++;
      tokens.push({ kind: 'word', value: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

export function parseFilter(text: string): FilterAst {
  const tokens = tokenize(text);
  let pos = 0;
  const fail = (): never => {
    throw errors.invalidFilter(text);
  };
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string): boolean => t?.kind === 'word' && t.value.toLowerCase() === w;

  const parseOr = (): FilterAst => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      pos++;
      left = { op: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterAst => {
    let left = parseUnary();
    while (isWord(peek(), 'and')) {
      pos++;
      left = { op: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterAst => {
    const t = peek();
    if (t === undefined) return fail();
    if (t.kind === 'lparen') {
      pos++;
      const inner = parseOr();
      if (peek()?.kind !== 'rparen') fail();
      pos++;
      return inner;
    }
    if (isWord(t, 'not') && (tokens[pos + 1]?.kind === 'lparen' || isWord(tokens[pos + 1], 'not'))) {
      pos++;
      return { op: 'not', child: parseUnary() };
    }
    if (t.kind !== 'word' || !ATTR_PATH.test(t.value)) return fail();
    pos++;
    const opTok = peek();
    if (opTok?.kind !== 'word') return fail();
    const op = opTok.value.toLowerCase();
    pos++;
    if (op === 'pr') return { op: 'pr', attr: t.value };
    if (!COMPARE_OPS.has(op)) return fail(); // includes `ew`: absent from IIQ's parser
    const v = peek();
    if (v === undefined) return fail();
    pos++;
    if (v.kind === 'string') return { op: op as CompareOp, attr: t.value, value: v.value, quoted: true };
    if (v.kind !== 'word') return fail();
    const raw = v.value;
    if (raw === 'true' || raw === 'false') return { op: op as CompareOp, attr: t.value, value: raw === 'true', quoted: false };
    if (raw === 'null') return { op: op as CompareOp, attr: t.value, value: null, quoted: false };
    if (NUMBER.test(raw)) return { op: op as CompareOp, attr: t.value, value: Number(raw), quoted: false };
    return fail(); // unquoted words are rejected (reference §4.3, S10)
  };

  if (tokens.length === 0) fail();
  const ast = parseOr();
  if (pos !== tokens.length) fail();
  return ast;
}

/** every attribute path named in the filter, in order */
export function filterAttributes(ast: FilterAst): string[] {
  switch (ast.op) {
    case 'and':
    case 'or':
      return [...filterAttributes(ast.left), ...filterAttributes(ast.right)];
    case 'not':
      return filterAttributes(ast.child);
    default:
      return [ast.attr];
  }
}
