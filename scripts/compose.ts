// Composes subgraph SDL files into a supergraph (Federation v2) with @theguild/federation-composition, and
// checks that every entity key a subgraph relies on can be resolved by another subgraph (the library gives no
// composition hints, so a broken key would otherwise only show at query time).
//
//   npm run compose                     iiq-graph + examples/app-permissions -> supergraph.graphql
//   npm run compose -- --out - \
//     --subgraph iiq-graph=https://iiq-graph.internal/graphql=schema/schema.graphql \
//     --subgraph tickets=https://tickets.internal/graphql=../tickets/schema.graphql
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { Kind, parse, type ConstDirectiveNode, type DocumentNode } from 'graphql';

export interface SubgraphSource {
  /** the subgraph's name in the supergraph (join__Graph) */
  name: string;
  /** where the router sends its requests */
  url: string;
  sdl: string;
}

export interface EntityKey {
  type: string;
  subgraph: string;
  fields: string;
  resolvable: boolean;
}

export class CompositionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`supergraph composition failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

const stringArg = (d: ConstDirectiveNode, name: string): string | undefined => {
  const v = d.arguments?.find((a) => a.name.value === name)?.value;
  return v?.kind === Kind.STRING ? v.value : undefined;
};
const boolArg = (d: ConstDirectiveNode, name: string): boolean | undefined => {
  const v = d.arguments?.find((a) => a.name.value === name)?.value;
  return v?.kind === Kind.BOOLEAN ? v.value : undefined;
};
/** `id`, `userName`, `a { b }` compared without formatting differences */
const normalizeFields = (fields: string) => fields.trim().replace(/\s+/g, ' ');

/** @key directives as declared by one subgraph's SDL. */
export function declaredKeys(subgraph: string, doc: DocumentNode): EntityKey[] {
  const keys: EntityKey[] = [];
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const d of def.directives ?? []) {
      if (d.name.value !== 'key') continue;
      const fields = stringArg(d, 'fields');
      if (fields === undefined) continue;
      keys.push({ type: def.name.value, subgraph, fields: normalizeFields(fields), resolvable: boolArg(d, 'resolvable') ?? true });
    }
  }
  return keys;
}

/**
 * Broken keys: a subgraph declares an entity key that no subgraph can resolve (all declarations of that
 * type+fields are resolvable: false), so references it hands out could never be fetched.
 */
export function brokenKeys(keys: readonly EntityKey[]): string[] {
  const problems: string[] = [];
  const byTypeFields = new Map<string, EntityKey[]>();
  for (const k of keys) {
    const id = `${k.type}\u0000${k.fields}`;
    byTypeFields.set(id, [...(byTypeFields.get(id) ?? []), k]);
  }
  for (const group of byTypeFields.values()) {
    if (group.some((k) => k.resolvable)) continue;
    const { type, fields } = group[0]!;
    problems.push(`${type} @key(fields: "${fields}") is declared by ${group.map((k) => k.subgraph).join(', ')} but no subgraph resolves it`);
  }
  return problems;
}

/** Entity keys as the composed supergraph records them (@join__type(graph:, key:, resolvable:)). */
export function supergraphKeys(supergraphSdl: string): EntityKey[] {
  const doc = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === 'join__Graph') {
      for (const v of def.values ?? []) {
        const g = v.directives?.find((d) => d.name.value === 'join__graph');
        graphNames.set(v.name.value, (g && stringArg(g, 'name')) ?? v.name.value);
      }
    }
  }
  const keys: EntityKey[] = [];
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const d of def.directives ?? []) {
      if (d.name.value !== 'join__type') continue;
      const fields = stringArg(d, 'key');
      const graph = d.arguments?.find((a) => a.name.value === 'graph')?.value;
      if (fields === undefined || graph?.kind !== Kind.ENUM) continue;
      keys.push({
        type: def.name.value,
        subgraph: graphNames.get(graph.value) ?? graph.value,
        fields: normalizeFields(fields),
        resolvable: boolArg(d, 'resolvable') ?? true,
      });
    }
  }
  return keys;
}

/** The supergraph SDL; throws CompositionError on any composition error or broken key. */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): string {
  const parsed = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  const result = composeServices(parsed);
  if (compositionHasErrors(result)) {
    throw new CompositionError(result.errors.map((e) => `${e.extensions?.code ? `[${String(e.extensions.code)}] ` : ''}${e.message}`));
  }
  const broken = brokenKeys(parsed.flatMap((s) => declaredKeys(s.name, s.typeDefs)));
  if (broken.length) throw new CompositionError(broken);
  return result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_SUBGRAPHS = [
  `iiq-graph=http://127.0.0.1:4000/graphql=${resolve(ROOT, 'schema/schema.graphql')}`,
  `app-permissions=http://127.0.0.1:4001/graphql=${resolve(ROOT, 'examples/app-permissions/schema.graphql')}`,
];

/** `name=url=file`; the url may itself contain `=` only in its query string, so split on the first and last. */
export function parseSubgraphSpec(spec: string): { name: string; url: string; file: string } {
  const first = spec.indexOf('=');
  const last = spec.lastIndexOf('=');
  if (first <= 0 || last === first || last === spec.length - 1) throw new Error(`--subgraph wants name=url=file, got ${JSON.stringify(spec)}`);
  return { name: spec.slice(0, first), url: spec.slice(first + 1, last), file: spec.slice(last + 1) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      subgraph: { type: 'string', multiple: true },
      out: { type: 'string', default: 'supergraph.graphql' },
    },
  });
  try {
    const subgraphs = (values.subgraph?.length ? values.subgraph : DEFAULT_SUBGRAPHS).map((spec) => {
      const { name, url, file } = parseSubgraphSpec(spec);
      return { name, url, sdl: readFileSync(file, 'utf8') };
    });
    const supergraph = composeSupergraph(subgraphs);
    if (values.out === '-') {
      // a closed pipe (| head) is not an error
      process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
      process.stdout.write(supergraph);
    }
    else {
      writeFileSync(values.out!, supergraph);
      console.error(`wrote ${values.out} (${subgraphs.map((s) => `${s.name} at ${s.url}`).join(', ')})`);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
