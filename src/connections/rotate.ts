// `npm run rotate-secrets`: re-encrypts every connection's credentials under the current (first) key of
// IIQ_GRAPH_SECRET_KEY. Run it after putting a new key first; remove the old key once it reports 0 left.
import { fileURLToPath } from 'node:url';
import { openStore, type StoreConfig } from './open-store.ts';
import { Keyring } from './secrets.ts';
import type { ConnectionStore } from './types.ts';

export interface RotationReport {
  currentKid: string;
  reencrypted: number;
  alreadyCurrent: number;
}

export async function rotateSecrets(store: ConnectionStore, keyring: Keyring): Promise<RotationReport> {
  const report: RotationReport = { currentKid: keyring.current.kid, reencrypted: 0, alreadyCurrent: 0 };
  for (const record of await store.allConnections()) {
    if (Keyring.kidOf(record.secret) === keyring.current.kid) {
      report.alreadyCurrent++;
      continue;
    }
    // decrypt fails loudly (naming the key id only) when the old key is no longer listed
    const plaintext = keyring.decrypt(record.secret, record.id);
    const at = new Date().toISOString();
    await store.updateConnection(record.tenantId, record.id, { secret: keyring.encrypt(plaintext, record.id), secretKid: keyring.current.kid }, at);
    await store.appendAudit({
      tenantId: record.tenantId, connectionId: record.id, action: 'secrets.rotated', actor: 'rotate', at,
      details: { from: record.secretKid, to: keyring.current.kid },
    });
    report.reencrypted++;
  }
  return report;
}

export function storeConfigFromEnv(env: Record<string, string | undefined>): StoreConfig {
  return { dataDir: env.DATA_DIR || './data', databaseUrl: env.DATABASE_URL || undefined };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const keyring = Keyring.parse(process.env.IIQ_GRAPH_SECRET_KEY);
    const store = await openStore(storeConfigFromEnv(process.env));
    try {
      const report = await rotateSecrets(store, keyring);
      console.log(`re-encrypted ${report.reencrypted} connection(s) under key "${report.currentKid}"; ${report.alreadyCurrent} already used it`);
    } finally {
      await store.close();
    }
  } catch (err) {
    console.error(`rotate-secrets failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
