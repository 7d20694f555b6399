// Sorts a printed SDL document the way graphql's lexicographicSortSchema sorts a schema (types, fields,
// arguments, enum values, interfaces, union members), keeping directives as printed. printSubgraphSchema
// prints fields in definition order even for a sorted schema; sorting keeps schema diffs to real changes.
import { Kind, parse, print, visit, type ASTNode, type DefinitionNode } from 'graphql';
import { naturalCompare } from 'graphql/jsutils/naturalCompare.js';

const byName = <T extends { readonly name: { readonly value: string } }>(list: readonly T[] | undefined): T[] | undefined =>
  list && [...list].sort((a, b) => naturalCompare(a.name.value, b.name.value));

const definitionName = (d: DefinitionNode): string | null => ('name' in d && d.name ? d.name.value : null);

export function sortSdl(sdl: string): string {
  const sorted = visit(parse(sdl), {
    Document: (node) => {
      // schema definitions / extensions (the federation @link) first, then everything else by name
      const named = node.definitions.filter((d) => definitionName(d) !== null);
      const unnamed = node.definitions.filter((d) => definitionName(d) === null);
      return { ...node, definitions: [...unnamed, ...named.sort((a, b) => naturalCompare(definitionName(a)!, definitionName(b)!))] };
    },
    enter: (node: ASTNode) => {
      switch (node.kind) {
        case Kind.OBJECT_TYPE_DEFINITION:
        case Kind.OBJECT_TYPE_EXTENSION:
        case Kind.INTERFACE_TYPE_DEFINITION:
        case Kind.INTERFACE_TYPE_EXTENSION:
          return { ...node, fields: byName(node.fields), interfaces: byName(node.interfaces) };
        case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        case Kind.INPUT_OBJECT_TYPE_EXTENSION:
          return { ...node, fields: byName(node.fields) };
        case Kind.ENUM_TYPE_DEFINITION:
        case Kind.ENUM_TYPE_EXTENSION:
          return { ...node, values: byName(node.values) };
        case Kind.UNION_TYPE_DEFINITION:
        case Kind.UNION_TYPE_EXTENSION:
          return { ...node, types: byName(node.types) };
        case Kind.FIELD_DEFINITION:
        case Kind.DIRECTIVE_DEFINITION:
          return { ...node, arguments: byName(node.arguments) };
        default:
          return undefined;
      }
    },
  });
  return `${blankBeforeDescriptions(print(sorted))}\n`;
}

/** printSchema's layout: a described field, argument or enum value that is not first in its block follows a blank line. */
function blankBeforeDescriptions(printed: string): string {
  const out: string[] = [];
  let inDescription = false;
  for (const line of printed.split('\n')) {
    const prev = out[out.length - 1]?.trim() ?? '';
    const opensDescription = !inDescription && /^\s+"/.test(line);
    if (opensDescription && prev !== '' && !prev.endsWith('{') && !prev.endsWith('(')) out.push('');
    out.push(line);
    // a block string spans lines until its closing """
    const quotes = (line.match(/"""/g) ?? []).length;
    if (quotes % 2 === 1) inDescription = !inDescription;
  }
  return out.join('\n');
}
