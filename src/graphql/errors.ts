// Deliberate GraphQL errors carry `extensions.code`; everything else is masked by Yoga (see app.ts).
import { GraphQLError } from 'graphql';
import { IiqError } from '../iiq/errors.ts';

export type ErrorCode =
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'MEMBERSHIP_INDEX_NOT_READY';

export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badUserInput = (message: string, extensions: Record<string, unknown> = {}) =>
  gatewayError('BAD_USER_INPUT', message, extensions);

/** IiqError kind -> public code. Upstream `detail` is never exposed: IIQ echoes user values in it. */
function codeFor(err: IiqError): { code: ErrorCode; message: string } | null {
  switch (err.kind) {
    case 'unauthorized':
      return { code: 'UPSTREAM_UNAUTHORIZED', message: 'IdentityIQ refused the gateway credentials (or they lack SCIM rights)' };
    case 'notFound':
      return { code: 'NOT_FOUND', message: 'IdentityIQ found no such resource' };
    case 'invalidFilter':
      return { code: 'BAD_USER_INPUT', message: 'IdentityIQ rejected the filter or order (an attribute may not be searchable)' };
    case 'badRequest':
      return { code: 'BAD_USER_INPUT', message: 'IdentityIQ rejected the request' };
    case 'tooMany':
      // 429 = rate limited after retries; 400 tooMany = a count above IIQ's maxResults
      return err.status === 429
        ? { code: 'UPSTREAM_UNAVAILABLE', message: 'IdentityIQ is rate limiting the gateway' }
        : { code: 'BAD_USER_INPUT', message: 'the page size exceeds what IdentityIQ allows' };
    case 'upstreamUnavailable':
    case 'transport':
    case 'aborted':
      return { code: 'UPSTREAM_UNAVAILABLE', message: 'IdentityIQ is unavailable' };
    case 'invalidResponse':
      return { code: 'UPSTREAM_INVALID_RESPONSE', message: 'IdentityIQ sent a response the gateway cannot read' };
    default:
      return null; // write-side kinds (conflict, mutability, preconditionFailed) are unexpected here: masked
  }
}

/** Converts an upstream failure into a typed GraphQL error, keeping its location and path. */
export function fromIiqError(err: IiqError, located?: GraphQLError): GraphQLError | null {
  const mapped = codeFor(err);
  if (!mapped) return null;
  return new GraphQLError(mapped.message, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    originalError: err,
    extensions: {
      code: mapped.code,
      upstream: { operation: err.operation, ...(err.status !== undefined ? { status: err.status } : {}), ...(err.scimType ? { scimType: err.scimType } : {}) },
      // the per-connection breaker (src/hardening/upstream-guard.ts) refused to call IIQ
      ...(err.code === 'CIRCUIT_OPEN' ? { circuit: 'open' } : err.code === 'UPSTREAM_BUSY' ? { circuit: 'busy' } : {}),
    },
  });
}

export function isIiqErrorLike(err: unknown): err is IiqError {
  return err instanceof IiqError;
}
