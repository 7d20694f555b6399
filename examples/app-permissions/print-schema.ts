// Writes examples/app-permissions/schema.graphql (the subgraph SDL the compose script reads):
// `npx tsx examples/app-permissions/print-schema.ts`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printAppPermissionsSdl } from './schema.ts';

export const APP_PERMISSIONS_SCHEMA_FILE = fileURLToPath(new URL('./schema.graphql', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(APP_PERMISSIONS_SCHEMA_FILE, printAppPermissionsSdl());
  console.log(`wrote ${APP_PERMISSIONS_SCHEMA_FILE}`);
}
