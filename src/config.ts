// Gateway configuration: parsed from the environment once, at start, with clear messages for bad values.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { Keyring } from './connections/secrets.ts';
import { OutboundPolicy } from './connections/url-policy.ts';
import { hardeningEnvShape, hardeningFrom, type HardeningConfig } from './hardening/config.ts';

const positiveInt = (name: string, def: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .positive({ error: `${name} must be greater than 0` })
    .default(def);

/** IIQ attribute names differ per install; this map names the ones behind the typed User fields. */
export const attributeMapSchema = z
  .object({
    department: z.string().min(1).default('department'),
    jobTitle: z.string().min(1).default('jobtitle'),
    location: z.string().min(1).default('location'),
    costCenters: z.string().min(1).default('costcenter'),
    employeeId: z.string().min(1).default('empId'),
  })
  .strict();
export type AttributeMap = z.infer<typeof attributeMapSchema>;

const envSchema = z
  .object({
    PORT: z.coerce.number({ error: 'PORT must be a number' }).int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    IIQ_BASE_URL: z.url({ error: 'IIQ_BASE_URL must be an absolute http(s) URL such as https://iiq.example.com/identityiq/scim/v2' })
      .refine((u) => /^https?:\/\//.test(u), 'IIQ_BASE_URL must use http or https')
      .optional(),
    IIQ_USERNAME: z.string().min(1).optional(),
    IIQ_PASSWORD: z.string().min(1).optional(),
    IIQ_CLIENT_ID: z.string().min(1).optional(),
    IIQ_CLIENT_SECRET: z.string().min(1).optional(),
    IIQ_TOKEN_URL: z.url().optional(),
    IIQ_CA_FILE: z.string().min(1).optional(),
    IIQ_TLS_INSECURE: z.enum(['true', 'false']).default('false'),
    IIQ_PROXY_URL: z.url().optional(),
    IIQ_ATTRIBUTE_MAP: z.string().optional(),
    IIQ_ROLE_CACHE_TTL: positiveInt('IIQ_ROLE_CACHE_TTL (seconds)', 300),
    IIQ_MAX_CONNECTIONS: positiveInt('IIQ_MAX_CONNECTIONS', 8),
    PAGE_SIZE_DEFAULT: positiveInt('PAGE_SIZE_DEFAULT', 20),
    PAGE_SIZE_MAX: positiveInt('PAGE_SIZE_MAX', 100),
    MEMBERSHIP_INDEX_REFRESH: positiveInt('MEMBERSHIP_INDEX_REFRESH (seconds)', 900),
    MEMBERSHIP_INDEX_CONCURRENCY: positiveInt('MEMBERSHIP_INDEX_CONCURRENCY', 4),
    GRAPHIQL: z.enum(['true', 'false']).default('true'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SIMULATOR_USERS: positiveInt('SIMULATOR_USERS', 2000),
    SIMULATOR_PROFILE: z.enum(['zero', 'realistic']).default('realistic'),
    IIQ_GRAPH_ADMIN_KEY: z.string().min(24, { error: 'IIQ_GRAPH_ADMIN_KEY must be at least 24 characters (e.g. openssl rand -base64 32)' }).optional(),
    IIQ_GRAPH_SECRET_KEY: z.string().optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// or postgresql:// URL' }).optional(),
    PROXY_MAX_BODY_BYTES: positiveInt('PROXY_MAX_BODY_BYTES', 1024 * 1024),
    // REDIS_URL (cache and rate limits) is declared in hardening/config.ts
    CACHE: z.enum(['on', 'off'], { error: 'CACHE must be on or off' }).default('on'),
    CACHE_KEY_PREFIX: z.string().min(1).default('iiq-graph:'),
    CACHE_MAX_ENTRIES: positiveInt('CACHE_MAX_ENTRIES', 50_000),
    CACHE_TTL_USERS: positiveInt('CACHE_TTL_USERS (seconds)', 30),
    CACHE_TTL_LISTS: positiveInt('CACHE_TTL_LISTS (seconds)', 10),
    CACHE_TTL_ROLES: positiveInt('CACHE_TTL_ROLES (seconds)', 300),
    CACHE_STALE_TTL: positiveInt('CACHE_STALE_TTL (seconds)', 3600),
    CACHE_TTL_RESPONSES: z.coerce.number({ error: 'CACHE_TTL_RESPONSES must be a number' }).int().min(0, { error: 'CACHE_TTL_RESPONSES (seconds) must be 0 (off) or more' }).default(5),
    // outbound URL allow-list (SSRF guard) and the connect page's CSP frame-ancestors; see README Configuration
    IIQ_GRAPH_ALLOWED_HOSTS: z.string().max(10_000).optional(),
    IIQ_GRAPH_FRAME_ANCESTORS: z.string().max(2_000).default("'self'"),
    ...hardeningEnvShape,
  })
  .superRefine((env, ctx) => {
    if (env.PAGE_SIZE_DEFAULT > env.PAGE_SIZE_MAX) ctx.addIssue({ code: 'custom', message: 'PAGE_SIZE_DEFAULT must not exceed PAGE_SIZE_MAX' });
    if (env.IIQ_GRAPH_ADMIN_KEY) {
      if (env.IIQ_BASE_URL) ctx.addIssue({ code: 'custom', message: 'IIQ_BASE_URL (single connection) and IIQ_GRAPH_ADMIN_KEY (linked accounts) are two modes: set one of them' });
      if (!env.IIQ_GRAPH_SECRET_KEY) ctx.addIssue({ code: 'custom', message: 'linked accounts (IIQ_GRAPH_ADMIN_KEY) need IIQ_GRAPH_SECRET_KEY to encrypt credentials, e.g. k1:$(openssl rand -base64 32)' });
      return;
    }
    if (!isLoopback(env.HOST)) {
      ctx.addIssue({
        code: 'custom',
        message: `HOST=${env.HOST} is not a loopback address and no API keys are configured: anyone who can reach it would read IdentityIQ. Set IIQ_GRAPH_ADMIN_KEY and IIQ_GRAPH_SECRET_KEY (linked accounts, every request needs an API key) or bind HOST=127.0.0.1`,
      });
    }
    if (!env.IIQ_BASE_URL) return;
    const basic = Boolean(env.IIQ_USERNAME || env.IIQ_PASSWORD);
    const oauth = Boolean(env.IIQ_CLIENT_ID || env.IIQ_CLIENT_SECRET);
    if (basic && oauth) ctx.addIssue({ code: 'custom', message: 'set either IIQ_USERNAME/IIQ_PASSWORD or IIQ_CLIENT_ID/IIQ_CLIENT_SECRET, not both' });
    else if (basic && !(env.IIQ_USERNAME && env.IIQ_PASSWORD)) ctx.addIssue({ code: 'custom', message: 'IIQ_USERNAME and IIQ_PASSWORD must be set together' });
    else if (oauth && !(env.IIQ_CLIENT_ID && env.IIQ_CLIENT_SECRET)) ctx.addIssue({ code: 'custom', message: 'IIQ_CLIENT_ID and IIQ_CLIENT_SECRET must be set together' });
    else if (!basic && !oauth) ctx.addIssue({ code: 'custom', message: 'IIQ_BASE_URL needs credentials: IIQ_USERNAME/IIQ_PASSWORD (Basic) or IIQ_CLIENT_ID/IIQ_CLIENT_SECRET (OAuth2)' });
  });

/** Auth may be off only when nothing but this machine can connect. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  const h = host.replace(/^\[|\]$/g, '');
  return h === '::1' || /^::ffff:127\./i.test(h);
}

export interface GatewayConfig {
  port: number;
  host: string;
  /** undefined = start the embedded simulator with demo data */
  iiq:
    | {
        baseUrl: string;
        auth: { kind: 'basic'; username: string; password: string } | { kind: 'oauth2'; clientId: string; clientSecret: string; tokenUrl?: string };
        ca?: string;
        insecureTls: boolean;
        proxyUrl?: string;
        maxConnections: number;
      }
    | undefined;
  attributeMap: AttributeMap;
  roleCacheTtlMs: number;
  pageSize: { default: number; max: number };
  membershipIndex: { refreshIntervalMs: number; concurrency: number };
  graphiql: boolean;
  logLevel: string;
  simulator: { users: number; profile: 'zero' | 'realistic' };
  /** IIQ_GRAPH_SECRET_KEY when set, in any mode: keys cursor MACs (src/graphql/cursor.ts); without it they are per process */
  secretKey?: string;
  /** linked-accounts mode (IIQ_GRAPH_ADMIN_KEY set): tenants, API keys, stored connections; undefined = single connection */
  linked?: {
    adminKey: string;
    /** IIQ_GRAPH_SECRET_KEY: "kid:base64key[,kid:base64key...]", first encrypts, all decrypt */
    secretKey: string;
    dataDir: string;
    databaseUrl?: string;
  };
  /**
   * the store under DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL), in any mode: linked accounts keep connections
   * there, the single connection its idempotency records of writes (opened on first use)
   */
  store?: { dataDir: string; databaseUrl?: string };
  proxyMaxBodyBytes: number;
  /** SCIM read cache (REDIS_URL, CACHE_*); absent = off */
  cache?: CacheConfig;
  /** request limits, rate limits, upstream concurrency and circuit breaker (src/hardening); absent = defaults */
  hardening?: HardeningConfig;
  /** IIQ_GRAPH_ALLOWED_HOSTS (src/connections/url-policy.ts): outbound allow-list; absent = internal addresses refused only */
  allowedHosts?: string;
  /** IIQ_GRAPH_FRAME_ANCESTORS: the connect page's CSP frame-ancestors sources (default 'self') */
  frameAncestors?: string;
}

/** Per-connection cache of SCIM reads (src/cache); absent = no caching. */
export interface CacheConfig {
  enabled: boolean;
  /** Redis (shared by replicas) instead of the in-process LRU */
  redisUrl?: string;
  keyPrefix: string;
  /** in-process LRU size (resources) */
  maxEntries: number;
  ttls: { usersMs: number; listsMs: number; rolesMs: number; staleMs: number };
  /** whole GraphQL query results (per tenant and connection); 0 = off */
  responsesMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment; throws ConfigError listing every problem (values of secrets are never echoed). */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
  }
  const e = parsed.data;
  const problems: string[] = [];

  let attributeMap: AttributeMap = attributeMapSchema.parse({});
  if (e.IIQ_ATTRIBUTE_MAP) {
    try {
      const m = attributeMapSchema.safeParse(JSON.parse(e.IIQ_ATTRIBUTE_MAP));
      if (m.success) attributeMap = m.data;
      else problems.push(`IIQ_ATTRIBUTE_MAP: ${m.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
    } catch {
      problems.push('IIQ_ATTRIBUTE_MAP must be JSON, e.g. {"department":"Department","jobTitle":"title"}');
    }
  }

  let ca: string | undefined;
  if (e.IIQ_CA_FILE) {
    try {
      ca = readFileSync(e.IIQ_CA_FILE, 'utf8');
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) problems.push('IIQ_CA_FILE does not contain a PEM certificate');
    } catch (err) {
      problems.push(`IIQ_CA_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (e.IIQ_GRAPH_SECRET_KEY) {
    try {
      Keyring.parse(e.IIQ_GRAPH_SECRET_KEY);
    } catch (err) {
      problems.push((err as Error).message); // names the entry, never the key material
    }
  }
  try {
    OutboundPolicy.parse(e.IIQ_GRAPH_ALLOWED_HOSTS);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const frameAncestors = frameAncestorsOf(e.IIQ_GRAPH_FRAME_ANCESTORS);
  if (typeof frameAncestors !== 'string') problems.push(frameAncestors.problem);
  if (problems.length) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    iiq: e.IIQ_BASE_URL
      ? {
          baseUrl: e.IIQ_BASE_URL,
          auth: e.IIQ_CLIENT_ID
            ? { kind: 'oauth2', clientId: e.IIQ_CLIENT_ID, clientSecret: e.IIQ_CLIENT_SECRET!, ...(e.IIQ_TOKEN_URL ? { tokenUrl: e.IIQ_TOKEN_URL } : {}) }
            : { kind: 'basic', username: e.IIQ_USERNAME!, password: e.IIQ_PASSWORD! },
          ...(ca ? { ca } : {}),
          insecureTls: e.IIQ_TLS_INSECURE === 'true',
          ...(e.IIQ_PROXY_URL ? { proxyUrl: e.IIQ_PROXY_URL } : {}),
          maxConnections: e.IIQ_MAX_CONNECTIONS,
        }
      : undefined,
    attributeMap,
    roleCacheTtlMs: e.IIQ_ROLE_CACHE_TTL * 1000,
    pageSize: { default: e.PAGE_SIZE_DEFAULT, max: e.PAGE_SIZE_MAX },
    membershipIndex: { refreshIntervalMs: e.MEMBERSHIP_INDEX_REFRESH * 1000, concurrency: e.MEMBERSHIP_INDEX_CONCURRENCY },
    graphiql: e.GRAPHIQL === 'true',
    logLevel: e.LOG_LEVEL,
    simulator: { users: e.SIMULATOR_USERS, profile: e.SIMULATOR_PROFILE },
    ...(e.IIQ_GRAPH_SECRET_KEY ? { secretKey: e.IIQ_GRAPH_SECRET_KEY } : {}),
    ...(e.IIQ_GRAPH_ADMIN_KEY
      ? { linked: { adminKey: e.IIQ_GRAPH_ADMIN_KEY, secretKey: e.IIQ_GRAPH_SECRET_KEY!, dataDir: e.DATA_DIR, ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}) } }
      : {}),
    store: { dataDir: e.DATA_DIR, ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}) },
    proxyMaxBodyBytes: e.PROXY_MAX_BODY_BYTES,
    cache: {
      enabled: e.CACHE === 'on',
      ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
      keyPrefix: e.CACHE_KEY_PREFIX,
      maxEntries: e.CACHE_MAX_ENTRIES,
      ttls: { usersMs: e.CACHE_TTL_USERS * 1000, listsMs: e.CACHE_TTL_LISTS * 1000, rolesMs: e.CACHE_TTL_ROLES * 1000, staleMs: e.CACHE_STALE_TTL * 1000 },
      responsesMs: e.CACHE_TTL_RESPONSES * 1000,
    },
    hardening: hardeningFrom(e),
    ...(e.IIQ_GRAPH_ALLOWED_HOSTS?.trim() ? { allowedHosts: e.IIQ_GRAPH_ALLOWED_HOSTS.trim() } : {}),
    frameAncestors: frameAncestors as string,
  };
}

/**
 * IIQ_GRAPH_FRAME_ANCESTORS: CSP frame-ancestors sources separated by spaces or commas — 'self', 'none', an origin
 * (https://app.example.com[:port]), a wildcard origin (https://*.example.com), a scheme (https:) or * — returned
 * space-separated. Anything else (quotes, semicolons, paths, control characters) is refused: it goes into a header.
 */
export function frameAncestorsOf(spec: string): string | { problem: string } {
  const parts = spec.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { problem: "IIQ_GRAPH_FRAME_ANCESTORS must name at least one source, e.g. 'self'" };
  for (const p of parts) {
    const ok = /^'(self|none)'$/i.test(p) || p === '*' || /^https?:$/i.test(p) || /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i.test(p);
    if (!ok) return { problem: `IIQ_GRAPH_FRAME_ANCESTORS: "${p.slice(0, 80)}" is not a frame-ancestors source ('self', 'none', https://host[:port], https://*.domain, https: or *)` };
  }
  if (parts.length > 1 && parts.some((p) => /^'none'$/i.test(p))) return { problem: "IIQ_GRAPH_FRAME_ANCESTORS: 'none' cannot be combined with other sources" };
  return parts.join(' ');
}
