// pino redaction: credentials, tokens, API keys and Authorization headers never reach a log line, at whatever
// depth a caller nests them (pino's paths match one level per `*`).
import { stdSerializers, type LoggerOptions } from 'pino';

const SECRET_KEYS = [
  'password', 'clientSecret', 'client_secret', 'secret', 'token', 'access_token', 'refresh_token', 'accessToken',
  'apiKey', 'api_key', 'adminKey', 'key', 'authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie',
  'proxy-authorization', 'credentials', 'auth', 'secretKey', 'linkToken',
];

const path = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`);
const join = (prefix: string, k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${prefix}.${k}` : `${prefix}["${k}"]`);

/** Paths for pino's `redact`: every secret key at the top level and up to three levels down. */
export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) => [path(k), join('*', k), join('*.*', k), join('*.*.*', k)]);

export const redaction: NonNullable<LoggerOptions['redact']> = { paths: REDACT_PATHS, censor: '[redacted]' };

/** Values that look like credentials inside free text (a message, a URL): Basic/Bearer values, API keys, user:pass@. */
export function scrubText(text: string): string {
  return text
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/\b(iiqg_)[A-Za-z0-9_-]{8,}/g, '$1[redacted]')
    .replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[redacted]@');
}

/**
 * Logger options for the gateway: key-based redaction, plus scrubbing of message strings and of serialized
 * errors (an error message or stack could quote a header or a URL with user:password).
 */
export function secretSafeLoggerOptions(): Pick<LoggerOptions, 'redact' | 'hooks' | 'serializers'> {
  return {
    redact: redaction,
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>);
      },
    },
    serializers: {
      // `err` is often a message string (`{ err: (err as Error).message }`), not an Error: scrub it as text
      err: (e: unknown) => {
        if (typeof e === 'string') return scrubText(e);
        if (typeof e !== 'object' || e === null) return e;
        const s = stdSerializers.err(e as Error);
        return { ...s, ...(typeof s.message === 'string' ? { message: scrubText(s.message) } : {}), ...(typeof s.stack === 'string' ? { stack: scrubText(s.stack) } : {}) };
      },
    },
  };
}
