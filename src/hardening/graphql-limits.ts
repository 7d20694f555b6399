// Request limits for the GraphQL endpoint, one plugin per concern: GraphQL Armor's depth / aliases / directives /
// tokens rules, a page-size-weighted cost (graphql-query-complexity), Yoga's CSRF prevention, introspection off,
// trusted documents (persisted operations). Every refusal is a typed error: extensions.code QUERY_TOO_COMPLEX
// with extensions.limit naming the rule.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, getNamedType, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Plugin } from 'graphql-yoga';
import { z } from 'zod';
import type { HardeningConfig } from './config.ts';

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'cost';

/** Armor's refusals, tagged by rule so they can be re-issued with a code (Armor's errors carry none). */
const tagged = new WeakMap<GraphQLError, LimitName>();
const tag = (limit: LimitName) => [(_ctx: unknown, error: GraphQLError) => void tagged.set(error, limit)];
/** Validation rules: report the coded error in place of Armor's (which would otherwise be thrown uncoded). */
const report = (limit: LimitName) => ({
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(limitError(limit, error.message))],
});

function limitError(limit: LimitName, message: string, from?: GraphQLError, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message.replace(/^Syntax Error: /, ''), {
    ...(from ? { nodes: from.nodes, source: from.source, positions: from.positions } : {}),
    extensions: { code: 'QUERY_TOO_COMPLEX', limit, ...extra, http: { status: 400 } },
  });
}

/**
 * Connection fields cost their children once per requested item (first / last, else the default page size);
 * `_entities` once per representation; everything else (edges, small inline lists) 1 + its children.
 */
export function pageWeightedEstimator(defaultPageSize: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    const named = getNamedType(field.type).name;
    const size = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, v) : null);
    if (named.endsWith('Connection')) return 1 + childComplexity * (size(args.first) ?? size(args.last) ?? defaultPageSize);
    if (Array.isArray(args.representations)) return 1 + childComplexity * args.representations.length;
    return undefined;
  };
}

/** Cost of one operation, or null when its variables are invalid (execution then fails on its own). */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, defaultPageSize: number): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [pageWeightedEstimator(defaultPageSize), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    if (err instanceof GraphQLError && /node limit|Query exceeds/i.test(err.message)) return Number.POSITIVE_INFINITY;
    return null;
  }
}

/**
 * The cost depends only on the document, the operation and the variables: it is computed once per
 * (DocumentNode, operation, variables) and remembered (Yoga's parser cache hands out the same DocumentNode for
 * the same text), at most 64 variable sets per document, so a repeated query pays a lookup, not a traversal.
 */
function costLimit(max: number, defaultPageSize: number): Plugin {
  // per schema (the gateway has one; a test may build others), per document
  const costs = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number | null>>>();
  const costOf = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number | null => {
    let perSchema = costs.get(schema);
    if (!perSchema) costs.set(schema, (perSchema = new WeakMap()));
    let perDocument = perSchema.get(document);
    if (!perDocument) perSchema.set(document, (perDocument = new Map()));
    let key: string | null;
    try {
      key = `${operationName ?? ''}\u0000${variables ? JSON.stringify(variables) : ''}`;
    } catch {
      key = null; // variables that do not serialise (not from a JSON request): not remembered
    }
    if (key !== null) {
      const known = perDocument.get(key);
      if (known !== undefined || perDocument.has(key)) return known ?? null;
    }
    const cost = operationCost(schema, document, variables, operationName, defaultPageSize);
    if (key !== null) {
      if (perDocument.size >= 64) perDocument.delete(perDocument.keys().next().value!);
      perDocument.set(key, cost);
    }
    return cost;
  };
  return {
    onExecute({ args }) {
      const cost = costOf(args.schema, args.document, args.variableValues ?? undefined, args.operationName ?? undefined);
      if (cost !== null && cost > max) {
        throw limitError('cost', `the query costs ${Number.isFinite(cost) ? cost : 'too much'} (at most ${max}): ask for smaller pages (first/last) or fewer nested lists`, undefined, { maxCost: max, ...(Number.isFinite(cost) ? { cost } : {}) });
      }
    },
  };
}

/** The same error with extensions.code set, unless it has one. */
function withCode<E extends Error>(e: E, code: string): E | GraphQLError {
  // graphql-jit's errors are GraphQLError-shaped without `extensions`
  const g = e as Partial<GraphQLError>;
  if (g.extensions?.code !== undefined) return e;
  return new GraphQLError(e.message, {
    ...(g.nodes ? { nodes: g.nodes } : {}), ...(g.source ? { source: g.source } : {}), ...(g.positions ? { positions: g.positions } : {}),
    ...(g.path ? { path: g.path } : {}), ...(g.originalError ? { originalError: g.originalError } : {}),
    extensions: { ...g.extensions, code },
  });
}

/** Re-issues Armor's (and graphql-js') validation and parse refusals with codes; hides field suggestions when introspection is off. */
function codedRefusals(hideSuggestions: boolean): Plugin {
  const recode = <E extends Error>(e: E): E | GraphQLError => {
    if (!(e instanceof GraphQLError)) return e;
    const limit = tagged.get(e);
    if (limit) return limitError(limit, e.message, e);
    if (hideSuggestions && / Did you mean /.test(e.message)) {
      return new GraphQLError(e.message.replace(/ Did you mean .*$/, ''), { nodes: e.nodes, source: e.source, positions: e.positions, extensions: e.extensions });
    }
    return e;
  };
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (!(result instanceof GraphQLError)) return;
        if (tagged.has(result)) replaceParseResult(recode(result));
        else if (result.extensions?.code === undefined) replaceParseResult(withCode(result, 'GRAPHQL_PARSE_FAILED'));
      };
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult(result.map((e) => withCode(recode(e), 'GRAPHQL_VALIDATION_FAILED')));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          // a request error (variables that do not coerce, no such operation): no data at all, errors without a path
          if (!('errors' in result) || !result.errors?.length || result.data != null) return;
          if (result.errors.every((e) => e.extensions?.code !== undefined || e.path !== undefined)) return;
          setResult({ ...result, errors: result.errors.map((e) => (e.path === undefined ? withCode(e, 'BAD_USER_INPUT') : e)) });
        },
      };
    },
  };
}

/**
 * Yoga's CSRF prevention for POSTs: a body a browser can send cross-site without a preflight (form, multipart,
 * text/plain) needs a custom header. GET is left alone: Yoga refuses mutations over GET (405) and a cross-site
 * page cannot read the answer, so GET queries (links, GraphiQL, curl) keep working.
 */
function csrfPrevention(): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'x-requested-with', 'apollo-require-preflight'] });
  return {
    onRequestParse(payload) {
      if (payload.request.method === 'GET') return undefined;
      return inner.onRequestParse?.(payload);
    },
  };
}

const manifestSchema = z.union([
  z.object({ format: z.literal('apollo-persisted-query-manifest'), operations: z.array(z.object({ id: z.string(), body: z.string() })) }),
  z.record(z.string(), z.string()),
]);

/** Trusted documents: sha256 (hex) of the document text → the text. Refuses a file whose ids are not the hashes. */
export function loadTrustedDocuments(file: string): Map<string, string> {
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`TRUSTED_DOCUMENTS_FILE must be {"<sha256>": "<document>"} or an Apollo persisted-query manifest`);
  const entries = 'format' in parsed.data && Array.isArray(parsed.data.operations) ? parsed.data.operations.map((o) => [o.id, o.body] as const) : Object.entries(parsed.data as Record<string, string>);
  const docs = new Map<string, string>();
  for (const [id, body] of entries) {
    const hash = createHash('sha256').update(body).digest('hex');
    if (id !== hash) throw new Error(`TRUSTED_DOCUMENTS_FILE: the id ${id.slice(0, 16)}… is not the sha256 of its document`);
    docs.set(id, body);
  }
  return docs;
}

export interface GraphqlLimits {
  plugins: Plugin[];
  /** Yoga's `batching` option */
  batching: false | { limit: number };
}

export function graphqlLimits(h: HardeningConfig, defaultPageSize: number): GraphqlLimits {
  const plugins: Plugin[] = [
    codedRefusals(!h.introspection),
    maxTokensPlugin({ n: h.maxTokens, onReject: tag('tokens') }) as Plugin,
    maxDepthPlugin({ n: h.maxDepth, flattenFragments: true, ...report('depth') }) as Plugin,
    maxAliasesPlugin({ n: h.maxAliases, ...report('aliases') }) as Plugin,
    maxDirectivesPlugin({ n: h.maxDirectives, ...report('directives') }) as Plugin,
    costLimit(h.maxCost, defaultPageSize),
  ];
  if (h.csrfPrevention) plugins.push(csrfPrevention());
  if (!h.introspection) plugins.push(useDisableIntrospection());
  if (h.trustedDocumentsFile) {
    const docs = loadTrustedDocuments(h.trustedDocumentsFile);
    plugins.push(
      usePersistedOperations({
        getPersistedOperation: (key) => docs.get(key) ?? null,
        allowArbitraryOperations: false,
        customErrors: {
          notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } } },
          persistedQueryOnly: { message: 'only trusted documents run here: send extensions.persistedQuery.sha256Hash', extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } } },
          keyNotFound: { message: 'send extensions.persistedQuery.sha256Hash', extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } } },
        },
      }),
    );
  }
  return { plugins, batching: h.maxBatch > 1 ? { limit: h.maxBatch } : false };
}

/** Bodies above the limit (declared) are refused before they are read; chunked bodies must declare a length. */
export function bodyLimit(maxBytes: number, isProxyPath: (path: string) => boolean): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method === 'GET' || request.method === 'HEAD' || isProxyPath(url.pathname)) return;
      const refuse = (status: number, code: string, message: string) =>
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status, headers: { 'content-type': 'application/json; charset=utf-8' } }));
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!/^\d+$/.test(declared) || Number(declared) > maxBytes) refuse(413, 'PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`);
      } else if (request.headers.has('transfer-encoding')) {
        refuse(411, 'LENGTH_REQUIRED', 'send Content-Length (bodies without one are refused)');
      }
    },
  };
}

