// Hardening settings from the environment: request limits, introspection, CSRF, trusted documents, rate limits,
// upstream concurrency and circuit breaker. Spread into config.ts's env schema; defaults documented in the README.
import { z } from 'zod';

const count = (name: string, def: number, min = 1) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .default(def);
const flag = (def: 'true' | 'false') => z.enum(['true', 'false']).default(def);

export const hardeningEnvShape = {
  MAX_DEPTH: count('MAX_DEPTH', 15),
  /** cost = fields resolved, list fields multiplied by their page size (first/last, else the default page size) */
  MAX_COST: count('MAX_COST', 20_000),
  MAX_ALIASES: count('MAX_ALIASES', 15),
  MAX_DIRECTIVES: count('MAX_DIRECTIVES', 20),
  MAX_TOKENS: count('MAX_TOKENS', 2_000),
  /** operations in one batched (JSON array) request; 1 = batching off */
  MAX_BATCH: count('MAX_BATCH', 1),
  /** request bodies of GraphQL, REST, management and connect routes (the proxy has PROXY_MAX_BODY_BYTES) */
  MAX_BODY_BYTES: count('MAX_BODY_BYTES', 256 * 1024),
  INTROSPECTION: flag('true'),
  CSRF_PREVENTION: flag('true'),
  /** JSON: {"<sha256 hex>": "query …"} or an Apollo persisted-query manifest; when set, only these run */
  TRUSTED_DOCUMENTS_FILE: z.string().min(1).optional(),
  RATE_LIMIT_PER_MINUTE: count('RATE_LIMIT_PER_MINUTE', 600, 0),
  CONNECTION_RATE_LIMIT_PER_MINUTE: count('CONNECTION_RATE_LIMIT_PER_MINUTE', 1_200, 0),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'REDIS_URL must be a redis:// or rediss:// URL' }).optional(),
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('iiq-graph:rl'),
  UPSTREAM_CONCURRENCY: count('UPSTREAM_CONCURRENCY', 8),
  UPSTREAM_QUEUE: count('UPSTREAM_QUEUE', 200, 0),
  BREAKER_THRESHOLD: count('BREAKER_THRESHOLD', 5),
  BREAKER_HALF_OPEN_AFTER: count('BREAKER_HALF_OPEN_AFTER (seconds)', 10),
};

const hardeningEnvSchema = z.object(hardeningEnvShape);
type HardeningEnv = z.output<typeof hardeningEnvSchema>;

export interface HardeningConfig {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxBatch: number;
  maxBodyBytes: number;
  introspection: boolean;
  csrfPrevention: boolean;
  trustedDocumentsFile?: string;
  /** 0 = off */
  rateLimitPerMinute: number;
  /** 0 = off */
  connectionRateLimitPerMinute: number;
  redisUrl?: string;
  rateLimitKeyPrefix: string;
  upstream: { concurrency: number; queue: number; breakerThreshold: number; halfOpenAfterMs: number };
}

export function hardeningFrom(e: HardeningEnv): HardeningConfig {
  return {
    maxDepth: e.MAX_DEPTH,
    maxCost: e.MAX_COST,
    maxAliases: e.MAX_ALIASES,
    maxDirectives: e.MAX_DIRECTIVES,
    maxTokens: e.MAX_TOKENS,
    maxBatch: e.MAX_BATCH,
    maxBodyBytes: e.MAX_BODY_BYTES,
    introspection: e.INTROSPECTION === 'true',
    csrfPrevention: e.CSRF_PREVENTION === 'true',
    ...(e.TRUSTED_DOCUMENTS_FILE ? { trustedDocumentsFile: e.TRUSTED_DOCUMENTS_FILE } : {}),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    connectionRateLimitPerMinute: e.CONNECTION_RATE_LIMIT_PER_MINUTE,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    rateLimitKeyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    upstream: {
      concurrency: e.UPSTREAM_CONCURRENCY,
      queue: e.UPSTREAM_QUEUE,
      breakerThreshold: e.BREAKER_THRESHOLD,
      halfOpenAfterMs: e.BREAKER_HALF_OPEN_AFTER * 1000,
    },
  };
}

/** Defaults, for configs built without loadConfig (tests that assemble a GatewayConfig by hand). */
export const DEFAULT_HARDENING: HardeningConfig = hardeningFrom(hardeningEnvSchema.parse({}));
