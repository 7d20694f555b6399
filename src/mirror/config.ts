// Mirror configuration from the environment (read by server.ts and the CLI, the processes' entry points).
import { z } from 'zod';

const seconds = (name: string, def: number) =>
  z.coerce.number({ error: `${name} must be a number of seconds` }).int().positive({ error: `${name} must be greater than 0` }).default(def);
const count = (name: string, def: number) => z.coerce.number({ error: `${name} must be a number` }).int().positive().default(def);

const mirrorEnvSchema = z.object({
  MIRROR: z.enum(['true', 'false']).default('false'),
  MIRROR_SYNC_INTERVAL: seconds('MIRROR_SYNC_INTERVAL', 60),
  MIRROR_DELETION_SCAN_INTERVAL: seconds('MIRROR_DELETION_SCAN_INTERVAL', 900),
  MIRROR_ROLES_INTERVAL: seconds('MIRROR_ROLES_INTERVAL', 900),
  MIRROR_SKEW: seconds('MIRROR_SKEW', 60),
  MIRROR_CHANGES_RETENTION_DAYS: z.coerce.number({ error: 'MIRROR_CHANGES_RETENTION_DAYS must be a number of days' }).int().min(0).default(30),
  MIRROR_LEASE_INTERVAL: z.coerce.number({ error: 'MIRROR_LEASE_INTERVAL must be a number of seconds' }).positive().default(2),
  MIRROR_CONCURRENCY: count('MIRROR_CONCURRENCY', 4),
  MIRROR_PAGE_SIZE: count('MIRROR_PAGE_SIZE', 250),
  MIRROR_MAX_CONCURRENT_SYNCS: count('MIRROR_MAX_CONCURRENT_SYNCS', 4),
  MIRROR_RECONCILE_INTERVAL: z.coerce.number({ error: 'MIRROR_RECONCILE_INTERVAL must be a number of seconds' }).positive().default(30),
  MIRROR_MAX_LEASES: z.coerce.number({ error: 'MIRROR_MAX_LEASES must be a number' }).int().min(0).default(0),
  ACCESS_MAP_FILE: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// or postgresql:// URL' }).optional(),
});

export interface MirrorConfig {
  enabled: boolean;
  dataDir: string;
  databaseUrl?: string;
  accessMapFile?: string;
  /** several replicas (PostgreSQL): how often a replica tries to take the connection's lease / the owner probes it */
  leasePollMs: number;
  /** linked accounts: sync runs at a time on one replica, across all its connections */
  maxConcurrentSyncs: number;
  /** linked accounts: how often the store's connections are compared with the open mirrors */
  reconcileMs: number;
  /** linked accounts: connections one replica owns at most (0 = no limit) */
  maxLeases: number;
  sync: { concurrency: number; pageSize: number; batchSize: number; skewMs: number; incrementalIntervalMs: number; deletionScanIntervalMs: number; rolesIntervalMs: number; changeRetentionMs: number };
}

export function loadMirrorConfig(env: Record<string, string | undefined>): MirrorConfig {
  const parsed = mirrorEnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) throw new Error(`invalid mirror configuration:\n  - ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  - ')}`);
  const e = parsed.data;
  return {
    enabled: e.MIRROR === 'true',
    dataDir: e.DATA_DIR,
    leasePollMs: Math.round(e.MIRROR_LEASE_INTERVAL * 1000),
    maxConcurrentSyncs: e.MIRROR_MAX_CONCURRENT_SYNCS,
    reconcileMs: Math.round(e.MIRROR_RECONCILE_INTERVAL * 1000),
    maxLeases: e.MIRROR_MAX_LEASES,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.ACCESS_MAP_FILE ? { accessMapFile: e.ACCESS_MAP_FILE } : {}),
    sync: {
      concurrency: e.MIRROR_CONCURRENCY,
      pageSize: e.MIRROR_PAGE_SIZE,
      batchSize: e.MIRROR_PAGE_SIZE, // one page per transaction: bounds the sync's memory (bench: 227 MB peak at 100k users)
      skewMs: e.MIRROR_SKEW * 1000,
      incrementalIntervalMs: e.MIRROR_SYNC_INTERVAL * 1000,
      deletionScanIntervalMs: e.MIRROR_DELETION_SCAN_INTERVAL * 1000,
      rolesIntervalMs: e.MIRROR_ROLES_INTERVAL * 1000,
      changeRetentionMs: e.MIRROR_CHANGES_RETENTION_DAYS * 86_400_000,
    },
  };
}
