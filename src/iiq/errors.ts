// One error family for everything the IIQ client can fail with. Messages name the operation, the HTTP
// status and the SCIM scimType; they never carry credentials, user values or response bodies.

export type IiqErrorKind =
  | 'unauthorized'
  | 'notFound'
  | 'conflict'
  | 'preconditionFailed'
  | 'invalidFilter'
  | 'tooMany'
  | 'mutability'
  | 'badRequest'
  | 'upstreamUnavailable'
  | 'invalidResponse'
  | 'transport'
  | 'aborted';

/** A zod issue reduced to what is safe to log: where it is and what kind, never the offending value. */
export interface IiqIssue {
  path: string;
  code: string;
}

export interface IiqErrorInit {
  kind: IiqErrorKind;
  operation: string;
  message: string;
  status?: number;
  scimType?: string;
  detail?: string;
  code?: string;
  issues?: IiqIssue[];
  attempts?: number;
  cause?: unknown;
}

export class IiqError extends Error {
  override readonly name = 'IiqError';
  readonly kind: IiqErrorKind;
  /** client method (or internal step) that failed, e.g. `listUsers` */
  readonly operation: string;
  readonly status?: number;
  readonly scimType?: string;
  /**
   * SCIM `detail` from the upstream error body. Kept for diagnostics but NOT put into `message`, and not
   * enumerable (so loggers and JSON.stringify skip it): IIQ echoes user values in some details
   * (`Resource already exists:<userName>`, `Invalid filter: userName eq "…"`).
   */
  declare readonly detail?: string;
  /** undici / Node error code for transport failures, e.g. `UND_ERR_CONNECT_TIMEOUT`, `ECONNREFUSED` */
  readonly code?: string;
  readonly issues?: IiqIssue[];
  /** how many HTTP attempts were made (retries included) */
  readonly attempts?: number;

  constructor(init: IiqErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.scimType !== undefined) this.scimType = init.scimType;
    if (init.detail !== undefined) Object.defineProperty(this, 'detail', { value: init.detail, enumerable: false });
    if (init.code !== undefined) this.code = init.code;
    if (init.issues !== undefined) this.issues = init.issues;
    if (init.attempts !== undefined) this.attempts = init.attempts;
  }
}

export function isIiqError(err: unknown, kind?: IiqErrorKind): err is IiqError {
  return err instanceof IiqError && (kind === undefined || err.kind === kind);
}

const UNAUTHORIZED_HINT =
  'IIQ answers 401 both for bad credentials (or an expired token) and for an identity without SCIM rights ' +
  '(capability SCIMExecutor or the matching SCIM rights); check both';

/** Maps a non-2xx SCIM answer to the error family (RFC 7644 §3.12; IIQ specifics in the reference §6). */
export function errorFromStatus(
  operation: string,
  status: number,
  scim: { scimType?: string | undefined; detail?: string | undefined },
  attempts: number,
): IiqError {
  const scimType = scim.scimType;
  const base = { operation, status, attempts, ...(scimType ? { scimType } : {}), ...(scim.detail ? { detail: scim.detail } : {}) };
  const where = `${operation}: HTTP ${status}${scimType ? ` (${scimType})` : ''}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (status === 401) return new IiqError({ ...base, kind: 'unauthorized', message: `IIQ refused ${where}. ${UNAUTHORIZED_HINT}` });
  if (status === 404) return new IiqError({ ...base, kind: 'notFound', message: `IIQ found no such resource in ${where}` });
  if (status === 409) return new IiqError({ ...base, kind: 'conflict', message: `IIQ reports a conflict (uniqueness) in ${where}` });
  if (status === 412) return new IiqError({ ...base, kind: 'preconditionFailed', message: `IIQ resource changed since it was read (If-Match failed) in ${where}` });
  if (status === 429) return new IiqError({ ...base, kind: 'tooMany', message: `IIQ is rate limiting ${where}${tries}` });
  if (status >= 500 || status === 408) {
    return new IiqError({ ...base, kind: 'upstreamUnavailable', message: `IIQ is unavailable or failing in ${where}${tries}` });
  }
  // 403 is what IIQ sends for `filter` on /Schemas and /ResourceTypes (scimType invalidFilter).
  if (scimType === 'invalidFilter') return new IiqError({ ...base, kind: 'invalidFilter', message: `IIQ rejected the filter, sortBy or an attribute path in ${where}` });
  if (scimType === 'tooMany') return new IiqError({ ...base, kind: 'tooMany', message: `IIQ refused a count above its maxResults in ${where}` });
  if (scimType === 'mutability') return new IiqError({ ...base, kind: 'mutability', message: `IIQ refused to change an immutable attribute in ${where}` });
  if (scimType === 'uniqueness') return new IiqError({ ...base, kind: 'conflict', message: `IIQ reports a conflict (uniqueness) in ${where}` });
  return new IiqError({ ...base, kind: 'badRequest', message: `IIQ rejected the request in ${where}` });
}

/** zod issues → safe paths (`Resources.3.userName`) and codes, deduplicated, at most `limit`. */
export function issuesFrom(issues: readonly { path: readonly PropertyKey[]; code: string }[], prefix: readonly PropertyKey[] = [], limit = 20): IiqIssue[] {
  const out: IiqIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const path = [...prefix, ...issue.path].map((p) => String(p)).join('.') || '(root)';
    const key = `${path}|${issue.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, code: issue.code });
    if (out.length >= limit) break;
  }
  return out;
}

export function invalidResponse(operation: string, why: string, extra: Partial<IiqErrorInit> = {}): IiqError {
  const paths = extra.issues?.length ? `: ${extra.issues.slice(0, 5).map((i) => `${i.path} (${i.code})`).join(', ')}${extra.issues.length > 5 ? ', …' : ''}` : '';
  return new IiqError({ ...extra, kind: 'invalidResponse', operation, message: `IIQ sent an invalid response to ${operation}: ${why}${paths}` });
}
