// vitest globalSetup: the whole run's logs are captured (IIQ_GRAPH_TEST_LOG_DIR, set in vitest.config.ts, makes
// every logger the code builds also write at `trace` to a per-process file: src/hardening/log-capture.ts) and,
// after the last test file, scanned for the known credentials; one found fails the run.
import { mkdirSync, rmSync } from 'node:fs';
import { formatScan, scanLogDir } from './log-scan.ts';

export function setup(): () => void {
  const dir = process.env.IIQ_GRAPH_TEST_LOG_DIR;
  if (!dir) return () => {};
  mkdirSync(dir, { recursive: true });
  return () => {
    const scan = scanLogDir(dir);
    console.log(formatScan(scan));
    if (scan.findings.length) {
      const shown = scan.findings.slice(0, 20).map((f) => `  ${f.file}:${f.line} ${f.kind} ${f.hint}`);
      // the files stay for inspection; vitest reports a teardown error but keeps its exit code, so set it too
      process.exitCode = 1;
      throw new Error(`credentials in the captured logs (${scan.findings.length}):\n${shown.join('\n')}`);
    }
    // only the run that made the directory removes it (a directory given from outside, or a nested run's, stays)
    if (process.env.IIQ_GRAPH_TEST_LOG_OWNER === String(process.pid)) rmSync(dir, { recursive: true, force: true });
  };
}
