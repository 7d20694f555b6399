// Small helpers shared by the REST routes: JSON responses and the one error shape
// `{ statusCode, error, message, details, is_remote_error }`.
import { STATUS_CODES } from 'node:http';
import { ConnectionError } from '../connections/service.ts';
import { IiqError } from '../iiq/errors.ts';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

export function errorResponse(status: number, code: string, message: string, details: Record<string, unknown> = {}, remote = false): Response {
  return json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, details: { code, ...details }, is_remote_error: remote }, status);
}

/** IiqError kind → status and a message that carries no upstream detail (IIQ echoes user values in it). */
export function fromIiqError(err: IiqError): Response {
  const upstream = { operation: err.operation, ...(err.status !== undefined ? { status: err.status } : {}), ...(err.scimType ? { scimType: err.scimType } : {}) };
  switch (err.kind) {
    case 'unauthorized':
      return errorResponse(502, 'UPSTREAM_UNAUTHORIZED', 'IdentityIQ refused the connection credentials (or they lack SCIM rights)', { upstream }, true);
    case 'notFound':
      return errorResponse(404, 'NOT_FOUND', 'IdentityIQ found no such resource', { upstream }, true);
    case 'invalidFilter':
    case 'badRequest':
      return errorResponse(400, 'BAD_REQUEST', 'IdentityIQ rejected the request (an attribute may not be searchable)', { upstream }, true);
    case 'tooMany':
      return err.status === 429
        ? errorResponse(503, 'UPSTREAM_UNAVAILABLE', 'IdentityIQ is rate limiting the gateway', { upstream }, true)
        : errorResponse(400, 'BAD_REQUEST', 'the page size exceeds what IdentityIQ allows', { upstream }, true);
    case 'invalidResponse':
      return errorResponse(502, 'UPSTREAM_INVALID_RESPONSE', 'IdentityIQ sent a response the gateway cannot read', { upstream }, true);
    default:
      // CIRCUIT_OPEN / UPSTREAM_BUSY: the per-connection guard (src/hardening/upstream-guard.ts) did not call IIQ
      if (err.code === 'CIRCUIT_OPEN' || err.code === 'UPSTREAM_BUSY') {
        const res = errorResponse(503, 'UPSTREAM_UNAVAILABLE', 'IdentityIQ is unavailable', { upstream, circuit: err.code === 'CIRCUIT_OPEN' ? 'open' : 'busy' }, true);
        res.headers.set('retry-after', '5');
        return res;
      }
      return errorResponse(503, 'UPSTREAM_UNAVAILABLE', 'IdentityIQ is unavailable', { upstream }, true);
  }
}

/** Deliberate errors keep their message; anything else is logged by the caller and answered with a bare 500. */
export function toErrorResponse(err: unknown): Response | null {
  if (err instanceof ConnectionError) return errorResponse(err.status, err.code, err.message, err.details);
  if (err instanceof IiqError) return fromIiqError(err);
  const code = (err as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (code === 'MEMBERSHIP_INDEX_NOT_READY') {
    return errorResponse(503, 'MEMBERSHIP_INDEX_NOT_READY', 'role members are not available yet: the membership index is being built');
  }
  return null;
}

const MAX_JSON_BODY = 256 * 1024;

/** Reads a JSON request body (bounded); BAD_USER_INPUT on anything else. */
export async function readJson(request: Request): Promise<unknown> {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_JSON_BODY) throw new ConnectionError('BAD_USER_INPUT', `the body exceeds ${MAX_JSON_BODY} bytes`);
  const text = await request.text();
  if (text.length > MAX_JSON_BODY) throw new ConnectionError('BAD_USER_INPUT', `the body exceeds ${MAX_JSON_BODY} bytes`);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConnectionError('BAD_USER_INPUT', 'the body must be JSON');
  }
}
