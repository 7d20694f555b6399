// Compiled execution (graphql-jit) for the documents it can compile, graphql-js for the rest. A page of 100
// users with their roles is ~5k field resolutions; compiling the query once makes each several times cheaper.
import {
  getNamedType,
  isInputObjectType,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLInputObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
} from 'graphql';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.ts';

/** Input types that contain themselves (UserFilter.and ...): graphql-jit cannot compile variables of them. */
export function recursiveInputTypes(schema: GraphQLSchema): Set<string> {
  const out = new Set<string>();
  const reaches = (from: GraphQLInputObjectType, target: string, seen: Set<string>): boolean => {
    for (const field of Object.values(from.getFields())) {
      const t = getNamedType(field.type);
      if (!isInputObjectType(t)) continue;
      if (t.name === target) return true;
      if (seen.has(t.name)) continue;
      seen.add(t.name);
      if (reaches(t, target, seen)) return true;
    }
    return false;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInputObjectType(type) && !type.name.startsWith('__') && reaches(type, type.name, new Set())) out.add(type.name);
  }
  return out;
}

const namedType = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : namedType(t.type));

/** The part of graphql-jit's API used here. */
interface CompiledQuery {
  query(root: unknown, context: unknown, variables: Record<string, unknown>): ExecutionResult | Promise<ExecutionResult>;
}
export interface GraphqlJit {
  compileQuery(schema: GraphQLSchema, document: DocumentNode, operationName?: string): CompiledQuery | ExecutionResult;
  isCompiledQuery(value: unknown): value is CompiledQuery;
}

// loaded at run time: without the package installed the gateway runs on graphql-js, only slower
const GRAPHQL_JIT: string = 'graphql-jit';
let jitModule: Promise<GraphqlJit | null> | null = null;
export function loadGraphqlJit(): Promise<GraphqlJit | null> {
  jitModule ??= import(GRAPHQL_JIT).then(
    (m: { default?: GraphqlJit } & Partial<GraphqlJit>) => (m.compileQuery ? (m as GraphqlJit) : (m.default ?? null)),
    () => null,
  );
  return jitModule;
}

export function useCompiledExecution(schema: GraphQLSchema, logger: Logger, jitLoading: Promise<GraphqlJit | null> = loadGraphqlJit()): Plugin {
  let jit: GraphqlJit | null | undefined; // undefined while loading
  void jitLoading.then((m) => {
    jit = m;
    if (!m) logger.info({}, 'graphql-jit is not installed: executing with graphql-js');
  });
  const recursive = recursiveInputTypes(schema);
  // per document (Yoga's parser cache hands out the same DocumentNode for the same text), per operation
  const cache = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

  const compiled = (args: ExecutionArgs): CompiledQuery | null => {
    if (args.schema !== schema || !jit) return null;
    let perOperation = cache.get(args.document);
    if (!perOperation) cache.set(args.document, (perOperation = new Map()));
    const key = args.operationName ?? '';
    if (perOperation.has(key)) return perOperation.get(key)!;
    let result: CompiledQuery | null = null;
    const operations = args.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = args.operationName ? operations.find((o) => o.name?.value === args.operationName) : operations.length === 1 ? operations[0] : undefined;
    const supported = op && op.operation !== 'subscription' && !(op.variableDefinitions ?? []).some((v) => recursive.has(namedType(v.type)));
    if (supported) {
      try {
        const c = jit.compileQuery(schema, args.document, args.operationName ?? undefined);
        if (jit.isCompiledQuery(c)) result = c;
        else logger.info({ operationName: args.operationName ?? null, errors: (c as ExecutionResult).errors?.map((e) => e.message) }, 'graphql-jit could not compile a document; executing it with graphql-js');
      } catch (err) {
        logger.info({ operationName: args.operationName ?? null, err: (err as Error).message }, 'graphql-jit failed to compile a document; executing it with graphql-js');
      }
    }
    perOperation.set(key, result);
    return result;
  };

  /**
   * The executor runs the document it is CALLED with (a plugin after this one, e.g. the response cache, may
   * execute a rewritten document), compiled once per DocumentNode; graphql-js (the executor before this plugin)
   * for what graphql-jit cannot compile. This plugin goes BEFORE any plugin that wraps execution (response
   * cache): a later setExecuteFn would replace theirs.
   */
  const run = (a: ExecutionArgs, executeFn: (a: ExecutionArgs) => unknown) => {
    const c = jit ? compiled(a) : null;
    return c ? c.query(a.rootValue, a.contextValue, (a.variableValues ?? {}) as Record<string, unknown>) : executeFn(a);
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (jit === null || args.schema !== schema) return;
      // set synchronously even while graphql-jit is still loading (first request): set later, it would replace
      // the executor of a plugin after this one (the response cache warns "cached execute function was not called")
      setExecuteFn((a) => (jit === undefined ? jitLoading.then((m) => ((jit = m), run(a, executeFn))) : run(a, executeFn)));
    },
  };
}
