import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The run's log capture: every logger the code builds (and every child server, which inherits the environment)
// also writes at `trace` to a file here; test/log-capture.setup.ts scans them for credentials after the run.
if (!process.env.IIQ_GRAPH_TEST_LOG_DIR) {
  process.env.IIQ_GRAPH_TEST_LOG_DIR = mkdtempSync(join(tmpdir(), 'iiq-graph-test-logs-'));
  process.env.IIQ_GRAPH_TEST_LOG_OWNER = String(process.pid); // this run made it: its teardown removes it
}
const logDir = process.env.IIQ_GRAPH_TEST_LOG_DIR;

export default defineConfig({
  resolve: {
    // One graphql module instance for tests and code ("Cannot use GraphQLSchema from another module or realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { IIQ_GRAPH_TEST_LOG_DIR: logDir },
    globalSetup: ['./test/log-capture.setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
