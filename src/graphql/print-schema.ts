// Writes schema/schema.graphql from the code: `npx tsx src/graphql/print-schema.ts` (`--check` only compares).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaSdl } from './schema.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sdl = printSchemaSdl();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      // missing file = drift
    }
    if (current !== sdl) {
      console.error('schema/schema.graphql is out of date; run: npx tsx src/graphql/print-schema.ts');
      process.exit(1);
    }
    console.log('schema/schema.graphql is up to date');
  } else {
    writeFileSync(SCHEMA_FILE, sdl);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
