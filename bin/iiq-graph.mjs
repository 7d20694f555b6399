#!/usr/bin/env node
// `npx iiq-graph …`: runs the TypeScript CLI through tsx (the package ships sources, as `npm start` does).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
